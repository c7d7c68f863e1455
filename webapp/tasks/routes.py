"""The plan's rows: the overview, one task with every unit's report, and one unit's report.

`/tasks/<ref>/units/<unit_code>` is the public contract: GET shows the report, POST
updates it; an HTMX request gets the row partial, a plain one a full page.
"""

from dataclasses import dataclass

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlalchemy import bindparam
from sqlalchemy.orm import aliased
from sqlmodel import select

from .. import permissions
from ..database import shown_rows
from ..extensions import db, locks_its_own_writes
from ..forms import EmptyForm, errors_text, options
from ..fragment_cache import fragments
from ..models import Assignment, Indicator, Period, Report, Role, Section, Task, Unit, User
from ..plan_scope import current_plan, id_arg, link_plan, plans_shown
from ..rendering import render, wants_partial
from ..security import audit
from ..services import clock
from ..services.deadlines import DeadlineError, name_unit, request_extension, set_due_date
from ..services.evidence import show_review_files
from ..services.paging import page_number
from ..services.periods import PeriodError, open_period_of, submit
from ..services.plans import PlanNotFound, find_plan, followed_plans
from ..services.reading.timeframes import parse_timeframe
from ..services.reports import (
    FIELD_LABELS,
    ReportConflict,
    display_value,
    get_report,
    save_report,
)
from ..services.rows import (
    STATUS_CHOICES,
    data_version,
    overview_page,
    row_maker,
    section_choices,
    task_history,
    task_rows,
)
from ..services.status import row_status
from ..services.text import by_vietnamese_name
from .forms import (
    DueDateForm,
    ExtensionForm,
    FilterForm,
    LeadReportForm,
    NameUnitForm,
    SupportReportForm,
)

bp = Blueprint("tasks", __name__)

ROW_VIEWS = ("unit", "task")  # the page a report row sits in: the unit's home or the task page
FORM_CONTROL_FIELDS = {"csrf_token", "version", "view"}
# A row saved or sent in place: what the page says of all its rows (the unit's reminders and
# counts) asks again (units.routes.standing).
ROWS_CHANGED = {"HX-Trigger": "rows-changed"}


# The reads every page or step about a row begins with: built once (see database.PreparedRead).
TASK_BY_REF = select(Task).where(Task.plan_id == bindparam("plan_id"), Task.ref == bindparam("ref"))
ROLES_ON_TASK = select(Assignment.unit_id, Assignment.role).where(Assignment.task_id == bindparam("task_id"))
# A step on one unit's row: the task with its section, the unit with its report (if ever
# saved), the plan's open period (if any), and the roles on the task of that unit and of the
# user's own (what the user may see and do there), in one statement instead of six.
_ROW_UNITS_ROLE, _USERS_UNIT_ROLE = aliased(Assignment), aliased(Assignment)
ROW_STEP = (select(Task, Section, Unit, Report, Period, _ROW_UNITS_ROLE.role, _USERS_UNIT_ROLE.role)
            .join(Section, Section.id == Task.section_id)
            .join(Unit, Unit.code == bindparam("code"))
            .outerjoin(Report, (Report.task_id == Task.id) & (Report.unit_id == Unit.id))
            .outerjoin(Period, (Period.plan_id == Task.plan_id) & Period.closed_at.is_(None))
            .outerjoin(_ROW_UNITS_ROLE, (_ROW_UNITS_ROLE.task_id == Task.id) & (_ROW_UNITS_ROLE.unit_id == Unit.id))
            .outerjoin(_USERS_UNIT_ROLE, (_USERS_UNIT_ROLE.task_id == Task.id)
                       & (_USERS_UNIT_ROLE.unit_id == bindparam("users_unit_id")))
            .where(Task.plan_id == bindparam("plan_id"), Task.ref == bindparam("ref")))


def load_task(ref: str) -> tuple[Task, dict[int, Role]]:
    """The task and each assigned unit's role on it; 404 when the user may not see it: a unit
    focal point does not learn that a row it is not assigned to exists."""
    task = db.session().exec(TASK_BY_REF, params={"plan_id": current_plan().id, "ref": ref}).first()
    if task is None:
        abort(404)
    # A task has tens of units at times: the task once, then their roles (not the task again for each).
    roles = dict(shown_rows(db.session(), ROLES_ON_TASK, {"task_id": task.id}).all())
    if not permissions.can_see_task(current_user._get_current_object(), roles):
        abort(404)
    return task, roles


@dataclass
class ReportContext:
    task: Task
    section: Section
    unit: Unit
    role: Role
    report: Report | None
    rights: permissions.ReportRights
    period: Period | None  # the plan's open period, as read with the row


