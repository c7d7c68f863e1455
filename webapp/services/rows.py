"""The rows the pages show: each unit's report on a task, and the plan's tasks with their status.

Each builder runs a fixed number of queries, however many rows and units there are.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import case, func
from sqlmodel import Session, select

from ..models import Assignment, Plan, Report, ReportChange, Role, Section, Task, Unit, User
from .reports import BLANK_REPORT, BlankReport
from .status import LABELS, Derived, StatusView, row_status, unit_status
from .text import fold

ROLE_LABELS = {Role.LEAD: "Chủ trì", Role.SUPPORT: "Phối hợp"}


@dataclass
class Filters:
    """What the lists can be narrowed to; every value comes from the page's query string."""

    q: str = ""
    status: str = ""
    role: str = ""
    section: str = ""
    unit: str = ""
    overdue: bool = False

    def key(self) -> tuple:
        return (self.q, self.status, self.role, self.section, self.unit, self.overdue)

    def matches(self, status: StatusView) -> bool:
        return (not self.status or status.code.value == self.status) and (not self.overdue or status.overdue)


@dataclass
class ReportRow:
    """One unit's report on one task, as a row of a page."""

    task: Task
    section: Section
    unit: Unit
    role: Role
    report: Report | BlankReport
    status: StatusView
    updated_by: User | None = None
    rights: object = None  # permissions.ReportRights, set by the view

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]

    @property
    def reported(self) -> bool:
        return self.report.version > 0


@dataclass
class OverviewRow:
    task: Task
    section: Section
    status: StatusView
    leads: list[Unit] = field(default_factory=list)
    reported: int = 0  # leads that have reported
    supporters: int = 0

    @property
    def lead_names(self) -> str:
        return ", ".join(unit.name for unit in self.leads)


def _search(statement, q: str):
    """Rows whose texts hold the words typed, in that order, diacritics and case aside."""
    phrase = " ".join(fold(q).split())
    return statement.where(Task.search_text.contains(phrase, autoescape=True)) if phrase else statement


def _users(session: Session, reports) -> dict[int, User]:
    ids = {r.updated_by_id for r in reports if r.updated_by_id}
    return {u.id: u for u in session.exec(select(User).where(User.id.in_(ids)))} if ids else {}


def unit_rows(session: Session, *, plan: Plan, unit: Unit, today: date, filters: Filters) -> list[ReportRow]:
    """The unit's rows, grouped by section, lead rows first in each."""
    lead_first = case((Assignment.role == Role.LEAD, 0), else_=1)
    statement = (
        select(Task, Section, Assignment.role)
        .join(Section, Task.section_id == Section.id)
        .join(Assignment, Assignment.task_id == Task.id)
        .where(Task.plan_id == plan.id, Assignment.unit_id == unit.id)
        .order_by(Section.position, lead_first, Task.position)
    )
    if filters.role in ("lead", "support"):
        statement = statement.where(Assignment.role == Role(filters.role))
    if filters.section:
        statement = statement.where(Section.code == filters.section)
    found = session.exec(_search(statement, filters.q)).all()
    reports = {
        r.task_id: r
        for r in session.exec(
            select(Report).where(Report.unit_id == unit.id, Report.task_id.in_([t.id for t, _, _ in found]))
        )
    } if found else {}
    users = _users(session, reports.values())
    rows = []
    for task, section, role in found:
        report = reports.get(task.id) or BLANK_REPORT
        status = unit_status(task, report, today)
        if filters.matches(status):
            rows.append(ReportRow(task, section, unit, role, report, status, users.get(report.updated_by_id)))
    return rows


