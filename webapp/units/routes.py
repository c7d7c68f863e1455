"""«Việc của đơn vị»: a unit focal point's home, the rows where the unit leads or supports."""

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_login import current_user, login_required

from .. import permissions
from ..extensions import db
from ..forms import EmptyForm
from ..models import Role
from ..plan_scope import current_plan, own_unit
from ..rendering import render, wants_partial
from ..services import clock
from ..services.periods import open_period_of, submit
from ..services.reminders import reminders_for, reminders_from
from ..services.rows import STATUS_CHOICES, Filters, section_choices, unit_rows
from ..tasks.forms import FilterForm

bp = Blueprint("units", __name__)


@bp.get("/my")
@login_required
def home():
    unit = own_unit()
    session = db.session()
    plan = current_plan()
    form = FilterForm(request.args)
    form.set_choices(
        sections=section_choices(session, plan),
        statuses=STATUS_CHOICES,
    )
    period = open_period_of(session, plan)
    rows = unit_rows(session, plan=plan, unit=unit, today=clock.today(), filters=form.filters(), period=period)
    user = current_user._get_current_object()  # once, not through the proxy for every row
    for row in rows:
        row.rights = permissions.report_rights(user, {unit.id: row.role}, unit.id)
    counts = {
        "lead": sum(1 for r in rows if r.role == Role.LEAD),
        "support": sum(1 for r in rows if r.role == Role.SUPPORT),
        "overdue": sum(1 for r in rows if r.status.overdue),
    }
    filtered = any(request.args.values())
    return render("units/home.html", "units/_results.html", plan=plan, unit=unit, form=form, rows=rows,
                  counts=counts, filtered=filtered, period=period,
                  reminders=None if wants_partial() else _reminders(rows, filtered, plan, unit, period),
                  submit_form=EmptyForm())


def _reminders(rows, filtered: bool, plan, unit, period):
    """Unfiltered, the page's own rows hold every reminder: no second reading."""
    if not filtered:
        return reminders_from(rows, period=period, today=clock.today())
    return reminders_for(db.session(), plan=plan, unit=unit, today=clock.today())


@bp.post("/my/submit")
@login_required
def submit_all():
    """Send every lead row not yet sent (or changed, or returned) for the open period."""
    unit = own_unit()
    session = db.session()
    plan = current_plan()
    period = open_period_of(session, plan)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if period is None:
        flash("Chưa có kỳ báo cáo nào đang mở.", "warning")
        return redirect(url_for("units.home"), code=303)
    sent = 0
    for row in unit_rows(session, plan=plan, unit=unit, today=clock.today(), filters=Filters(role="lead"),
                         period=period):
        if row.needs_sending:
            submit(session, period=period, task=row.task, unit=unit, user=current_user)
            sent += 1
    flash(f"Đã gửi {sent} báo cáo cho kỳ «{period.label}»." if sent else "Không có báo cáo nào cần gửi.", "info")
    return redirect(url_for("units.home"), code=303)
