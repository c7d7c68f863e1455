"""«Việc của đơn vị»: a unit focal point's home, the rows where the unit leads or supports."""

from flask import Blueprint, abort, request
from flask_login import current_user, login_required
from sqlmodel import select

from .. import permissions
from ..extensions import db
from ..plan_scope import current_plan
from ..models import Role, Section, Unit
from ..rendering import render
from ..services import clock
from ..services.rows import STATUS_CHOICES, unit_rows
from ..tasks.forms import FilterForm

bp = Blueprint("units", __name__)


@bp.get("/my")
@login_required
def home():
    if not permissions.has_unit_home(current_user):
        abort(403)
    session = db.session()
    plan = current_plan()
    unit = session.get(Unit, current_user.unit_id)
    form = FilterForm(request.args)
    form.set_choices(
        sections=session.exec(select(Section.code, Section.title, Section.parent_id)
                              .where(Section.plan_id == plan.id).order_by(Section.position)),
        statuses=STATUS_CHOICES,
    )
    rows = unit_rows(session, plan=plan, unit=unit, today=clock.today(), filters=form.filters())
    user = current_user._get_current_object()  # once, not through the proxy for every row
    for row in rows:
        row.rights = permissions.report_rights(user, {unit.id: row.role}, unit.id)
    counts = {
        "lead": sum(1 for r in rows if r.role == Role.LEAD),
        "support": sum(1 for r in rows if r.role == Role.SUPPORT),
        "overdue": sum(1 for r in rows if r.status.overdue),
    }
    return render("units/home.html", "units/_results.html", plan=plan, unit=unit, form=form, rows=rows,
                  counts=counts, filtered=any(request.args.values()))
