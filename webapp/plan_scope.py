"""Which plan a page is about: `?plan=<code>`, else the plan the user chose (kept in the
session), else the newest plan still followed."""

from flask import abort, request, session

from .extensions import db
from .models import Plan
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