def load_report(ref: str, unit_code: str, *, edit: bool = False) -> ReportContext:
    """One unit's report on a task, if the user may see it (and, with edit, change it)."""
    user = current_user._get_current_object()
    found = db.session().exec(ROW_STEP, params={"plan_id": current_plan().id, "ref": ref, "code": unit_code,
                                                "users_unit_id": user.unit_id}).first()
    if found is None:
        abort(404)
    task, section, unit, report, period, role, users_unit_role = found
    # The roles the rights on this row follow from (permissions.report_rights): the row's
    # unit's, and the user's own unit's, which tells whether a unit focal point sees the task.
    roles = {unit_id: its_role for unit_id, its_role in ((user.unit_id, users_unit_role), (unit.id, role))
             if its_role is not None}
    if not permissions.can_see_task(user, roles) or unit.id not in roles:
        abort(404)
    rights = permissions.report_rights(user, roles, unit.id)
    if not rights.see:
        abort(404)
    if edit and not rights.edit:
        abort(403)
    return ReportContext(task, section, unit, role, report, rights, period)


def _row_view() -> str:
    view = request.values.get("view", "task")
    return view if view in ROW_VIEWS else "task"


def _row_maker(ctx: ReportContext):
    """What makes the row for a report, all it shows beside the report read now (with the
    reviewer's files of its period copy): a save asks for it before writing."""
    session = db.session()
    make = row_maker(session, task=ctx.task, section=ctx.section, unit=ctx.unit, role=ctx.role, today=clock.today(),
                     period=ctx.period)
    shown = make(ctx.report)
    show_review_files(session, [shown])

    def row(report):
        made = make(report)
        made.rights, made.review_files = ctx.rights, shown.review_files
        return made

    return row


def _row(ctx: ReportContext):
    return _row_maker(ctx)(ctx.report)


def _form(ctx: ReportContext, formdata=None):
    form_class = LeadReportForm if ctx.rights.edit_status else SupportReportForm
    return form_class(formdata=formdata, today=clock.today())


def _return_to(ctx: ReportContext, view: str) -> str:
    anchor = f"#report-{current_plan().code}-{ctx.task.ref}-{ctx.unit.code}"
    if view == "unit":
        return url_for("units.home") + anchor
    return url_for("tasks.task", ref=ctx.task.ref, plan=link_plan(current_plan())) + anchor


@bp.get("/")
@login_required
def index():
    return redirect(url_for(permissions.home_page(current_user)))


@bp.post("/plan")
@login_required
def choose_plan():
    """Every page from now on is about the plan chosen."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    session = db.session()
    try:
        plan = find_plan(session, request.form.get("plan") or "")
    except PlanNotFound as exc:
        abort(404, description=str(exc))
    user = current_user._get_current_object()
    user.plan_id = plan.id  # kept on the account: the next login finds the same plan
    session.add(user)
    session.commit()
    return redirect(url_for("tasks.index"), code=303)


@bp.get("/tasks")
@login_required
def overview():
    """Every row of the user's plan, of another (`?plan=`), or of every followed plan (`?plan=`
    empty); each plan's list is cached until its rows or reports change."""
    if not permissions.can_see_overview(current_user):
        abort(403)
    session = db.session()
    followed = followed_plans(session)
    plans = plans_shown(followed, every_plan_by_default=False)
    form = FilterForm(request.args)
    form.set_choices(
        sections=section_choices(session, plans[0]) if len(plans) == 1 else (),
        units=session.exec(select(Unit.code, Unit.name).where(Unit.active).order_by(Unit.id)),  # not one merged away
        statuses=STATUS_CHOICES,
        plans=followed,
    )
    if "plan" not in request.args:
        form.plan.data = plans[0].code
    filters, today = form.filters(), clock.today()
    # Several plans show each one's first page, with a link to the whole of it.
    number = page_number(request.args) if len(plans) == 1 else 1
    results = [
        fragments().rendered(
            ("overview", plan.id, data_version(session, plan), today, filters.key(), len(plans) > 1, number),
            "tasks/_overview_plan.html",
            lambda plan=plan: dict(plan=plan, several_plans=len(plans) > 1,
                                   found=overview_page(session, plan=plan, today=today, filters=filters,
                                                       number=number)),
        )
        for plan in plans
    ]
    fields = (["plan"] if len(followed) > 1 else []) + ["status"] + (["section"] if len(plans) == 1 else [])
    # The role narrows a unit's rows (those it leads, as the dashboard's lines count them): offered once a unit is chosen.
    fields += ["unit", *(["role"] if filters.unit else []), "overdue"]
    context = dict(plans=plans, form=form, results=results, fields=fields)
    if wants_partial():
        return render_template("tasks/_overview_results.html", **context)
    return render_template("tasks/overview.html", **context)


