"""Hardening (OWASP ASVS level 2 where it applies): security headers, cookies that are
Secure over HTTPS, sessions that expire, an audit log, and the proxy's view of the client."""

import logging
import re
from datetime import timedelta

from flask import Flask, abort, flash, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user, logout_user
from werkzeug.exceptions import Forbidden
from werkzeug.middleware.proxy_fix import ProxyFix

from .extensions import db, login_manager
from .rendering import error_page
from .services import audit as audit_log
from .services import clock

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",  # no inline script, no eval (htmx runs with allowEval off)
    "style-src 'self'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "object-src 'none'",
])


class SessionOverHttps(SecureCookieSessionInterface):
    """The session cookie is Secure whenever the request came over HTTPS (or the setting says so)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"] or (request and request.is_secure))


def client_address() -> str:
    return request.remote_addr or ""


def audit(event: str, detail: str = "", *, username: str | None = None, user_id: int | None = None) -> None:
    """Record a security event for the current request."""
    if username is None and current_user and current_user.is_authenticated:
        username, user_id = current_user.username, current_user.id
    audit_log.record(db.session(), event, user_id=user_id, username=username or "", address=client_address(),
                     detail=detail)


SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}
HSTS = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
LAST_RESORT_PAGE = (
    "<!doctype html><html lang=\"vi\"><meta charset=\"utf-8\"><title>Lỗi hệ thống</title>"
    "<h1>Lỗi hệ thống</h1><p>Đã có lỗi khi xử lý yêu cầu. Vui lòng thử lại; nếu lỗi còn, hãy báo quản trị "
    "hệ thống.</p></html>"
).encode()


class SecurityHeaders:
    """WSGI middleware: every response carries the security headers (a response may set its
    own, such as a stricter policy for a download), even an error page the app could not
    render, which this layer answers itself."""

    def __init__(self, wsgi_app, propagate_errors):
        self.wsgi_app = wsgi_app
        self.propagate_errors = propagate_errors  # tests want the exception itself

    def __call__(self, environ, start_response):
        started = []

        def start_with_headers(status, headers, exc_info=None):
            present = {name.lower() for name, _ in headers}
            # Read now, after a trusted proxy's X-Forwarded-Proto has been applied to environ.
            secure = environ.get("wsgi.url_scheme") == "https"
            wanted = [*SECURITY_HEADERS.items(), *([HSTS] if secure else [])]
            headers = headers + [(name, value) for name, value in wanted if name.lower() not in present]
            started.append(True)
            return start_response(status, headers, exc_info)

        try:
            return self.wsgi_app(environ, start_with_headers)
        except Exception:
            if started or self.propagate_errors():
                raise
            logging.getLogger(__name__).exception("error page could not be rendered")
            start_with_headers("500 INTERNAL SERVER ERROR", [("Content-Type", "text/html; charset=utf-8"),
                                                             ("Content-Length", str(len(LAST_RESORT_PAGE)))])
            return [LAST_RESORT_PAGE]


def _private_pages(response):
    if current_user and current_user.is_authenticated and response.mimetype == "text/html":
        response.headers["Cache-Control"] = "no-store"  # pages of a signed-in user stay out of shared caches
    return response


# The last activity is written into the session at most once a minute, so that most answers
# carry no new cookie (an idle session may then end up to a minute early).
SEEN_EVERY = 60


def _expire_sessions():
    """Idle too long, or signed in too long ago: the session ends."""
    if not current_user or not current_user.is_authenticated:
        return None
    from flask import current_app

    now = clock.now().timestamp()
    idle = current_app.config["SESSION_IDLE_MINUTES"] * 60
    longest = current_app.config["SESSION_MAX_HOURS"] * 3600
    started, seen = session.get("login_at", 0), session.get("seen_at", 0)
    if now - seen > idle or now - started > longest:
        audit("logout", "phiên hết hạn")
        logout_user()
        session.clear()
        flash("Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại.", "info")
        return login_manager.unauthorized()
    if now - seen >= SEEN_EVERY:
        session["seen_at"] = now
    return None


def start_session() -> None:
    """At login: a new session, stamped for expiry."""
    session.clear()
    session.permanent = True
    session["login_at"] = session["seen_at"] = clock.now().timestamp()


# C0 control characters but TAB, LF and CR, and DEL: never typed by a person; a NUL cannot
# even be stored by PostgreSQL.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _refuse_control_characters():
    """Every text a request carries (query, form, file names) is refused whole, with a
    message, when it holds a control character: nothing of it is stored or searched."""
    texts = [*request.args.items(multi=True), *request.form.items(multi=True),
             *((name, upload.filename or "") for name, upload in request.files.items(multi=True))]
    for name, value in texts:
        if _CONTROL.search(name) or _CONTROL.search(value):
            abort(400, description=f"Dữ liệu gửi lên có ký tự điều khiển không hợp lệ (chẳng hạn ký tự NUL) ở ô "
                                   f"«{_CONTROL.sub('', name)}»: hãy xóa ký tự đó rồi gửi lại.")


def _refused(error: Forbidden):
    db.rollback()  # nothing of a refused request is kept but its audit row
    audit("permission_refused", f"{request.method} {request.path}")
    return error_page(error)


def _propagates_errors(app: Flask) -> bool:
    """As Flask decides it: exceptions reach the caller under test and in debug mode."""
    configured = app.config["PROPAGATE_EXCEPTIONS"]
    return configured if configured is not None else app.testing or app.debug


def init_app(app: Flask) -> None:
    app.session_interface = SessionOverHttps()
    app.permanent_session_lifetime = timedelta(hours=app.config["SESSION_MAX_HOURS"])
    # The cookie lasts from the login for SESSION_MAX_HOURS; it is sent again only when changed.
    app.config["SESSION_REFRESH_EACH_REQUEST"] = False
    if app.config["TRUSTED_PROXIES"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["TRUSTED_PROXIES"],
                                x_proto=app.config["TRUSTED_PROXIES"], x_host=app.config["TRUSTED_PROXIES"])
    app.wsgi_app = SecurityHeaders(app.wsgi_app, lambda: _propagates_errors(app))
    app.before_request(_refuse_control_characters)
    app.before_request(_expire_sessions)
    app.after_request(_private_pages)
    app.register_error_handler(Forbidden, _refused)
