"""The reviewer's desk (Sở Nội vụ): periods, the queue of submitted reports, each unit's
figures, extensions; accept and return work in place, one by one or for a selection. A
report returned on its own may take files with the comment; a selection takes the comment only."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlmodel import select

from .. import permissions
from ..extensions import db, htmx
from ..forms import EmptyForm, errors_text, sent_files, takes_files
from ..models import (
    Extension,
    ExtensionState,
    Period,
    PeriodReport,
    Task,
    Unit,
)
from ..plan_scope import current_plan, id_arg, link_plan, parse_id, plans_shown
from ..rendering import wants_partial
from ..security import audit
from ..services import clock, evidence, queue
from ..services.deadlines import DeadlineError, decide_extension
from ..services.paging import Page, page_number
from ..services.periods import (
    KIND_LABELS,
    PERIOD_STATUS_LABELS,
    STATE_LABELS,
    PeriodError,
    can_reopen,
    close_period,
    close_preview,
    open_period,
    open_period_of,
    open_periods,
    period_figures,
    periods_of,
    reopen_period,
    reports_held,
    review,
    unit_in_closed_period,
    unit_progress,
)
from ..services.plans import followed_plans
from ..services.reports import STATUS_LABELS
from ..services.rows import Filters, by_plan, unit_rows
from .forms import DecisionForm, PeriodForm, QueueFilterForm, ReopenForm, ReviewForm

STANDING_PAGE_SIZE = 100  # rows of a period's page; its figures count every row
DESK_UNITS_PAGE_SIZE = 50  # units on the desk; the most silent come first
NOTHING_CHOSEN = "Hãy chọn ít nhất một báo cáo."  # said by the server, and by the page before it asks

bp = Blueprint("review", __name__, url_prefix="/review")


@bp.context_processor
def _labels():
    return {"state_labels": STATE_LABELS, "said_labels": STATUS_LABELS}


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


@bp.get("")
@login_required
def desk():
    """The queue and each unit's figures: for every followed plan (each in its open period), or
    for one plan in the period chosen."""
    _require(permissions.can_follow_units(current_user))
    session = db.session()
    followed = followed_plans(session)
    plans = plans_shown(followed, every_plan_by_default=True)
    if len(plans) == 1:
        period = _period(plans[0], id_arg("period"))
        periods = {plans[0].id: period} if period else {}
    else:
        period, periods = None, open_periods(session, plans)
    form = QueueFilterForm(request.args)
    form.set_choices(plans=followed, units=session.exec(select(Unit).where(Unit.active).order_by(Unit.id)))
    state = form.state.data or queue.WAITING
    if state not in dict(queue.STATE_CHOICES):
        abort(400, description=f"Không có trạng thái «{state}» để lọc: hãy chọn trong danh sách «Trạng thái».")
    found = queue.queue(session, periods=[periods[p.id] for p in plans if p.id in periods],
                        state=state, unit_code=form.unit.data or "",
                        page=page_number(request.args), after=id_arg("after"))
    # A closed period's reports are read, not reviewed (they would be refused): no buttons for them.
    can_review = permissions.can_review(current_user) and all(p.is_open for p in periods.values())
    context = dict(plans=plans, several_plans=len(followed) > 1, period=period, queue=found, filter_form=form,
                   can_review=can_review, form=ReviewForm(), nothing_chosen=NOTHING_CHOSEN)
    if wants_partial() and htmx.target != "unit-lines":
        return render_template("review/_queue.html", **context)
    context["progress"] = Page.of(unit_progress(session, plans=plans, periods=periods, today=clock.today()),
                                  page_number(request.args, "units_page"), DESK_UNITS_PAGE_SIZE)
    if wants_partial():
        return render_template("review/_units.html", **context)
    return render_template(
        "review/desk.html",
        **context,
        open_periods=[(plan, periods[plan.id]) for plan in plans if plan.id in periods],
        pending_extensions=session.exec(select(Extension, Task, Unit).join(Task).join(Unit)
                                        .where(Extension.state == ExtensionState.PENDING,
                                               Task.plan_id.in_([plan.id for plan in plans]))).all(),
        decision_form=DecisionForm(),
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
@takes_files
@login_required
def review_one(copy_id: int, action: str):
    _require(permissions.can_review(current_user))
    copies = _copies([copy_id])
    limits = evidence.Limits.from_config(current_app.config)
    with sent_files() as uploads:
        return _review(copies, action == "accept", in_row=True, uploads=uploads, limits=limits)


@bp.post("/reports")
@login_required
def review_selection():
    _require(permissions.can_review(current_user))
    action = request.form.get("action")
    if action not in ("accept", "return"):
        abort(400)
    ids = request.form.getlist("copy")
    if not ids:
        flash(NOTHING_CHOSEN, "warning")
        return redirect(url_for("review.desk"), code=303)
    return _review(_copies(ids), action == "accept")


def _review(copies, accept: bool, *, in_row: bool = False, uploads=None, limits=None):
    """in_row: the comment (and the files) come from the row's own form, not the selection's."""
    form = ReviewForm()
    session = db.session()
    error = None
    if not form.validate_on_submit():
        error = errors_text(form)
    else:
        try:
            review(session, copies=copies, user=current_user, accept=accept, comment=form.comment.data or "",
                   uploads=uploads, limits=limits)
        except (PeriodError, evidence.EvidenceError) as exc:
            error = str(exc)
    if wants_partial():
        # The reviewed rows come back with their new state, in place (a selection: every row); a
        # row refused keeps the comment typed in it.
        for copy in copies:
            session.refresh(copy)
        rows = [(copy, session.get(Task, copy.task_id), session.get(Unit, copy.unit_id)) for copy in copies]
        answer = render_template("review/_queue_rows.html", items=queue.items(session, rows), error=error,
                                 can_review=True, form=ReviewForm(), several_plans=len(followed_plans(session)) > 1,
                                 typed=form.comment.data if error and in_row else "")
        # The queue's count and the units' figures, filtered as the page is, are read again; after a
        # refusal too, which may come of a review made elsewhere (another tab, a colleague).
        return answer, {"HX-Trigger": "queue-changed"}
    if error:
        flash(error, "error")
    else:
        verb = "Đã chấp nhận" if accept else "Đã trả lại"
        files = f" kèm {len(uploads)} tệp" if uploads else ""
        flash(f"{verb} {len(copies)} báo cáo{files}.", "info")
    return redirect(url_for("review.desk", period=copies[0].period_id), code=303)


@bp.get("/units/<unit_code>")
@login_required
def unit(unit_code: str):
    """A unit's rows as the unit sees them: in every followed plan, or in one plan's period."""
    _require(permissions.can_follow_units(current_user))
    session = db.session()
    unit = session.exec(select(Unit).where(Unit.code == unit_code)).first()
    if unit is None:
        abort(404)
    plans = plans_shown(followed_plans(session), every_plan_by_default=True)
    period = _period(plans[0], id_arg("period")) if len(plans) == 1 else None
    merged_into = session.get(Unit, unit.merged_into_id) if unit.merged_into_id else None
    if period is not None and not period.is_open:
        # A closed period: what the unit sent then and how it was frozen, not today's reports.
        return render_template("review/unit.html", unit=unit, period=period, plan=plans[0], merged_into=merged_into,
                               closed=unit_in_closed_period(session, period=period, unit=unit))
    if len(plans) == 1:
        periods = {plans[0].id: period} if period else {}
    else:
        periods = open_periods(session, plans)
    rows = unit_rows(session, plans=plans, unit=unit, today=clock.today(), filters=Filters(), periods=periods)
    user = current_user._get_current_object()
    for row in rows:
        row.rights = permissions.report_rights(user, {unit.id: row.role}, unit.id)
    evidence.show_review_files(session, rows)
    return render_template("review/unit.html", unit=unit, period=period, rows=rows, groups=by_plan(rows),
                           several_plans=len(plans) > 1, merged_into=merged_into)


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
                carried = len(reports_held(session, period))
                flash(f"Đã mở kỳ báo cáo «{period.label}»." + (
                    f" {carried} báo cáo chủ trì đã hoàn thành và được chấp nhận ở kỳ trước được giữ «Đã chấp nhận», "
                    "đơn vị không phải gửi lại." if carried else ""), "info")
                return redirect(url_for("review.periods"), code=303)
    periods = periods_of(session, plan)
    reopenable = next((p for p in periods[:1] if can_manage and can_reopen(session, p)), None)
    return render_template("review/periods.html", plan=plan, periods=periods, form=form,
                           can_manage=can_manage, kind_labels=KIND_LABELS, open_period=open_period_of(session, plan),
                           reopenable=reopenable, reopen_form=ReopenForm())


@bp.route("/periods/<int:period_id>/close", methods=["GET", "POST"])
@login_required
def close(period_id: int):
    """Closing shows first what it will freeze (reports waiting, units that sent nothing, days
    left in the period), and freezes only once confirmed."""
    _require(permissions.can_manage_periods(current_user))
    plan = current_plan()
    period = _period(plan, period_id)
    form = EmptyForm()
    if request.method == "POST" and form.validate_on_submit() and request.form.get("confirmed") == "yes":
        try:
            close_period(db.session(), period=period, user=current_user, today=clock.today())
        except PeriodError as exc:
            flash(str(exc), "error")
        else:
            audit("period_closed", f"{plan.number}: {period.label}")
            flash(f"Đã đóng kỳ «{period.label}»: số liệu của kỳ được giữ nguyên từ nay.", "info")
        return redirect(url_for("review.standing", period_id=period.id, plan=link_plan(plan)), code=303)
    if not period.is_open:
        flash(f"Kỳ «{period.label}» đã đóng.", "info")
        return redirect(url_for("review.standing", period_id=period.id, plan=link_plan(plan)), code=303)
    preview = close_preview(db.session(), period=period, today=clock.today())
    return render_template("review/close.html", plan=plan, period=period, preview=preview, form=form,
                           row_counts=preview.standing.row_counts(), labels=PERIOD_STATUS_LABELS)


@bp.post("/periods/<int:period_id>/reopen")
@login_required
def reopen(period_id: int):
    _require(permissions.can_manage_periods(current_user))
    plan = current_plan()
    period = _period(plan, period_id)
    form = ReopenForm()
    if form.validate_on_submit():
        try:
            reopen_period(db.session(), period=period, user=current_user, reason=form.reason.data or "")
        except PeriodError as exc:
            flash(str(exc), "error")
        else:
            audit("period_reopened", f"{plan.number}: {period.label}: {form.reason.data.strip()}")
            flash(f"Đã mở lại kỳ «{period.label}»; số liệu của kỳ sẽ được tính lại khi đóng kỳ.", "info")
    else:
        flash(errors_text(form), "error")
    return redirect(url_for("review.standing", period_id=period.id, plan=link_plan(plan)), code=303)


@bp.get("/periods/<int:period_id>")
@login_required
def standing(period_id: int):
    _require(permissions.can_follow_units(current_user))
    plan = current_plan()
    period = _period(plan, period_id)
    session = db.session()
    figures = period_figures(session, period=period, today=clock.today(), number=page_number(request.args),
                             size=STANDING_PAGE_SIZE)
    reopenable = permissions.can_manage_periods(current_user) and can_reopen(session, period)
    return render_template("review/standing.html", plan=plan, period=period, figures=figures,
                           labels=PERIOD_STATUS_LABELS, reopen_form=ReopenForm() if reopenable else None,
                           can_manage=permissions.can_manage_periods(current_user))


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


