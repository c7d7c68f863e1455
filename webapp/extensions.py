"""Extensions, created here and bound to the app in the factory."""

from flask import Flask, current_app, g, has_request_context, request
from flask_htmx import HTMX
from flask_login import LoginManager
from flask_wtf import CSRFProtect
from sqlalchemy.engine import Engine
from sqlmodel import Session

from .database import make_engine, writer

htmx = HTMX()
csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Vui lòng đăng nhập để tiếp tục."
login_manager.login_message_category = "info"


SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


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
        """The request's session. A request that may write (any method but GET, HEAD and
        OPTIONS) takes the write lock with its first statement, so that a save never fails
        because another one committed between its reads and its writes."""
        if "db_session" not in g:
            engine = self.engine()
            if has_request_context() and request.method not in SAFE_METHODS and not _locks_its_own_writes():
                engine = writer(engine)
            g.db_session = Session(engine, expire_on_commit=False)
        return g.db_session

    @staticmethod
    def rollback() -> None:
        """Undo whatever the request's session holds (before an error page renders)."""
        session = g.get("db_session")
        if session is not None:
            session.rollback()

    @staticmethod
    def _close_session(_exc) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.close()


def locks_its_own_writes(view):
    """Marks a view whose every write takes the write lock itself (services that call
    database.lock_for_write, as saving a report does): its reads, the signed-in account's
    included, and the row rendered after the write do not hold the lock that other units'
    saves are waiting for."""
    view.locks_its_own_writes = True
    return view


def _locks_its_own_writes() -> bool:
    view = current_app.view_functions.get(request.endpoint)
    return getattr(view, "locks_its_own_writes", False)


db = Database()
