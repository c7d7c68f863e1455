"""The database engines: SQLite tuned for a web app (WAL, foreign keys, a busy timeout, a
file only its owner reads) or PostgreSQL, and transactions that take the write lock up
front. Plain SQLAlchemy, used by the app, its commands and the services alike."""

import re
import sqlite3
from pathlib import Path

from sqlalchemy import bindparam, event, inspect
from sqlalchemy.engine import Engine, Result, make_url
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, create_engine, select

from .models import DataStamp
from .services.private_files import private_dir, private_file, restrict_existing


def make_engine(url: str, sqlite_busy_timeout: float = 15.0, sqlite_synchronous: str = "NORMAL") -> Engine:
    """An engine for the URL; SQLite gets WAL, foreign keys, a busy timeout and a file only
    its owner reads (SQLite gives the WAL and shared-memory files the same mode)."""
    if url.startswith("sqlite"):
        _private_sqlite_file(url)
        engine = create_engine(url, connect_args={"timeout": sqlite_busy_timeout, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):
            # Let SQLAlchemy, not the driver, open transactions, so that BEGIN IMMEDIATE works.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            # In WAL mode NORMAL never corrupts the file and keeps every commit through a
            # crash of the app; FULL also keeps the last commits through a power loss.
            cursor.execute(f"PRAGMA synchronous={sqlite_synchronous}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={int(sqlite_busy_timeout * 1000)}")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection):
            # A transaction that will write asks for the lock at BEGIN (see lock_for_write),
            # so that concurrent writers wait in the busy timeout instead of failing. Sent on
            # the driver's connection: every request begins twice, and a statement through
            # SQLAlchemy costs several times more; a lock not had within the timeout is still
            # SQLAlchemy's OperationalError, as from any statement.
            begin = f"BEGIN {connection.get_execution_options().get('sqlite_begin', '')}"
            try:
                connection.connection.driver_connection.execute(begin)
            except sqlite3.OperationalError as exc:
                raise OperationalError(begin, None, exc) from exc
    else:
        engine = create_engine(url, pool_pre_ping=True)
    stamp_writes(engine)
    return engine


_WRITES = re.compile(r'\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE|DELETE\s+FROM|REPLACE\s+INTO)\s+"?(\w+)', re.IGNORECASE)
# The trail of who did what (the audit log, failed logins): every login writes it and no kept
# page shows it, so it leaves the stamp as it is (else each login renewed every kept page).
UNSTAMPED_TABLES = {"auditevent", "loginthrottle"}
_STAMP_TABLE_PRESENT = {
    "sqlite": "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'datastamp'",
    "postgresql": "SELECT count(*) FROM pg_tables WHERE tablename = 'datastamp' AND schemaname = current_schema()",
}


def stamp_writes(engine: Engine) -> None:
    """Every transaction that writes, through any session, command or service on this
    engine (the audit trail aside: UNSTAMPED_TABLES), moves the data stamp on in the same
    transaction, just before it commits: a reader that sees the new stamp sees the change,
    and a part of a page cached under the old stamp (fragment_cache.cached_part) is never
    served again, in any process or app server. Written with the connection's own cursor, so
    the update is not itself noted as a write. A database older than the stamp (a migration
    under way) is left as it is."""
    present = {"known": False}

    @event.listens_for(engine, "before_cursor_execute")
    def _note_write(connection, _cursor, statement, _parameters, _context, _executemany):
        write = _WRITES.match(statement)
        if write and write.group(1).lower() not in UNSTAMPED_TABLES:
            connection.info["wrote"] = True

    @event.listens_for(engine, "commit")
    def _stamp(connection):
        if not connection.info.pop("wrote", False):
            return
        cursor = connection.connection.dbapi_connection.cursor()
        try:
            if not present["known"]:
                cursor.execute(_STAMP_TABLE_PRESENT[connection.dialect.name])
                present["known"] = cursor.fetchone()[0] == 1
            if present["known"]:
                cursor.execute("UPDATE datastamp SET version = version + 1")
        finally:
            cursor.close()

    @event.listens_for(engine, "rollback")
    def _forget(connection):
        connection.info.pop("wrote", None)


class PreparedRead:
    """A read of rows built once, at import, for every unit's rows and for one unit's
    (`unit_id`): a statement built once keeps its SQL and cache key, which rebuilding for each
    request would cost again (about half of what a small read costs). Lists go in expanding
    parameters (`bindparam(..., expanding=True)`)."""

    def __init__(self, statement, unit_column):
        self.every_unit = statement
        self.one_unit = statement.where(unit_column == bindparam("unit_id"))

    def of(self, unit_id: int | None):
        return self.every_unit if unit_id is None else self.one_unit


def shown_rows(session: Session, statement, params: dict) -> Result:
    """A read's rows as named tuples (`row.state`, `row.new_due_on`), for what a page only
    shows: run on the session's connection, with no model objects made or tracked, it costs
    about half of the same read through the ORM."""
    return session.connection().execute(statement, params)


_BY_ID: dict[type, tuple] = {}


def by_id(session: Session, model: type, ident: int):
    """session.get(model, ident) at half the cost: the object the session holds already, else
    a read built once for the model (session.get builds its statement anew each time)."""
    if model not in _BY_ID:
        _BY_ID[model] = (inspect(model), select(model).where(model.id == bindparam("id")))
    mapper, statement = _BY_ID[model]
    held = session.identity_map.get(mapper.identity_key_from_primary_key((ident,)))
    return held if held is not None else session.exec(statement, params={"id": ident}).first()


def data_stamp(session: Session) -> int:
    """The version of everything the database holds: it moves on with every committed write."""
    return session.execute(_DATA_STAMP).scalar_one()


_DATA_STAMP = select(DataStamp.version)  # read for every kept page: built once
# The same read as a column of another: the account's, which every signed-in request makes
# first, so that a kept page costs that one statement.
STAMP_COLUMN = _DATA_STAMP.scalar_subquery()


def _private_sqlite_file(url: str) -> None:
    database = make_url(url).database
    if not database or database == ":memory:":
        return
    path = Path(database)
    if not path.parent.exists():
        private_dir(path.parent)
    private_file(path)
    for suffix in ("-wal", "-shm"):
        restrict_existing(path.with_name(path.name + suffix))


def writer(engine: Engine) -> Engine:
    """The engine whose every transaction takes the write lock at BEGIN (BEGIN IMMEDIATE on
    SQLite; nothing changes on PostgreSQL), for work that reads and then writes."""
    return engine.execution_options(sqlite_begin="IMMEDIATE")


# The one advisory lock PostgreSQL's writers take in turn (any number the app uses for nothing else).
WRITE_LOCK = 1958


def lock_for_write(session: Session) -> None:
    """Start the session's next transaction as a writer: BEGIN IMMEDIATE on SQLite, a
    transaction-level advisory lock on PostgreSQL, so that writers take turns on both.

    A transaction that reads and then writes would otherwise take the write lock only at
    its first write, and SQLite fails such an upgrade at once when another writer holds
    the lock. On PostgreSQL, taking turns also commits the report history in the order of
    its ids, which the caches read changes by (services.rows.data_version, the live
    standing): without it, a change given a lower id could commit after one given a
    higher id and be missed.

    On SQLite the current (read) transaction ends first. On PostgreSQL the lock is taken
    within it: each statement after the lock sees every commit made before it (read
    committed), and the request keeps one connection instead of taking a second one.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.connection().exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")
        return
    session.commit()
    session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
