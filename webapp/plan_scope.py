"""Which plan a page is about: `?plan=<code>`, else the plan the user chose (kept in the
session), else the newest plan still followed."""

from flask import abort, request, session
from flask_login import current_user

from . import permissions
from .extensions import db
from .models import Plan, Unit
from .services.plans import PlanNotFound, find_plan


def current_plan() -> Plan:
    try:
        return find_plan(db.session(), request.args.get("plan") or session.get("plan"))
    except PlanNotFound as exc:
        abort(404, description=str(exc))


def id_arg(name: str) -> int | None:
    """An id from the query string: absent gives None; anything but a plausible id is refused."""
    value = request.args.get(name)
    if value is None or value == "":
        return None
    if not value.isdigit() or not 0 < int(value) < 2**31:
        abort(400, description=f"Tham số «{name}» phải là mã số hợp lệ.")
    return int(value)


def own_unit() -> Unit:
    """The unit of the signed-in focal point; anyone else is refused."""
    if not permissions.has_unit_home(current_user):
        abort(403)
    return db.session().get(Unit, current_user.unit_id)