@bp.get("/tasks/<ref>")
@login_required
def task(ref: str):
    task, roles = load_task(ref)
    session = db.session()
    history = task_history(session, task=task, start=id_arg("history") or 0)
    if wants_partial() and "history" in request.args:  # «Xem thêm» of the history
        return render_template("tasks/_history.html", task=task, history=history, field_labels=FIELD_LABELS)
    rows = task_rows(session, task=task, today=clock.today(), period=open_period_of(session, current_plan()))
    user = current_user._get_current_object()  # once, not through the proxy for every row
    for row in rows:
        row.rights = permissions.report_rights(user, roles, row.unit.id)
    show_review_files(session, rows)
    indicators = session.exec(select(Indicator).where(Indicator.task_id == task.id).order_by(Indicator.position)).all()
    lead_rows = [r for r in rows if r.role == Role.LEAD]
    return render_template(
        "tasks/task.html",
        task=task,
        section=rows[0].section if rows else session.get(Section, task.section_id),
        lead_rows=lead_rows,
        support_rows=[r for r in rows if r.role == Role.SUPPORT],
        row_status=row_status(task, [r.status for r in lead_rows], clock.today()),
        indicators=indicators,
        history=history,
        field_labels=FIELD_LABELS,
        can_set_due=permissions.can_set_due_dates(current_user),
        due_form=DueDateForm(),
        reading=parse_timeframe(task.timeframe_text),
        name_form=_name_form(task, roles) if permissions.can_name_units(current_user) else None,
    )


def _name_form(task: Task, roles: dict) -> NameUnitForm:
    form = NameUnitForm()
    units = db.session().exec(select(Unit).where(Unit.active).order_by(Unit.id)).all()
    form.unit.choices = options([(u.code, u.name) for u in by_vietnamese_name(units) if u.id not in roles])
    return form


@bp.post("/tasks/<ref>/assignments")
@login_required
def name_unit_on_task(ref: str):
    task, roles = load_task(ref)
    if not permissions.can_name_units(current_user):
        abort(403)
    form = _name_form(task, roles)
    if form.validate_on_submit():
        unit = db.session().exec(select(Unit).where(Unit.code == form.unit.data)).one()
        try:
            name_unit(db.session(), task=task, unit=unit, role=Role(form.role.data), user=current_user)
            flash(f"Đã chỉ định «{unit.name}» cho nhiệm vụ {task.ref}.", "info")
        except DeadlineError as exc:
            flash(str(exc), "error")
    else:
        flash(errors_text(form), "error")
    return redirect(url_for("tasks.task", ref=task.ref), code=303)


@bp.get("/tasks/<ref>/units/<unit_code>")
@login_required
def report(ref: str, unit_code: str):
    ctx = load_report(ref, unit_code)
    view = _row_view()
    return render("reports/page.html", "reports/_row.html", row=_row(ctx), view=view)


@bp.get("/tasks/<ref>/units/<unit_code>/edit")
@login_required
def edit_report(ref: str, unit_code: str):
    ctx = load_report(ref, unit_code, edit=True)
    form = _form(ctx)
    row = _row(ctx)
    form.fill(row.report)
    view = _row_view()
    form.view.data = view
    return render("reports/edit.html", "reports/_row_edit.html", row=row, form=form, view=view, conflict=None)


@bp.post("/tasks/<ref>/units/<unit_code>")
@locks_its_own_writes  # save_report takes the lock for its write alone
@login_required
def update_report(ref: str, unit_code: str):
    ctx = load_report(ref, unit_code, edit=True)
    # A field the user may not write is refused whole, never half-applied.
    if set(request.form) - FORM_CONTROL_FIELDS - ctx.rights.fields:
        abort(403)
    form = _form(ctx, request.form)
    view = _row_view()
    conflict = None
    if form.validate_on_submit():
        row_for = _row_maker(ctx) if wants_partial() else None  # read before the write, which changes the report alone
        try:
            ctx.report = save_report(
                db.session(), task=ctx.task, unit=ctx.unit, report=ctx.report, user=current_user, values=form.values(),
                expected_version=form.expected_version, today=clock.today(),
            )
        except ReportConflict as exc:
            conflict = _conflict(exc.current, form)
        else:
            if row_for:
                return render_template("reports/_row.html", row=row_for(ctx.report), view=view), ROWS_CHANGED
            return redirect(_return_to(ctx, view), code=303)
    row = _row(ctx)
    return render("reports/edit.html", "reports/_row_edit.html", row=row, form=form, view=view, conflict=conflict)


