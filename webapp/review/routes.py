"""The reviewer's desk (Sở Nội vụ): periods, the queue of submitted reports, each unit's
figures, extensions; accept and return work in place, one by one or for a selection."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlmodel import select

from .. import permissions
from ..extensions import db
from ..forms import EmptyForm, errors_text
from ..models import (
    Extension,
    ExtensionState,
    Period,
    PeriodReport,
    ReviewState,
    Task,
    Unit,
)
from ..plan_scope import current_plan, id_arg, parse_id
from ..rendering import wants_partial
from ..services import clock
from ..services.deadlines import DeadlineError, decide_extension
from ..services.periods import (
    KIND_LABELS,
    PERIOD_STATUS_LABELS,
    STATE_LABELS,
    PeriodError,
    close_period,
    open_period,
    open_period_of,
    periods_of,
    review,
    standing_of,
    unit_progress,
)
from ..services.rows import Filters, unit_rows
from .forms import DecisionForm, PeriodForm, ReviewForm

bp = Blueprint("review", __name__, url_prefix="/review")


def _require(allowed: bool) -> None:
    if not allowed:
        abort(403)


def _period(plan, period_id: int | None) -> Period | None:
    session = db.session()
    if period_id is None:
        return open_period_of(session, plan) or next(iter(periods_of(session, plan)), None)
    period = session.get(Period, period_id)
    if period is None or period.plan_id != plan.id:
        abort(404)
    return period


def _queue(period: Period | None, state: ReviewState = ReviewState.SUBMITTED):
    if period is None:
        return []
    return db.session().exec(
        select(PeriodReport, Task, Unit)
        .join(Task, PeriodReport.task_id == Task.id)
        .join(Unit, PeriodReport.unit_id == Unit.id)
        .where(PeriodReport.period_id == period.id, PeriodReport.state == state)
        .order_by(PeriodReport.submitted_at)
    ).all()


@bp.get("")
@login_required
def desk():
    _require(permissions.can_follow_units(current_user))
    plan = current_plan()
    period = _period(plan, id_arg("period"))
    session = db.session()
    return render_template(
        "review/desk.html",
        plan=plan,
        period=period,
        periods=periods_of(session, plan),
        queue=_queue(period),
        progress=unit_progress(session, plan=plan, period=period, today=clock.today()),
        pending_extensions=session.exec(select(Extension, Task, Unit).join(Task).join(Unit)
                                        .where(Extension.state == ExtensionState.PENDING,
                                               Task.plan_id == plan.id)).all(),
        can_review=permissions.can_review(current_user),
        form=ReviewForm(),
        decision_form=DecisionForm(),
        state_labels=STATE_LABELS,
    )


def _copies(ids) -> list[PeriodReport]:
    """The period copies named by the form, every one of them existing, or a 400/404."""
    numbers = [parse_id(str(i)) for i in ids]
    if not numbers or None in numbers:
        abort(400, description="Mã báo cáo không hợp lệ.")
    session = db.session()
    copies = [session.get(PeriodReport, number) for number in numbers]
    if any(c is None for c in copies):
        abort(404)
    return copies


@bp.post("/reports/<int:copy_id>/<any(accept, return):action>")
@login_required
def review_one(copy_id: int, action: str):
    _require(permissions.can_review(current_user))
    copies = _copies([copy_id])
    return _review(copies, action == "accept")


@bp.post("/reports")
@login_required
def review_selection():
    _require(permissions.can_review(current_user))
    action = request.form.get("action")
    if action not in ("accept", "return"):
        abort(400)
    ids = request.form.getlist("copy")
    if not ids:
        flash("Hãy chọn ít nhất một báo cáo.", "warning")
        return redirect(url_for("review.desk"), code=303)
    return _review(_copies(ids), action == "accept")


def _review(copies, accept: bool):
    form = ReviewForm()
    session = db.session()
    error = None
    if not form.validate_on_submit():
        error = errors_text(form)
    else:
        try:
            review(session, copies=copies, user=current_user, accept=accept, comment=form.comment.data or "")
        except PeriodError as exc:
            error = str(exc)
    if wants_partial():
        # The reviewed rows come back with their new state, in place (a selection: every row).
        for copy in copies:
            session.refresh(copy)
        rows = [(copy, session.get(Task, copy.task_id), session.get(Unit, copy.unit_id)) for copy in copies]
        return render_template("review/_queue_rows.html", rows=rows, error=error, can_review=True,
                               form=ReviewForm(), state_labels=STATE_LABELS)
    if error:
        flash(error, "error")
    else:
        verb = "Đã chấp nhận" if accept else "Đã trả lại"
        flash(f"{verb} {len(copies)} báo cáo.", "info")
    return redirect(url_for("review.desk", period=copies[0].period_id), code=303)


@bp.get("/units/<unit_code>")
@login_required
def unit(unit_code: str):
    _require(permissions.can_follow_units(current_user))
    plan = current_plan()
    session = db.session()
    unit = session.exec(select(Unit).where(Unit.code == unit_code)).first()
    if unit is None:
        abort(404)
    period = _period(plan, id_arg("period"))
    rows = unit_rows(session, plan=plan, unit=unit, today=clock.today(), filters=Filters(),
                     period=period if period and period.is_open else None)
    user = current_user._get_current_object()
    for row in rows:
        row.rights = permissions.report_rights(user, {unit.id: row.role}, unit.id)
    return render_template("review/unit.html", plan=plan, unit=unit, period=period, rows=rows)


@bp.route("/periods", methods=["GET", "POST"])
@login_required
def periods():
    _require(permissions.can_follow_units(current_user))
    plan = current_plan()
    session = db.session()
    form = PeriodForm()
    can_manage = permissions.can_manage_periods(current_user)
    if request.method == "POST":
        _require(can_manage)
        if form.validate_on_submit():
            try:
                period = open_period(session, plan=plan, kind=form.kind_value, label=form.label.data,
                                     starts_on=form.starts_on.date, ends_on=form.ends_on.date,
                                     deadline=form.deadline.date, user=current_user, today=clock.today())
            except PeriodError as exc:
                flash(str(exc), "error")
            else:
                flash(f"Đã mở kỳ báo cáo «{period.label}».", "info")
                return redirect(url_for("review.periods"), code=303)
    return render_template("review/periods.html", plan=plan, periods=periods_of(session, plan), form=form,
                           can_manage=can_manage, close_form=EmptyForm(), kind_labels=KIND_LABELS,
                           open_period=open_period_of(session, plan))


@bp.post("/periods/<int:period_id>/close")
@login_required
def close(period_id: int):
    _require(permissions.can_manage_periods(current_user))
    plan = current_plan()
    period = _period(plan, period_id)
    if EmptyForm().validate_on_submit():
        try:
            close_period(db.session(), period=period, user=current_user, today=clock.today())
            flash(f"Đã đóng kỳ «{period.label}»: số liệu của kỳ được giữ nguyên từ nay.", "info")
        except PeriodError as exc:
            flash(str(exc), "error")
    return redirect(url_for("review.standing", period_id=period.id), code=303)


@bp.get("/periods/<int:period_id>")
@login_required
def standing(period_id: int):
    _require(permissions.can_follow_units(current_user))
    plan = current_plan()
    period = _period(plan, period_id)
    session = db.session()
    standing = standing_of(session, period=period, today=clock.today())
    return render_template("review/standing.html", plan=plan, period=period, standing=standing,
                           row_counts=standing.row_counts(), lead_counts=standing.lead_counts(),
                           labels=PERIOD_STATUS_LABELS)


@bp.post("/extensions/<int:extension_id>/<any(approve, refuse):decision>")
@login_required
def decide(extension_id: int, decision: str):
    _require(permissions.can_review(current_user))
    session = db.session()
    extension = session.get(Extension, extension_id)
    if extension is None:
        abort(404)
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            decide_extension(session, extension=extension, user=current_user, approve=decision == "approve",
                             comment=form.comment.data or "")
            flash("Đã đồng ý gia hạn." if decision == "approve" else "Đã không đồng ý gia hạn.", "info")
        except DeadlineError as exc:
            flash(str(exc), "error")
    return redirect(url_for("review.desk"), code=303)


