"""The plan's pages: for now its home page, the sections of the appendix."""

from flask import Blueprint, render_template
from sqlalchemy import func
from sqlmodel import select

from ..extensions import db
from ..models import Section, Task
from ..services.plans import PlanNotFound, find_plan

bp = Blueprint("tasks", __name__)


@bp.get("/")
def index():
    session = db.session()
    try:
        plan = find_plan(session)
    except PlanNotFound:
        return render_template("tasks/index.html", plan=None, sections=[], counts={})
    sections = session.exec(select(Section).where(Section.plan_id == plan.id).order_by(Section.position)).all()
    counts = dict(
        session.exec(
            select(Task.section_id, func.count(Task.id)).where(Task.plan_id == plan.id).group_by(Task.section_id)
        ).all()
    )
    return render_template("tasks/index.html", plan=plan, sections=sections, counts=counts)
