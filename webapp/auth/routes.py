import secrets

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from ..extensions import db
from ..forms import EmptyForm
from ..services.accounts import AccountError, authenticate, change_password
from .forms import LoginForm, PasswordForm

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str | None:
    """Only a path of this site: never another host."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return None


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    error = None
    if form.validate_on_submit():
        user = authenticate(db.session(), form.username.data, form.password.data)
        if user is None:
            # The same words whether the username or the password was wrong.
            error = "Tên đăng nhập hoặc mật khẩu không đúng."
        else:
            session.clear()  # a new session at login
            login_user(user)
            return redirect(_safe_next(form.next.data) or url_for("tasks.index"), code=303)
    return render_template("auth/login.html", form=form, error=error), 200 if error is None else 401


@bp.route("/logout", methods=["GET", "POST"])
@login_required
def logout():
    form = EmptyForm()
    if request.method == "GET":
        return render_template("auth/logout.html", form=form)
    if form.validate_on_submit():
        user = current_user._get_current_object()
        user.session_token = secrets.token_urlsafe(16)  # a copied session cookie stops working
        db.session().commit()
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
            session.clear()
            login_user(user)  # this session carries on with the new token; every other one ends
            flash("Đã đổi mật khẩu.", "info")
            return redirect(url_for("tasks.index"), code=303)
    return render_template("auth/password.html", form=form, forced=current_user.must_change_password)
