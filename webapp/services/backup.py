"""Backups taken while the app serves, and putting one back.

SQLite: the online backup API copies a consistent snapshot page by page while writers
carry on. PostgreSQL: pg_dump (a consistent snapshot by its nature) and pg_restore.

A restore takes only a backup of this app: a file holding its schema (a revision the
migrations know, the tables they create) and at least one plan. Anything else is refused
before the live database is touched, and the live database is copied aside first."""

import glob
import re
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

from ..schema import known_revisions
from . import clock
from .private_files import private_dir, private_file

# Tables every revision of the schema has: a file without them is no backup of this app.
CORE_TABLES = ("alembic_version", "plan", "section", "task", "unit", "assignment", "report", "user")


class BackupError(RuntimeError):
    """A backup or restore that could not be done; the message is in Vietnamese."""


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("Cơ sở dữ liệu SQLite trong bộ nhớ không sao lưu được.")
    return Path(database)


def _is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _libpq_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _tool(name: str) -> str:
    found = shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None)
    if found is None:
        raise BackupError(f"Không tìm thấy {name}: hãy cài gói postgresql-client.")
    return found


def backup(url: str, directory: Path, name: str = "plan-tracker") -> Path:
    """A consistent copy of the database in the directory, readable by the owner only; returns the file."""
    private_dir(directory)
    stamp = clock.now().astimezone(clock.LOCAL_TZ).strftime("%Y%m%d-%H%M%S-%f")
    if _is_sqlite(url):
        target = private_file(directory / f"{name}-{stamp}.sqlite3")
        source = sqlite3.connect(_sqlite_path(url), timeout=30)
        copy = sqlite3.connect(target)
        try:
            with copy:
                source.backup(copy)  # online: other connections keep reading and writing
            if copy.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError("Bản sao lưu không toàn vẹn.")
        finally:
            copy.close()
            source.close()
        return target
    target = private_file(directory / f"{name}-{stamp}.dump")
    done = subprocess.run([_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={target}",
                           f"--dbname={_libpq_url(url)}"], capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"pg_dump không chạy được: {done.stderr.strip()}")
    return target


def check_backup(url: str, file: Path) -> None:
    """Refuse, with the reason, a file that is not a backup of this app holding a plan."""
    if not file.exists():
        raise BackupError(f"Không có tệp sao lưu {file}.")
    if file.stat().st_size == 0:
        raise BackupError(f"Tệp {file} trống: không phải bản sao lưu.")
    tables, revision, plans = _sqlite_contents(file) if _is_sqlite(url) else _dump_contents(file)
    missing = [t for t in CORE_TABLES if t not in tables]
    if missing:
        raise BackupError(f"Tệp {file} không phải bản sao lưu của ứng dụng này (thiếu bảng {', '.join(missing)}): "
                          "không phục hồi.")
    if revision not in known_revisions():
        raise BackupError(f"Tệp {file} mang phiên bản cấu trúc «{revision or 'không rõ'}» mà ứng dụng không biết: "
                          "không phục hồi.")
    if plans < 1:
        raise BackupError(f"Tệp {file} không có kế hoạch nào: phục hồi nó sẽ làm trống dữ liệu, nên không phục hồi.")


def _read_only(file: Path) -> sqlite3.Connection:
    return sqlite3.connect(file.resolve().as_uri() + "?mode=ro", uri=True)


def _sqlite_contents(file: Path) -> tuple[set[str], str | None, int]:
    try:
        db = _read_only(file)
    except sqlite3.Error as exc:
        raise BackupError(f"Không mở được {file}: {exc}") from None
    try:
        if db.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError("Tệp sao lưu không phải cơ sở dữ liệu SQLite toàn vẹn: không phục hồi.")
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        revision = db.execute("SELECT version_num FROM alembic_version").fetchone() if "alembic_version" in tables \
            else None
        plans = db.execute("SELECT count(*) FROM plan").fetchone()[0] if "plan" in tables else 0
    except sqlite3.DatabaseError:
        raise BackupError("Tệp sao lưu không phải cơ sở dữ liệu SQLite toàn vẹn: không phục hồi.") from None
    finally:
        db.close()
    return tables, revision[0] if revision else None, plans


def _dump_contents(file: Path) -> tuple[set[str], str | None, int]:
    listed = subprocess.run([_tool("pg_restore"), "--list", str(file)], capture_output=True, text=True)
    if listed.returncode != 0:
        raise BackupError(f"Tệp {file} không phải bản sao lưu PostgreSQL (pg_restore không đọc được: "
                          f"{listed.stderr.strip()}): không phục hồi.")
    tables = set(re.findall(r"^\d+; \d+ \d+ TABLE (?:\S+) (\S+) ", listed.stdout, flags=re.MULTILINE))
    tables = {t.strip('"') for t in tables}
    revisions = _dump_rows(file, "alembic_version") if "alembic_version" in tables else []
    plans = len(_dump_rows(file, "plan")) if "plan" in tables else 0
    return tables, revisions[0].split("\t")[0] if revisions else None, plans


def _dump_rows(file: Path, table: str) -> list[str]:
    """The data lines of one table of a dump (COPY format), without touching any database."""
    done = subprocess.run([_tool("pg_restore"), "--data-only", f"--table={table}", "--file=-", str(file)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"pg_restore không đọc được bảng {table} của {file}: {done.stderr.strip()}")
    rows, copying = [], False
    for line in done.stdout.splitlines():
        if line.startswith("COPY "):
            copying = True
        elif copying and line == "\\.":
            copying = False
        elif copying:
            rows.append(line)
    return rows


def restore(url: str, file: Path, aside: Path) -> Path:
    """Put a backup of this app back, replacing what the database holds, after copying the
    live database into the folder aside. Returns that copy."""
    check_backup(url, file)
    kept = backup(url, aside, name="before-restore")
    if _is_sqlite(url):
        source = _read_only(file)
        target = sqlite3.connect(_sqlite_path(url), timeout=30)
        try:
            with target:
                source.backup(target)
        finally:
            target.close()
            source.close()
        return kept
    done = subprocess.run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
                           f"--dbname={_libpq_url(url)}", str(file)], capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"pg_restore không chạy được: {done.stderr.strip()} (dữ liệu trước đó vẫn ở {kept})")
    return kept
