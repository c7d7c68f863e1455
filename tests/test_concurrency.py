"""Under gunicorn with its production settings, everything at once: four units saving, a
reviewer downloading the official reports, a unit knocking on pages it may not see (each
refusal is audited), indicator figures saved and the API read. Not one answer is a 500."""

import threading
import time
from collections import Counter

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

from webapp.models import Assignment, Indicator, Plan, Role, Task, Unit, User
from webapp.services import api_tokens

from .live import Browser, Server

SAVERS = ("stttt", "skhdt", "stc", "snv")
SECONDS = 5


def _lead_row(session: Session, unit_code: str) -> str:
    return session.exec(select(Task.ref).join(Assignment, Assignment.task_id == Task.id).join(Unit)
                        .where(Unit.code == unit_code, Assignment.role == Role.LEAD).order_by(Task.position)).first()[0]


def _prepare(database_url: str) -> dict:
    engine = create_engine(database_url)
    with Session(engine) as session:
        rows = {code: _lead_row(session, code) for code in SAVERS}
        reviewer = session.exec(select(User).where(User.username == "snv-ra-soat")).one()[0]
        token = api_tokens.issue(session, user=reviewer, name="kiểm tra tải")
        plan = session.exec(select(Plan)).one()[0]
        task = session.exec(select(Task).where(Task.ref == "A.II.3")).one()[0]
        indicator = session.exec(select(Indicator.id).where(Indicator.task_id == task.id)).first()[0]
    engine.dispose()
    return {"rows": rows, "token": token, "plan": plan.code, "indicator": indicator}


def test_no_500_while_units_save_and_others_read_audited_pages(database_url, tmp_path):
    setup = _prepare(database_url)
    server = Server(database_url, tmp_path / "instance").start()
    base = f"http://127.0.0.1:{server.port}"
    answers: Counter = Counter()
    kinds: Counter = Counter()  # requests answered, by kind of client
    failures: list[str] = []
    stop = threading.Event()

    def note(who: str, status: int, allowed: tuple[int, ...]) -> None:
        answers[status] += 1
        kinds[who.split()[0]] += 1
        if status not in allowed:
            failures.append(f"{who}: {status}")

    def saver(unit: str) -> None:
        browser = Browser(base)
        token = browser.log_in(unit)
        ref, version, n = setup["rows"][unit], 0, 0
        while not stop.is_set():
            n += 1
            status, body = browser.request(f"/tasks/{ref}/units/{unit}", {
                "version": str(version), "view": "unit", "status": "in_progress", "percent": str(n % 99 + 1),
                "result": f"Lần lưu {n}", "evidence_number": "", "evidence_date": "", "difficulties": "",
                "proposals": "", "contribution_note": ""}, headers={"HX-Request": "true", "X-CSRFToken": token})
            note(f"save {unit}", status, (200,))
            if status == 200 and "report-form" not in body:
                version += 1

    def reviewer() -> None:
        browser = Browser(base)
        browser.log_in("snv-ra-soat")
        while not stop.is_set():
            for path in ("/exports/report.xlsx", "/exports/reports.csv", "/exports/report.docx"):
                status, _ = browser.fetch(path)
                note(f"download {path}", status, (200,))

    def intruder() -> None:
        browser = Browser(base)
        browser.log_in("sct")
        while not stop.is_set():
            for path in ("/review", "/admin/users", "/tasks/B.8.1/units/stttt/edit", "/exports/report.xlsx"):
                status, _ = browser.fetch(path)
                note(f"refused {path}", status, (403, 404))

    def indicator_figures() -> None:
        browser = Browser(base)
        token = browser.log_in("stttt")
        n = 0
        while not stop.is_set():
            n += 1
            status, _ = browser.request(f"/indicators/{setup['indicator']}/value",
                                        {"value": str(n % 90), "source": "Hệ thống một cửa điện tử"},
                                        headers={"HX-Request": "true", "X-CSRFToken": token})
            note("indicator", status, (200,))

    def api() -> None:
        browser = Browser(base)
        header = {"Authorization": f"Bearer {setup['token']}"}
        while not stop.is_set():
            for path in (f"/api/v1/plans/{setup['plan']}/tasks", f"/api/v1/plans/{setup['plan']}/indicators"):
                status, _ = browser.fetch(path, headers=header)
                note(f"api {path}", status, (200,))

    try:
        reviewer_browser = Browser(base)
        reviewer_browser.log_in("snv-ra-soat")
        token = reviewer_browser.log_in("snv-ra-soat")
        status, _ = reviewer_browser.request("/review/periods", {
            "csrf_token": token, "kind": "quarter", "label": "Quý IV/2026", "starts_on": "01/10/2026",
            "ends_on": "31/12/2026", "deadline": "05/01/2027"})
        assert status == 200
        workers = [threading.Thread(target=saver, args=(unit,)) for unit in SAVERS]
        workers += [threading.Thread(target=target) for target in (reviewer, intruder, indicator_figures, api)]
        for worker in workers:
            worker.start()
        time.sleep(SECONDS)
        stop.set()
        for worker in workers:
            worker.join(timeout=60)
    finally:
        stop.set()
        server.stop()
    # Every kind of client got answers while the others wrote (how many depends on the machine).
    assert set(kinds) == {"save", "download", "refused", "indicator", "api"} and min(kinds.values()) >= 3, kinds
    assert answers[500] == 0 and not failures, (answers, failures[:20])


