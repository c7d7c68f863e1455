"""Extensions, created here and bound to the app in the factory."""

from flask import Flask, g
from flask_htmx import HTMX
from flask_login import LoginManager
from flask_wtf import CSRFProtect
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

htmx = HTMX()
csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Vui lòng đăng nhập để tiếp tục."
login_manager.login_message_category = "info"


def make_engine(url: str, sqlite_busy_timeout: float = 15.0, sqlite_synchronous: str = "NORMAL") -> Engine:
    """An engine for the URL; SQLite gets WAL, foreign keys and a busy timeout."""
    if url.startswith("sqlite"):
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
            # so that concurrent writers wait in the busy timeout instead of failing.
            connection.exec_driver_sql(f"BEGIN {connection.get_execution_options().get('sqlite_begin', '')}")

        return engine
    return create_engine(url, pool_pre_ping=True)


def lock_for_write(session: Session) -> None:
    """Start the session's next transaction as a writer (BEGIN IMMEDIATE on SQLite).

    A transaction that reads and then writes would otherwise take the write lock only at
    its first write, and SQLite fails such an upgrade at once when another writer holds
    the lock. Ends the current (read) transaction first.
    """
    session.commit()
    session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})


class Database:
    """One engine per app; one session per request, closed when the request ends."""

    def init_app(self, app: Flask) -> None:
        app.extensions["database"] = make_engine(
            app.config["DATABASE_URL"], app.config["SQLITE_BUSY_TIMEOUT"], app.config["SQLITE_SYNCHRONOUS"]
        )
        app.teardown_appcontext(self._close_session)

    @staticmethod
    def engine(app: Flask | None = None) -> Engine:
        from flask import current_app

        return (app or current_app).extensions["database"]

    def session(self) -> Session:
        if "db_session" not in g:
            g.db_session = Session(self.engine(), expire_on_commit=False)
        return g.db_session

    @staticmethod
    def _close_session(_exc) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.close()


db = Database()
