"""The dashboard: a leader's glance first, then the figures; any period, or two side by side."""

from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required

from .. import permissions
from ..extensions import db
from ..models import Period
from ..plan_scope import current_plan, id_arg
from ..services import clock
from ..services.dashboard import build
from ..services.periods import periods_of

bp = Blueprint("dashboard", __name__)


def chosen_period(plan, name: str) -> Period | None:
    """The period named in the query string (?period=, ?compare=), or none."""
    period_id = id_arg(name)
    if period_id is None:
        return None
    period = db.session().get(Period, period_id)
    if period is None or period.plan_id != plan.id:
        abort(404)
    return period


@bp.get("/dashboard")
@login_required
def dashboard():
    if not permissions.can_see_dashboard(current_user):
        abort(403)
    session = db.session()
    plan = current_plan()
    period, other = chosen_period(plan, "period"), chosen_period(plan, "compare")
    today = clock.today()
    board = build(session, plan=plan, period=period, today=today)
    compared = build(session, plan=plan, period=other, today=today) if other else None
    return render_template("dashboard/page.html", plan=plan, board=board, compared=compared,
                           periods=periods_of(session, plan), period=period, other=other)
