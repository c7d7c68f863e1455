"""Which plan a page is about: `?plan=<code>` or, by default, the newest plan."""

from flask import abort, request

from .extensions import db
from .models import Plan
from .services.plans import PlanNotFound, find_plan


def current_plan() -> Plan:
    try:
        return find_plan(db.session(), request.args.get("plan"))
    except PlanNotFound as exc:
        abort(404, description=str(exc))
