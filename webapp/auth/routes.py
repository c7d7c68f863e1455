import secrets
from urllib.parse import unquote, urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user

from ..database import lock_for_write
from ..extensions import db
from ..forms import EmptyForm
from ..security import audit, client_address, start_session
from ..services import throttle
from ..services.accounts import AccountError, authenticate, change_password
from ..services.plans import pin_plan
from .forms import LoginForm, PasswordForm

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str | None:
    """Only a path of this site, never another host: no control character or whitespace (a
    browser drops a TAB, so that «/TAB/evil.example» would lead to «//evil.example»), no
    backslash, one leading slash, and no scheme or host once parsed."""
    if not target or not target.startswith("/"):
        return None
    # The path decoded once more must still be a plain path (the query may hold encoded spaces).
    for form in (target, unquote(target.partition("?")[0])):
        if form.startswith("//") or any(c.isspace() or not c.isprintable() or c == "\\" for c in form):
            return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//"):
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    error, status = None, 200
    if form.validate_on_submit():
        session_, username = db.session(), form.username.data.strip()
        lock_for_write(session_)  # counting failures: one login at a time holds the count
        wait = throttle.locked_for(session_, username, client_address())
        if wait is not None:
            # Said alike for every username typed: it tells nothing of which accounts exist.
            error, status = (f"Đăng nhập tạm thời bị chặn vì nhập sai nhiều lần. Vui lòng thử lại sau "
                             f"{max(1, round(wait.total_seconds() / 60))} phút."), 429
            audit("login_locked", username=username, user_id=None)
        else:
            user = authenticate(session_, username, form.password.data)
            if user is None:
                # The same words whether the username or the password was wrong.
                error, status = "Tên đăng nhập hoặc mật khẩu không đúng.", 401
                throttle.failed(session_, username, client_address(), _limits())
                audit("login_failed", username=username, user_id=None)
            else:
                throttle.succeeded(session_, username)
                start_session()  # a new session at login
                login_user(user)
                pin_plan(session_, user)
                audit("login")  # commits the pinned plan with the event
                # The page asked for wins; else `/`, where permissions.home_page decides.
                return redirect(_safe_next(form.next.data) or url_for("tasks.index"), code=303)
    return render_template("auth/login.html", form=form, error=error), status


def _limits() -> throttle.Limits:
    return throttle.Limits(per_account=current_app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"],
                           per_address=current_app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"])


@bp.route("/logout", methods=["GET", "POST"])
@login_required
def logout():
    form = EmptyForm()
    if request.method == "GET":
        return render_template("auth/logout.html", form=form)
    if form.validate_on_submit():
        user = current_user._get_current_object()
        user.session_token = secrets.token_urlsafe(16)  # a copied session cookie stops working
        audit("logout")  # commits the new token with the event
        logout_user()
        session.clear()
    return redirect(url_for("auth.login"), code=303)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    """A user changes their own password (and must, after an administrator's reset)."""
    form = PasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            change_password(db.session(), user=user, current=form.current.data, new=form.new.data)
        except AccountError as exc:
            form.new.errors = [*form.new.errors, str(exc)]
        else:
            audit("password_changed")
            start_session()
            login_user(user)  # this session carries on with the new token; every other one ends
            flash("Đã đổi mật khẩu.", "info")
            return redirect(url_for("tasks.index"), code=303)
    return render_template("auth/password.html", form=form, forced=current_user.must_change_password)