def task_rows(session: Session, *, task: Task, today: date) -> list[ReportRow]:
    """Every assigned unit's report on a task: leads first, then supporters."""
    section = session.get(Section, task.section_id)
    lead_first = case((Assignment.role == Role.LEAD, 0), else_=1)
    assigned = session.exec(
        select(Assignment.role, Unit)
        .join(Unit, Assignment.unit_id == Unit.id)
        .where(Assignment.task_id == task.id)
        .order_by(lead_first, Assignment.id)
    ).all()
    reports = {r.unit_id: r for r in session.exec(select(Report).where(Report.task_id == task.id))}
    users = _users(session, reports.values())
    rows = []
    for role, unit in assigned:
        report = reports.get(unit.id) or BLANK_REPORT
        rows.append(ReportRow(task, section, unit, role, report, unit_status(task, report, today),
                              users.get(report.updated_by_id)))
    return rows


def report_row(session: Session, *, task: Task, unit: Unit, role: Role, report: Report | None, today: date) -> ReportRow:
    report = report or BLANK_REPORT
    section = session.get(Section, task.section_id)
    updated_by = session.get(User, report.updated_by_id) if report.updated_by_id else None
    return ReportRow(task, section, unit, role, report, unit_status(task, report, today), updated_by)


def task_history(session: Session, *, task: Task) -> list[tuple[ReportChange, Unit, User | None]]:
    """Every change to the task's reports, newest first."""
    return session.exec(
        select(ReportChange, Unit, User)
        .join(Report, ReportChange.report_id == Report.id)
        .join(Unit, Report.unit_id == Unit.id)
        .outerjoin(User, ReportChange.changed_by_id == User.id)
        .where(Report.task_id == task.id)
        .order_by(ReportChange.changed_at.desc(), ReportChange.id.desc())
    ).all()


def data_version(session: Session, plan: Plan) -> tuple[int, int]:
    """Changes whenever anything the plan's lists show changes: its rows (the plan's
    revision) or any report (every save adds to the append-only history)."""
    last_change = session.exec(select(func.max(ReportChange.id))).one()
    return plan.revision, last_change or 0


def overview_rows(session: Session, *, plan: Plan, today: date, filters: Filters) -> list[OverviewRow]:
    """Every row of the plan with its derived status and its leads: four queries in all.

    Assignments and reports are read as plain columns: building a model object for each
    of the plan's thousand assignments would cost more than the rest of the page.
    """
    statement = (
        select(Task, Section)
        .join(Section, Task.section_id == Section.id)
        .where(Task.plan_id == plan.id)
        .order_by(Task.position)
    )
    if filters.section:
        statement = statement.where(Section.code == filters.section)
    if filters.unit:
        statement = statement.where(
            Task.id.in_(select(Assignment.task_id).join(Unit).where(Unit.code == filters.unit))
        )
    found = session.exec(_search(statement, filters.q)).all()
    if not found:
        return []
    task_ids = [t.id for t, _ in found]
    units = {u.id: u for u in session.exec(select(Unit))}
    assignments = defaultdict(list)
    for task_id, role, unit_id in session.exec(
        select(Assignment.task_id, Assignment.role, Assignment.unit_id)
        .where(Assignment.task_id.in_(task_ids)).order_by(Assignment.id)
    ):
        assignments[task_id].append((role, unit_id))
    reports = {
        (r.task_id, r.unit_id): r
        for r in session.exec(
            select(Report.task_id, Report.unit_id, Report.status, Report.completed_on)
            .where(Report.task_id.in_(task_ids))
        )
    }
    rows = []
    for task, section in found:
        lead_ids = [unit_id for role, unit_id in assignments[task.id] if role == Role.LEAD]
        lead_reports = [reports.get((task.id, unit_id)) for unit_id in lead_ids]
        status = row_status(task, lead_reports, today)
        if filters.matches(status):
            rows.append(OverviewRow(
                task, section, status, [units[unit_id] for unit_id in lead_ids],
                reported=sum(1 for r in lead_reports if r is not None),
                supporters=len(assignments[task.id]) - len(lead_ids),
            ))
    return rows


STATUS_CHOICES = [(derived.value, LABELS[derived]) for derived in Derived]
