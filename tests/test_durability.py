"""Nothing acknowledged is lost: a backup taken while the app serves, restoring it, and the
server killed with SIGKILL in the middle of a stream of saves."""

import http.client
import subprocess
import sys
import threading
import time

from sqlalchemy import create_engine, text

from .live import ROOT, Browser, Server


def save_stream(base: str, stop: threading.Event, acknowledged: list[int]) -> None:
    """Save B.8.1 again and again; note each percent the server acknowledged."""
    browser = Browser(base)
    token = browser.log_in("stttt")
    version, percent = 0, 0
    while not stop.is_set():
        percent = percent % 99 + 1
        try:
            status, body = browser.request("/tasks/B.8.1/units/stttt", {
                "version": str(version), "view": "unit", "status": "in_progress", "percent": str(percent),
                "result": f"Lần lưu số {len(acknowledged) + 1}", "evidence_number": "", "evidence_date": "",
                "difficulties": "", "proposals": "", "contribution_note": ""},
                headers={"HX-Request": "true", "X-CSRFToken": token})
        except (OSError, http.client.HTTPException):
            return  # the server is gone, maybe mid-answer; this save was never acknowledged
        if status == 200 and f"{percent}%" in body and "report-form" not in body:
            acknowledged.append(percent)
            version += 1


def history(database_url: str) -> tuple[int, list[str]]:
    engine = create_engine(database_url)
    with engine.connect() as db:
        version = db.execute(text(
            "SELECT r.version FROM report r JOIN task t ON t.id = r.task_id JOIN unit u ON u.id = r.unit_id "
            "WHERE t.ref = 'B.8.1' AND u.code = 'stttt'")).scalar_one()
        changes = [row[0] for row in db.execute(text(
            "SELECT c.new_value FROM reportchange c JOIN report r ON r.id = c.report_id JOIN task t ON t.id = r.task_id "
            "WHERE t.ref = 'B.8.1' AND c.field = 'percent' ORDER BY c.id"))]
        if engine.dialect.name == "sqlite":
            assert db.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
    engine.dispose()
    return version, changes


def test_a_sigkill_in_the_middle_of_saves_loses_nothing_acknowledged(database_url, tmp_path):
    server = Server(database_url, tmp_path / "instance").start()
    stop, acknowledged = threading.Event(), []
    writer = threading.Thread(target=save_stream, args=(f"http://127.0.0.1:{server.port}", stop, acknowledged))
    writer.start()
    try:
        deadline = time.monotonic() + 60  # a loaded machine saves more slowly
        while len(acknowledged) < 25 and time.monotonic() < deadline:
            time.sleep(0.05)
        server.kill()  # mid-stream: a save may be in flight
    finally:
        stop.set()
        writer.join(timeout=15)
        server.stop()
    assert len(acknowledged) >= 25, "the stream of saves did not get going"

    restarted = Server(database_url, tmp_path / "instance").start()
    try:
        browser = Browser(f"http://127.0.0.1:{restarted.port}")
        browser.log_in("stttt")
        status, _ = browser.request("/my")
        assert status == 200
    finally:
        restarted.stop()
    version, changes = history(database_url)
    # Every acknowledged save is there, in order; at most the one in flight went further.
    assert changes[: len(acknowledged)] == [str(p) for p in acknowledged]
    assert version in (len(acknowledged), len(acknowledged) + 1) and len(changes) == version


def test_a_backup_taken_while_serving_is_consistent_and_restores(database_url, tmp_path, engine_kind):
    server = Server(database_url, tmp_path / "instance").start()
    stop, acknowledged = threading.Event(), []
    writer = threading.Thread(target=save_stream, args=(f"http://127.0.0.1:{server.port}", stop, acknowledged))
    writer.start()
    env = {**server.env}
    try:
        while len(acknowledged) < 5:
            time.sleep(0.05)
        made = subprocess.run([sys.executable, "-m", "flask", "--app", "webapp", "backup", str(tmp_path / "backups")],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
        assert made.returncode == 0, made.stderr
        while len(acknowledged) < 10:
            time.sleep(0.05)
    finally:
        stop.set()
        writer.join(timeout=15)
        server.stop()
    [file] = list((tmp_path / "backups").iterdir())
    assert file.suffix == (".sqlite3" if engine_kind == "sqlite" else ".dump")
    live_version, _ = history(database_url)
    restored = subprocess.run([sys.executable, "-m", "flask", "--app", "webapp", "restore", str(file), "--yes"],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert restored.returncode == 0, restored.stderr
    version, changes = history(database_url)
    # A snapshot: no torn save (each version has its one change), taken while saves went on.
    assert len(changes) == version and 5 <= version < live_version


def test_restoring_a_broken_file_changes_nothing(database_url, tmp_path, runner):
    broken = tmp_path / "broken.backup"
    broken.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    before = fingerprint(database_url)
    result = runner.invoke(args=["restore", str(broken), "--yes"])
    assert result.exit_code != 0 and ("không phải cơ sở dữ liệu SQLite" in result.output or "pg_restore" in result.output)
    assert fingerprint(database_url) == before


def fingerprint(database_url: str) -> tuple[int, ...]:
    engine = create_engine(database_url)
    with engine.connect() as db:
        counts = tuple(db.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one()
                       for table in ("task", "unit", "user", "assignment"))
    engine.dispose()
    return counts
