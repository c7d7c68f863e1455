"""Extensions, created here and bound to the app in the factory."""

from flask import Flask, g, has_request_context, request
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
            if has_request_context() and request.method not in SAFE_METHODS:
                engine = writer(engine)
            g.db_session = Session(engine, expire_on_commit=False)
        return g.db_session

    def lock_only_when_asked(self) -> None:
        """For a request whose every write takes the lock itself (services that call
        database.lock_for_write, as saving a report does): its reads, before and after the
        write, no longer hold the write lock that other units' saves are waiting for."""
        session = self.session()
        session.commit()  # ends the transaction the request began as a writer: nothing is written yet
        session.bind = self.engine()

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


db = Database()
