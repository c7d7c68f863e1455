"""Real database engines for the tests: SQLite files and a PostgreSQL server of their own.

The PostgreSQL server is started from the installed server binaries in a temporary
directory, on a free loopback port, and stopped when the test session ends. Each test
gets a fresh database copied from a template, so that tests never see each other's data,
and the fixtures drop it when the test ends.

Both live in memory (/dev/shm) where the machine has room there: a session creates
hundreds of databases, and on disk creating each and removing them all at the end were a
good part of the run.
"""

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

INSTALL_HINT = "install the PostgreSQL server with `apt-get install postgresql` (`make test` does this)"
MEMORY = Path("/dev/shm")
MEMORY_NEEDED = 4 * 1024**3  # a whole run peaks near 250 MB; other runs may share the machine


def _scratch_root() -> str | None:
    """Where the databases go: memory when there is room, else the usual temporary directory."""
    if MEMORY.is_dir() and os.access(MEMORY, os.W_OK) and shutil.disk_usage(MEMORY).free >= MEMORY_NEEDED:
        return str(MEMORY)
    return None


def _server_binaries() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if not found:
        pytest.fail(f"PostgreSQL server binaries not found: {INSTALL_HINT}", pytrace=False)
    return Path(found[-1]).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    def __init__(self, root: str | None = None) -> None:
        self.bin = _server_binaries()
        self.dir = Path(tempfile.mkdtemp(prefix="plan-tracker-pg-", dir=root))
        self.port = _free_port()
        self._admin = None
        # The server refuses to run as root: run it as the postgres system user then.
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            try:
                user = pwd.getpwnam("postgres")
            except KeyError:
                pytest.fail(f"running as root and no 'postgres' user exists: {INSTALL_HINT}", pytrace=False)
            os.chown(self.dir, user.pw_uid, user.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]

    def _run(self, *args: str) -> None:
        subprocess.run([*self.as_user, *args], check=True, capture_output=True)

    def start(self) -> "PostgresServer":
        data = self.dir / "data"
        self._run(str(self.bin / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--locale=C.UTF-8")
        # Each new database is written whole to the WAL: a smaller WAL keeps the directory small.
        options = (
            f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.dir} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 "
            "-c max_wal_size=256MB"
        )
        self._run(str(self.bin / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(self.dir / "log"), "-w", "start")
        self._admin = create_engine(self.url(), isolation_level="AUTOCOMMIT")
        return self

    def stop(self) -> None:
        if self._admin is not None:
            self._admin.dispose()
        subprocess.run([*self.as_user, str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "immediate",
                        "stop"], capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def _execute(self, statement: str) -> None:
        with self._admin.connect() as conn:
            conn.execute(text(statement))

    def create_database(self, template: str | None = None) -> str:
        name = f"t_{uuid.uuid4().hex[:12]}"
        self._execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return name

    def drop_database(self, name: str) -> None:
        # FORCE: a connection the test left open must not hold the database (nor the run) up.
        self._execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class Databases:
    """Fresh databases of either engine, empty, with plan 1958 already loaded, or copied."""

    def __init__(self) -> None:
        self.root = _scratch_root()
        self.workdir = Path(tempfile.mkdtemp(prefix="plan-tracker-sqlite-", dir=self.root))
        self._postgres: PostgresServer | None = None
        self._templates: dict[str, str] = {}

    @property
    def postgres(self) -> PostgresServer:
        if self._postgres is None:
            self._postgres = PostgresServer(self.root).start()
        return self._postgres

    def empty(self, engine: str) -> str:
        if engine == "sqlite":
            return f"sqlite:///{self.workdir / f'{uuid.uuid4().hex}.sqlite3'}"
        return self.postgres.url(self.postgres.create_database())

    def with_plan(self, engine: str, load) -> str:
        """A copy of a database in which load(url) ran once for the whole session."""
        if engine not in self._templates:
            url = self.empty(engine)
            load(url)
            self._templates[engine] = url
        return self.copy(self._templates[engine])

    def copy(self, url: str) -> str:
        """A new database with the content of this one (which nothing may be connected to on PostgreSQL)."""
        if url.startswith("sqlite"):
            copy = self.workdir / f"{uuid.uuid4().hex}.sqlite3"
            source = create_engine(url)
            with source.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            source.dispose()
            shutil.copyfile(url.removeprefix("sqlite:///"), copy)
            return f"sqlite:///{copy}"
        return self.postgres.url(self.postgres.create_database(template=url.rsplit("/", 1)[1]))

    def drop(self, url: str) -> None:
        """Remove a database once its test is over (its engines disposed)."""
        if url.startswith("sqlite"):
            path = Path(url.removeprefix("sqlite:///"))
            for name in (path.name, f"{path.name}-wal", f"{path.name}-shm"):
                path.with_name(name).unlink(missing_ok=True)
        else:
            self.postgres.drop_database(url.rsplit("/", 1)[1])

    def close(self) -> None:
        if self._postgres is not None:
            self._postgres.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)