def _conflict(current: Report | None, form) -> dict:
    """What the other person saved, shown above the user's own (kept) input."""
    if current is None:
        return {"by": None, "at": None, "fields": []}
    by = db.session().get(User, current.updated_by_id) if current.updated_by_id else None
    fields = [
        (FIELD_LABELS[name], display_value(name, getattr(current, name)))
        for name in FIELD_LABELS
        if name in form._fields and display_value(name, getattr(current, name))
    ]
    form.version.data = str(current.version)  # saving again now overwrites knowingly
    return {"by": by, "at": current.updated_at, "fields": fields}


def _answer_with_row(ctx: ReportContext, view: str, error: str | None = None):
    """After a step on a report: the row again for HTMX (with the error, if any), else the page."""
    if wants_partial():
        return render_template("reports/_row.html", row=_row(ctx), view=view, error=error), {} if error else ROWS_CHANGED
    flash(error or "Đã thực hiện.", "error" if error else "info")
    return redirect(_return_to(ctx, view), code=303)


@bp.post("/tasks/<ref>/units/<unit_code>/submit")
@login_required
def submit_report(ref: str, unit_code: str):
    ctx = load_report(ref, unit_code, edit=True)
    if not ctx.rights.submit:
        abort(403)
    if not EmptyForm().validate_on_submit():
        abort(400)
    session = db.session()
    period = ctx.period
    error = None
    if period is None:
        error = "Chưa có kỳ báo cáo nào đang mở."
    elif (ctx.report is None or ctx.report.version == 0) and request.form.get("blank") != "confirmed":
        return _ask_to_send_blank(ctx, _row_view())
    else:
        try:
            submit(session, period=period, task=ctx.task, unit=ctx.unit, user=current_user)
            ctx.report = get_report(session, ctx.task, ctx.unit)
        except PeriodError as exc:
            error = str(exc)
    return _answer_with_row(ctx, _row_view(), error)


def _ask_to_send_blank(ctx: ReportContext, view: str):
    """A report never filled in is sent only once the unit says so: the row asks, in place."""
    row = _row(ctx)
    row.asking_to_send_blank = True
    return render("reports/page.html", "reports/_row.html", row=row, view=view)


@bp.route("/tasks/<ref>/units/<unit_code>/extension", methods=["GET", "POST"])
@login_required
def request_extension_page(ref: str, unit_code: str):
    ctx = load_report(ref, unit_code, edit=True)
    if not ctx.rights.submit:
        abort(403)
    form = ExtensionForm()
    row = _row(ctx)
    if form.validate_on_submit():
        try:
            request_extension(db.session(), task=ctx.task, unit=ctx.unit, user=current_user,
                              new_due_on=form.new_due_on.date, reason=form.reason.data, today=clock.today())
        except DeadlineError as exc:
            form.new_due_on.errors = [*form.new_due_on.errors, str(exc)]
        else:
            flash("Đã gửi đề nghị gia hạn; Sở Nội vụ sẽ xem xét.", "info")
            return redirect(_return_to(ctx, _row_view()), code=303)
    return render_template("reports/extension.html", row=row, form=form, view=_row_view(),
                           back_url=_return_to(ctx, _row_view()))


@bp.post("/tasks/<ref>/due")
@login_required
def set_due(ref: str):
    task, _ = load_task(ref)
    if not permissions.can_set_due_dates(current_user):
        abort(403)
    form = DueDateForm()
    if request.form.get("action") == "clear" and EmptyForm().validate_on_submit():
        set_due_date(db.session(), task=task, user=current_user, due_on=None)
        audit("due_date", f"{task.ref}: bỏ hạn đã đặt, dùng hạn đọc từ văn bản")
        flash(f"Nhiệm vụ {task.ref} dùng lại hạn đọc từ cột thời gian.", "info")
    elif form.validate_on_submit():
        set_due_date(db.session(), task=task, user=current_user, due_on=form.due_on.date)
        audit("due_date", f"{task.ref}: đặt hạn {form.due_on.date:%d/%m/%Y}")
        flash(f"Đã đặt hạn {form.due_on.date.strftime('%d/%m/%Y')} cho nhiệm vụ {task.ref}.", "info")
    else:
        flash(errors_text(form), "error")
    return redirect(url_for("tasks.task", ref=task.ref), code=303)
