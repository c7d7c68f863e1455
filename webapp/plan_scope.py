"""Which plan a page is about: `?plan=<code>`, else the plan the user chose (kept in the
session), else the newest plan still followed."""

import re

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
    return db.session().get(Unit, current_user.unit_id)
