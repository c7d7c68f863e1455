"""Logging in and out, and who the current user is to every request."""

from flask import Flask, flash, g, render_template, request, session, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import bindparam
from sqlmodel import select
from werkzeug.local import LocalProxy

from .. import permissions
from ..database import STAMP_COLUMN, by_id
from ..extensions import db, login_manager
from ..fragment_cache import note_data_stamp
from ..models import Plan, Unit, User
from ..plan_scope import keep_users_plan
from ..rendering import redirect_for_client
from ..services.plans import followed_plans
from .routes import bp

__all__ = ["bp", "init_app"]


# Read for every request: built once (see database.PreparedRead); the session is new,
# so nothing is lost by not asking it first (session.get). The account's chosen plan and the
# data stamp come with it: nearly every page is about that plan, and a kept page needs no
# other read.
USER_BY_ID = (select(User, Plan, STAMP_COLUMN).outerjoin(Plan, Plan.id == User.plan_id)
              .where(User.id == bindparam("id")))


@login_manager.user_loader
def _load_user(user_id: str) -> User | None:
    """The session names the user and its session token; a changed token ends the session."""
    identifier, _, token = user_id.partition(":")
    if not identifier.isdigit():
        return None
    found = db.session().exec(USER_BY_ID, params={"id": int(identifier)}).first()
    if found is None:
        return None
    user, plan, stamp = found
    if not user.active or not token or token != user.session_token:
        return None
    if plan is not None:
        keep_users_plan(plan)
    note_data_stamp(stamp)
    return user


@login_manager.unauthorized_handler
def _ask_to_log_in():
    if not session.get("_flashes"):  # else a message already says why (the session expired): one is enough
        flash(login_manager.login_message, "info")
    # An HTMX request must not paste the login page into a table row.
    return redirect_for_client(url_for("auth.login", next=_return_path()))


def _return_path() -> str:
    """Where to come back after logging in: the page, not the fragment that was asked for."""
    if request.headers.get("HX-Request") and request.headers.get("HX-Current-URL"):
        from urllib.parse import urlsplit

        parts = urlsplit(request.headers["HX-Current-URL"])
        return parts.path + (f"?{parts.query}" if parts.query else "")
    return request.full_path.rstrip("?")


def _csrf_expired(error: CSRFError):
    """A form posted with a missing or stale token: say so, and let the user try again."""
    message = "Phiên làm việc đã hết hạn hoặc biểu mẫu đã cũ. Vui lòng tải lại trang và thử lại."
    if not current_user.is_authenticated:
        flash("Phiên đăng nhập đã hết hạn nên thao tác vừa rồi chưa được thực hiện (chưa lưu, chưa gửi). Vui lòng đăng nhập lại.", "warning")
        return redirect_for_client(url_for("auth.login", next=_return_path()))
    if request.headers.get("HX-Request"):
        # Signed in again meanwhile (another tab, after an expiry): the page is loaded again with
        # a fresh token, and a row's form typed in comes back with its text (static/app.js keeps it).
        if request.endpoint != "tasks.update_report":
            flash("Biểu mẫu đã cũ (phiên làm việc đã đổi) nên thao tác vừa rồi chưa được thực hiện: trang đã được "
                  "tải lại, hãy làm lại.", "warning")
        return redirect_for_client(_return_path())
    return render_template("error.html", title="Chưa lưu được", message=message), 400


def _navigation():
    """What the current user may reach, decided by the policy, for the base layout: read from
    the database only when the template shows it (once), so that a row or a list swapped in
    place by htmx does not pay for it."""
    known = {}

    def reachable() -> dict | None:
        if "nav" not in known:
            known["nav"] = _reachable() if current_user.is_authenticated else None
        return known["nav"]

    return {"nav": LocalProxy(reachable)}


def _reachable() -> dict:
    unit = by_id(db.session(), Unit, current_user.unit_id) if current_user.unit_id else None
    shown = g.get("plan") or g.get("plan_asked")
    return {
        "my_rows": permissions.has_unit_home(current_user),
        "overview": permissions.can_see_overview(current_user),
        "dashboard": permissions.can_see_dashboard(current_user),
        "review": permissions.can_follow_units(current_user),
        "admin": permissions.can_administer(current_user),
        "plans": followed_plans(db.session()),
        # The plan this page is about (resolved, or asked for by ?plan= on a list of plans); else the user's own.
        "plan_id": shown.id if shown else current_user.plan_id,
        "unit": unit,
    }


def _password_change_first():
    """After an administrator's reset, nothing but a new password (and logging out)."""
    if (current_user.is_authenticated and current_user.must_change_password
            and request.endpoint not in ("auth.password", "auth.login", "auth.logout", "static", "healthz")):
        return redirect_for_client(url_for("auth.password"))  # whose page says why
    return None


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, _csrf_expired)
    app.context_processor(_navigation)
    app.before_request(_password_change_first)

