"""Hardening (OWASP ASVS level 2 where it applies): security headers, cookies that are
Secure over HTTPS, sessions that expire, an audit log, and the proxy's view of the client."""

from datetime import timedelta

from flask import Flask, flash, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user, logout_user
from werkzeug.exceptions import Forbidden
from werkzeug.middleware.proxy_fix import ProxyFix

from .extensions import db, login_manager
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


def _headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    if current_user and current_user.is_authenticated and response.mimetype == "text/html":
        headers["Cache-Control"] = "no-store"  # pages of a signed-in user stay out of shared caches
    return response


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
    session["seen_at"] = now
    return None


def start_session() -> None:
    """At login: a new session, stamped for expiry."""
    session.clear()
    session.permanent = True
    session["login_at"] = session["seen_at"] = clock.now().timestamp()


def _refused(error: Forbidden):
    audit("permission_refused", f"{request.method} {request.path}")
    from .rendering import _error_page

    return _error_page(error)


def init_app(app: Flask) -> None:
    app.session_interface = SessionOverHttps()
    app.permanent_session_lifetime = timedelta(hours=app.config["SESSION_MAX_HOURS"])
    if app.config["TRUSTED_PROXIES"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["TRUSTED_PROXIES"],
                                x_proto=app.config["TRUSTED_PROXIES"], x_host=app.config["TRUSTED_PROXIES"])
    app.before_request(_expire_sessions)
    app.after_request(_headers)
    app.register_error_handler(Forbidden, _refused)
