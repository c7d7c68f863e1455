"""The dashboard: a leader's glance first, then the figures; any period, or two side by side."""

from flask import Blueprint, abort, render_template, request
from flask_login import current_user, login_required

from .. import permissions
from ..extensions import db, htmx
from ..models import Period
from ..plan_scope import current_plan, id_arg
from ..rendering import wants_partial
from ..services import clock
from ..services.dashboard import build
from ..services.paging import Page, page_number
from ..services.periods import comes_before, periods_of

bp = Blueprint("dashboard", __name__)

# A glance on a phone: the first rows needing attention and the most overdue units, the rest a page away.
ATTENTION_PAGE_SIZE = 20
UNIT_LINES_PAGE_SIZE = 50
# What a pager swaps in place (its hx-target): the list's own partial.
LIST_PARTIALS = {"attention": "dashboard/_attention.html", "unit-lines": "dashboard/_units.html"}


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
    # Today's figures open the rows behind them in the overview; a period's are of its copies,
    # frozen once closed, which the overview does not list.
    drill = permissions.can_see_overview(current_user) and period is None
    lists = dict(plan=plan, board=board, period=period, drill=drill,
                 attention=Page.of(board.attention, page_number(request.args, "attention_page"), ATTENTION_PAGE_SIZE),
                 unit_lines=Page.of(board.units, page_number(request.args, "units_page"), UNIT_LINES_PAGE_SIZE))
    if wants_partial() and htmx.target in LIST_PARTIALS:
        return render_template(LIST_PARTIALS[htmx.target], **lists)
    compare_error = None
    if other and not comes_before(other, period, today):
        # The «Thay đổi» column reads from the earlier to the later: the other way round it lies.
        shown = f"kỳ {period.label}" if period else "hôm nay"
        compare_error = f"Kỳ {other.label} không ở trước {shown}: hãy chọn để so sánh một kỳ trước đó."
    compared = build(session, plan=plan, period=other, today=today) if other and not compare_error else None
    return render_template("dashboard/page.html", compared=compared, periods=periods_of(session, plan),
                           other=other, compare_error=compare_error, **lists)
