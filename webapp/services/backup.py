"""Backups taken while the app serves, and putting one back.

SQLite: the online backup API copies a consistent snapshot page by page while writers
carry on. PostgreSQL: pg_dump (a consistent snapshot by its nature) and pg_restore."""

import glob
import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

from . import clock


class BackupError(RuntimeError):
    """A backup or restore that could not be done; the message is in Vietnamese."""


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("Cơ sở dữ liệu SQLite trong bộ nhớ không sao lưu được.")
    return Path(database)


def _libpq_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _tool(name: str) -> str:
    found = shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None)
    if found is None:
        raise BackupError(f"Không tìm thấy {name}: hãy cài gói postgresql-client.")
    return found


def backup(url: str, directory: Path) -> Path:
    """A consistent copy of the database in the directory; returns the file."""
    directory.mkdir(parents=True, exist_ok=True)
    stamp = clock.now().astimezone(clock.LOCAL_TZ).strftime("%Y%m%d-%H%M%S")
    if make_url(url).get_backend_name() == "sqlite":
        target = directory / f"plan-tracker-{stamp}.sqlite3"
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
    target = directory / f"plan-tracker-{stamp}.dump"
    done = subprocess.run([_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={target}",
                           f"--dbname={_libpq_url(url)}"], capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"pg_dump không chạy được: {done.stderr.strip()}")
    return target


def restore(url: str, file: Path) -> None:
    """Put a backup back, replacing what the database holds."""
    if not file.exists():
        raise BackupError(f"Không có tệp sao lưu {file}.")
    if make_url(url).get_backend_name() == "sqlite":
        source = sqlite3.connect(file)
        try:
            intact = source.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        except sqlite3.DatabaseError:
            intact = False
        if not intact:
            source.close()
            raise BackupError("Tệp sao lưu không phải cơ sở dữ liệu SQLite toàn vẹn: không phục hồi.")
        target = sqlite3.connect(_sqlite_path(url), timeout=30)
        try:
            with target:
                source.backup(target)
        finally:
            target.close()
            source.close()
        return
    done = subprocess.run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
                           f"--dbname={_libpq_url(url)}", str(file)], capture_output=True, text=True)
    if done.returncode != 0:
        raise BackupError(f"pg_restore không chạy được: {done.stderr.strip()}")