def test_writers_take_turns_so_the_history_commits_in_the_order_of_its_ids(database_url):
    """A second writer waits for the first on either engine (BEGIN IMMEDIATE on SQLite, an
    advisory lock on PostgreSQL): a change given a higher id can never be committed, and
    read by a cache, before one given a lower id."""
    from webapp.database import lock_for_write, make_engine
    from webapp.models import Report, ReportChange

    engine = make_engine(database_url, sqlite_busy_timeout=5)
    order = []
    try:
        with Session(engine) as first, Session(engine) as second:
            task_id, unit_id = first.exec(select(Assignment.task_id, Assignment.unit_id)).first()
            report = Report(task_id=task_id, unit_id=unit_id)
            first.add(report)
            first.commit()
            report_id = report.id
            lock_for_write(first)
            first.add(ReportChange(report_id=report_id, field="result", old_value="", new_value="first"))
            first.flush()

            def second_writer():
                lock_for_write(second)  # waits here until the first commits
                second.add(ReportChange(report_id=report_id, field="result", old_value="", new_value="second"))
                second.flush()
                order.append("second flushed")
                second.commit()

            waiting = threading.Thread(target=second_writer)
            waiting.start()
            time.sleep(0.5)
            assert order == []  # still waiting for the first writer's turn
            order.append("first committed")
            first.commit()
            waiting.join(timeout=10)
            assert order == ["first committed", "second flushed"]
        with Session(engine) as session:
            written = session.exec(select(ReportChange.id, ReportChange.new_value)
                                   .where(ReportChange.new_value.in_(["first", "second"]))
                                   .order_by(ReportChange.id)).all()
            assert [value for _, value in written] == ["first", "second"]
    finally:
        engine.dispose()


def test_a_writer_that_cannot_have_the_lock_in_time_gets_the_error_the_app_catches(tmp_path):
    """On SQLite the lock is asked at BEGIN, below SQLAlchemy's statements: a lock not had
    within the busy timeout is still SQLAlchemy's OperationalError, which the audit and the
    API's note of last use catch (they give up quietly rather than fail the request)."""
    from webapp.database import lock_for_write, make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'locked.sqlite3'}", sqlite_busy_timeout=0.2)
    try:
        with Session(engine) as holder, Session(engine) as waiter:
            holder.execute(text("CREATE TABLE t (x INTEGER)"))
            holder.commit()
            lock_for_write(holder)
            holder.execute(text("INSERT INTO t VALUES (1)"))
            with pytest.raises(OperationalError, match="database is locked"):
                lock_for_write(waiter)
            holder.commit()
            lock_for_write(waiter)  # the lock is free again: the same session writes
            waiter.execute(text("INSERT INTO t VALUES (2)"))
            waiter.commit()
            assert waiter.execute(text("SELECT count(*) FROM t")).scalar_one() == 2
    finally:
        engine.dispose()
