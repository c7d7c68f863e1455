"""The read-only data API (/api/v1), for the provincial information and command centre
(plan rows A.I.4 and A.II.5). Authenticated by per-user tokens, scoped by the same policy
as the pages: a unit's token sees the rows its unit leads or supports."""

from flask import Blueprint, abort, g, jsonify, request, url_for
from sqlmodel import select

from .. import permissions
from ..extensions import csrf, db
from ..models import Assignment, Period, Plan, Section, Task, Unit
from ..plan_scope import id_arg
from ..services import api_tokens, clock
from ..services.evidence import attached_by_row
from ..services.periods import open_period_of, periods_of
from ..services.plans import PlanNotFound, find_plan
from ..services.rows import task_states
from ..services.targets import summaries
from ..services.text import by_vietnamese_name
from .openapi import SPEC

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


@bp.before_request
def _token_user():
    if request.endpoint == "api.openapi":
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    user = api_tokens.user_for(db.session(), token.strip()) if scheme.lower() == "bearer" and token else None
    if user is None:
        response = jsonify(error="Thiếu token hợp lệ: gửi «Authorization: Bearer <token>».")
        response.status_code = 401
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
        return response
    g.api_user = user
    return None


def _plan(code: str) -> Plan:
    try:
        return find_plan(db.session(), code)
    except PlanNotFound:
        abort(404, description=f"Không có kế hoạch «{code}».")


def _visible_task_ids(plan: Plan) -> set[int] | None:
    """None: every row; else the rows of the token user's unit."""
    user = g.api_user
    if permissions.sees_every_row(user):
        return None
    if not permissions.has_unit_home(user):
        return set()
    return set(db.session().exec(select(Assignment.task_id).join(Task).where(
        Task.plan_id == plan.id, Assignment.unit_id == user.unit_id)).all())


def _date(value):
    return value.isoformat() if value else None


def _status(status) -> dict:
    return {"code": status.code.value, "label": status.label, "overdue": status.overdue, "blocked": status.blocked}


def _file(f, plan_code: str, ref: str, unit_code: str) -> dict:
    return {"name": f.attachment.file_name, "type": f.stored.media_type, "size": f.stored.size,
            "sha256": f.stored.sha256, "uploaded_at": f.attachment.uploaded_at.isoformat(),
            "url": url_for("tasks.download_file", ref=ref, unit_code=unit_code, attachment_id=f.attachment.id,
                           plan=plan_code, _external=True)}


def _task(state, plan_code: str, files: dict) -> dict:
    t = state.task
    return {
        "ref": t.ref, "section": state.section.code, "stt": t.stt, "content": t.content, "lead": t.lead_text,
        "support": t.support_text, "timeframe": t.timeframe_text, "product": t.product, "extra": t.extra,
        "due_on": _date(state.status.due_on), "starts_on": _date(t.starts_on), "recurrence": t.recurrence.value,
        "status": _status(state.status),
        "assignments": [
            {"unit": unit.code, "unit_name": unit.name, "role": assignment.role.value, "phrase": assignment.phrase,
             "status": _status(status), "percent": report.percent if report else 0,
             "updated_at": report.updated_at.isoformat() if report and report.updated_at else None,
             "files": [_file(f, plan_code, t.ref, unit.code) for f in files.get((t.id, unit.id), [])]}
            for assignment, unit, report, status in state.units
        ],
    }


@bp.get("/openapi.json")
def openapi():
    return jsonify(SPEC)


@bp.get("/plans")
def plans():
    found = db.session().exec(select(Plan).order_by(Plan.issued_on.desc(), Plan.id.desc())).all()
    return jsonify([{"code": p.code, "number": p.number, "title": p.title, "issuer": p.issuer,
                     "issued_on": _date(p.issued_on), "active": p.active, "extra_columns": p.extra_columns}
                    for p in found])


@bp.get("/units")
def units():
    found = by_vietnamese_name(db.session().exec(select(Unit).order_by(Unit.id)))
    codes = {u.id: u.code for u in found}
    return jsonify([{"code": u.code, "name": u.name, "short_name": u.short_name, "kind": u.kind.value,
                     "parent": codes.get(u.parent_id), "active": u.active} for u in found])


@bp.get("/plans/<code>/sections")
def sections(code: str):
    plan = _plan(code)
    found = db.session().exec(select(Section).where(Section.plan_id == plan.id).order_by(Section.position)).all()
    codes = {s.id: s.code for s in found}
    return jsonify([{"code": s.code, "stt": s.stt, "title": s.title, "parent": codes.get(s.parent_id)} for s in found])


@bp.get("/plans/<code>/tasks")
def tasks(code: str):
    plan = _plan(code)
    states = task_states(db.session(), plan=plan, today=clock.today(), task_ids=_visible_task_ids(plan))
    files = attached_by_row(db.session(), [s.task.id for s in states])
    return jsonify([_task(s, plan.code, files) for s in states])


@bp.get("/plans/<code>/tasks/<ref>")
def task(code: str, ref: str):
    plan = _plan(code)
    found = db.session().exec(select(Task.id).where(Task.plan_id == plan.id, Task.ref == ref)).first()
    visible = _visible_task_ids(plan)
    if found is None or (visible is not None and found not in visible):
        abort(404, description=f"Không có nhiệm vụ «{ref}» trong phạm vi của token.")
    [state] = task_states(db.session(), plan=plan, today=clock.today(), task_ids={found})
    return jsonify(_task(state, plan.code, attached_by_row(db.session(), [found])))


@bp.get("/plans/<code>/periods")
def periods(code: str):
    plan = _plan(code)
    return jsonify([{"id": p.id, "label": p.label, "kind": p.kind.value, "starts_on": _date(p.starts_on),
                     "ends_on": _date(p.ends_on), "deadline": _date(p.deadline), "closed": not p.is_open}
                    for p in periods_of(db.session(), plan)])


@bp.get("/plans/<code>/indicators")
def indicators(code: str):
    plan = _plan(code)
    session = db.session()
    period_id = id_arg("period")
    period = session.get(Period, period_id) if period_id else open_period_of(session, plan)
    if period_id and (period is None or period.plan_id != plan.id):
        abort(404, description="Không có kỳ báo cáo này.")
    user = g.api_user
    whole = permissions.can_see_dashboard(user)
    result = []
    for s in summaries(session, plan=plan, period=period, as_of=clock.today()):
        if not whole and not any(u.id == user.unit_id for u in s.units):
            continue
        codes = {u.id: u.code for u in s.units}
        values = [v for v in s.values if whole or v.unit_id == user.unit_id]
        i = s.indicator
        result.append({
            "id": i.id, "task": s.task.ref, "name": i.name, "target_value": i.target_value,
            "unit_of_measure": i.unit_of_measure, "direction": i.direction.value, "level": i.level.value,
            "target_date": _date(i.target_date), "yearly_step": i.yearly_step, "actual": s.actual if whole else None,
            "progress": s.progress.value if whole else "",
            "values": [{"unit": codes.get(v.unit_id, ""), "value": v.value, "source": v.source} for v in values],
        })
    return jsonify(result)
