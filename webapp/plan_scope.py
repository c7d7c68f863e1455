"""Which plan a page is about: `?plan=<code>`, else the plan the user chose (kept on the
account, so that a newly imported plan never moves anyone's pages), else the newest plan
still followed. Pages that can show every followed plan at once (a unit's home, the review
desk, the overview) read `?plan=` empty as «every plan»."""

import re

from flask import Flask, abort, g, request
from flask_login import current_user

from . import permissions
from .database import by_id
from .extensions import db
from .models import Plan, Unit
from .services.plans import PlanNotFound, find_plan


def current_plan() -> Plan:
    if "plan" not in g:
        g.plan = _plan_asked() or _users_plan()
    return g.plan


def _plan_asked() -> Plan | None:
    code = request.args.get("plan")
    if not code:
        return None
    try:
        g.plan_asked = find_plan(db.session(), code)
    except PlanNotFound as exc:
        abort(404, description=str(exc))
    return g.plan_asked


# Pages about one plan; the pages that can show every plan, and the menu's entries, are not.
PLAN_PAGES = {"tasks", "review", "dashboard", "exports", "indicators"}
NOT_PLAN_PAGES = {"tasks.index", "tasks.choose_plan", "tasks.overview", "review.desk"}


def _keep_the_plan_asked(endpoint: str, values: dict) -> None:
    """On a page about a plan other than the user's own (`?plan=`), its links stay on that plan."""
    asked = g.get("plan_asked")
    if (asked is not None and "plan" not in values and endpoint.partition(".")[0] in PLAN_PAGES
            and endpoint not in NOT_PLAN_PAGES):
        values["plan"] = asked.code


def init_app(app: Flask) -> None:
    app.url_defaults(_keep_the_plan_asked)
    app.jinja_env.globals["link_plan"] = link_plan


def link_plan(plan: Plan) -> str | None:
    """The `plan` a link to one of the plan's pages needs: none for the user's own plan."""
    return None if plan.id == _users_plan().id else plan.code


def keep_users_plan(plan: Plan) -> None:
    """The plan the account chose, as read with the account (the request's first read)."""
    g.users_plan = plan


def _users_plan() -> Plan:
    if "users_plan" not in g:
        g.users_plan = _read_users_plan()
    return g.users_plan


def _read_users_plan() -> Plan:
    session = db.session()
    if current_user.is_authenticated and current_user.plan_id:
        plan = by_id(session, Plan, current_user.plan_id)
        if plan is not None:
            return plan
    try:
        return find_plan(session)
    except PlanNotFound as exc:
        abort(404, description=str(exc))


def plans_shown(choices: list[Plan], *, every_plan_by_default: bool) -> list[Plan]:
    """The plans a page that can show several covers, among choices: `?plan=<code>` one of
    them, `?plan=` (the filter's «Tất cả kế hoạch») every one; without the parameter, every
    one or the user's own plan."""
    code = request.args.get("plan")
    if code is None and not every_plan_by_default:
        return [current_plan()]
    if not code:
        return list(choices)
    plan = _plan_asked()
    if plan.id not in {p.id for p in choices}:
        abort(404, description=f"Kế hoạch «{code}» không có trong danh sách này.")
    return [plan]


def parse_id(text: str | None) -> int | None:
    """A database id written in ASCII digits and within the column's range, else None
    («²» is a digit to Python, «99999999999999999999» overflows PostgreSQL's integer)."""
    if text is None or not re.fullmatch(r"[0-9]{1,10}", text):
        return None
    number = int(text)
    return number if 0 < number < 2**31 else None


def id_arg(name: str) -> int | None:
    """An id from the query string: absent gives None; anything but a plausible id is refused."""
    value = request.args.get(name)
    if value is None or value == "":
        return None
    number = parse_id(value)
    if number is None:
        abort(400, description=f"Tham số «{name}» phải là mã số hợp lệ.")
    return number


def own_unit() -> Unit:
    """The unit of the signed-in focal point; anyone else is refused."""
    if not permissions.has_unit_home(current_user):
        abort(403)
    return by_id(db.session(), Unit, current_user.unit_id)
