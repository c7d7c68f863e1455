"""The rows the pages show: each unit's report on a task, and the plan's tasks with their status.

Each builder runs a fixed number of queries, however many rows and units there are.
"""

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Row, String, bindparam, case, cast, func
from sqlmodel import Session, select

from ..database import PreparedRead, by_id, shown_rows
from ..models import (
    Assignment,
    Period,
    PeriodAttachment,
    PeriodReport,
    Plan,
    Report,
    ReportChange,
    ReviewState,
    Role,
    Section,
    Task,
    Unit,
    User,
)
from .deadlines import approved_extensions, extended_to, extensions_of_rows
from .evidence import attached_by_row
from .paging import Page
from .periods import DUE_COLUMNS, STATE_LABELS, TASK_COLUMNS, changed_fields, live_standing
from .reports import BLANK_REPORT, FIELD_LABELS, LEAD_NOTE_LABEL, STATUS_LABELS, BlankReport
from .status import BLOCKED_LABEL, DONE, LABELS, Derived, StatusView, row_status, unit_status
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
        if self.status == BLOCKED:
            wanted = status.blocked
        elif self.status == FINISHED:
            wanted = status.code in DONE
        else:
            wanted = not self.status or status.code.value == self.status
        return wanted and (not self.overdue or status.overdue)


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
    copy: Row | None = None  # what the unit sent for the open period, and its review (a PeriodReport's columns)
    extension: Row | None = None  # a request for a later date, waiting for an answer (an Extension's columns)
    period: Period | None = None  # the open period of the row's plan, if any
    plan: Plan | None = None
    rights: object = None  # permissions.ReportRights, set by the view
    asking_to_send_blank: bool = False  # set by the view: «Gửi báo cáo» of a never-filled report asks first
    files: list = field(default_factory=list)  # evidence attached now (services.evidence.EvidenceFile)

    @property
    def anchor(self) -> str:
        """The row's id in a page, unique even where several plans share refs."""
        return f"report-{self.plan.code}-{self.task.ref}-{self.unit.code}"

    @property
    def role_label(self) -> str:
        return ROLE_LABELS[self.role]

    @property
    def reported(self) -> bool:
        return self.report.version > 0

    @property
    def said_label(self) -> str:
        """What the unit itself says of its work («Đang thực hiện»; for a recurring row, in this
        cycle), beside the row's bucket."""
        return STATUS_LABELS[self.status.said]

    @property
    def changes_since_sent(self) -> list[str]:
        """What the live report says otherwise than what was sent for the period, so that the
        row can say it: its fields (the percent with its figure now) and its files
        (services.evidence.files_changed_since_sent, for one row). Empty when nothing changed."""
        if self.copy is None:
            return []
        fields = changed_fields(self.report, self.copy)
        # Every field the unit writes; the day it finished follows its status, which says it.
        changed = [f"tỷ lệ hoàn thành nay {self.report.percent}%" if name == "percent" else self._field_label(name)
                   for name in fields if name != "completed_on"]
        if not changed and fields:
            changed.append(FIELD_LABELS["status"].lower())
        sent_files = {int(i) for i in (self.copy.sent_file_ids or "").split(",") if i}
        if sent_files != {f.attachment.id for f in self.files}:
            changed.append("tệp minh chứng")
        return changed

    def _field_label(self, name: str) -> str:
        """A field as the row's form names it: a lead's note is its «Ghi chú»."""
        if name == "contribution_note" and self.role == Role.LEAD:
            return LEAD_NOTE_LABEL.lower()
        return FIELD_LABELS[name].lower()

    @property
    def changed_since_sent(self) -> bool:
        return bool(self.changes_since_sent)

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.copy.state] if self.copy else ""

    @property
    def accepted_before(self) -> dict | None:
        """The version accepted before the one now sent or returned, which still counts."""
        return self.copy.accepted_values if self.copy and self.copy.state != ReviewState.ACCEPTED else None

    @property
    def needs_sending(self) -> bool:
        """Not sent for the open period, returned, or changed since sent (accepted or not)."""
        if self.period is None:
            return False
        return self.copy is None or self.copy.state == ReviewState.RETURNED or self.changed_since_sent

    @property
    def never_filled(self) -> bool:
        """A lead row its unit has never written anything on: nothing to send."""
        return self.role == Role.LEAD and not self.reported

    @property
    def can_send(self) -> bool:
        return bool(self.rights and self.rights.submit and self.needs_sending)

    @property
    def can_ask_extension(self) -> bool:
        return bool(self.rights and self.rights.submit and self.status.due_on and self.extension is None
                    and self.status.code not in DONE)


# Each copy with the ids of the files it was sent with («3,7»), compared with the files attached
# now: a file added or removed since is a change to send again, as a field is.
_SENT_FILE_IDS = (select(func.aggregate_strings(cast(PeriodAttachment.attachment_id, String), ","))
                  .where(PeriodAttachment.period_report_id == PeriodReport.id)
                  .scalar_subquery().label("sent_file_ids"))
COPIES_OF_ROWS = PreparedRead(
    select(PeriodReport, _SENT_FILE_IDS).where(PeriodReport.period_id.in_(bindparam("period_ids", expanding=True)),
                                               PeriodReport.task_id.in_(bindparam("task_ids", expanding=True))),
    PeriodReport.unit_id,
)


class RowContext:
    """What rows need beyond the reports: extensions, the open periods' copies (one query each).

    periods: plan id -> its open period, for the plans the rows come from.
    """

    def __init__(self, session: Session, task_ids, *, plans: dict[int, Plan], periods: dict[int, Period],
                 unit_id: int | None = None):
        task_ids = list(task_ids)
        self.session, self.plans, self.periods = session, plans, periods
        self.row_statuses: dict[int, dict[int, StatusView]] = {}  # plan id -> task id -> the row's status
        self.approved: dict = {}
        self.copies: dict = {}
        self.pending: dict = {}
        self.files: dict = {}
        if not task_ids:
            return
        self.approved, self.pending = extensions_of_rows(session, task_ids, unit_id)
        self.files = attached_by_row(session, task_ids, unit_id)
        if periods:
            copies = shown_rows(session, COPIES_OF_ROWS.of(unit_id), {
                "period_ids": [p.id for p in periods.values()], "task_ids": task_ids, "unit_id": unit_id})
            self.copies = {(c.task_id, c.unit_id): c for c in copies}

    def row(self, task, section, unit, role, report, today, updated_by) -> ReportRow:
        # A supporting unit says nothing of the status: its row stands as the row does, by its
        # leads' reports and due dates (its own blank status would read overdue on a finished row).
        status = self.row_status(task, today) if role == Role.SUPPORT else None
        if status is None:
            status = unit_status(task, report, today, extended_to(task, unit.id, self.approved, today))
        copy = self.copies.get((task.id, unit.id))
        return ReportRow(task, section, unit, role, report, status, updated_by, copy,
                         self.pending.get((task.id, unit.id)), self.periods.get(task.plan_id), self.plans[task.plan_id],
                         files=self.files.get((task.id, unit.id), []))

    def row_status(self, task, today) -> StatusView | None:
        """The row's status by its leads, from the plan's live standing (read once a request)."""
        statuses = self.row_statuses.get(task.plan_id)
        if statuses is None:
            standing = live_standing(self.session, plan=self.plans[task.plan_id], today=today)
            statuses = self.row_statuses[task.plan_id] = {row.task.id: row.status for row in standing.rows}
        return statuses.get(task.id)


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


def section_choices(session: Session, plan: Plan):
    """The plan's sections as (code, title, parent_id), in the appendix's order, for the filters."""
    return session.exec(select(Section.code, Section.title, Section.parent_id)
                        .where(Section.plan_id == plan.id).order_by(Section.position)).all()


def _search(statement, q: str):
    """Rows whose texts hold the words typed, in that order, diacritics and case aside."""
    phrase = " ".join(fold(q).split())
    return statement.where(Task.search_text.contains(phrase, autoescape=True)) if phrase else statement


def _users(session: Session, reports) -> dict[int, User]:
    ids = {r.updated_by_id for r in reports if r.updated_by_id}
    return {u.id: u for u in session.exec(select(User).where(User.id.in_(ids)))} if ids else {}


def unit_rows(session: Session, *, plans: list[Plan], unit: Unit, today: date, filters: Filters,
              periods: dict[int, Period] | None = None) -> list[ReportRow]:
    """The unit's rows in the plans given (in their order), by section, lead rows first in each.

    periods: each plan's open period (plan id -> period), whose copies the rows show.
    """
    if not plans:
        return []
    plan_first = case({plan.id: index for index, plan in enumerate(plans)}, value=Task.plan_id)
    lead_first = case((Assignment.role == Role.LEAD, 0), else_=1)
    statement = (
        select(Task, Section, Assignment.role)
        .join(Section, Task.section_id == Section.id)
        .join(Assignment, Assignment.task_id == Task.id)
        .where(Task.plan_id.in_([plan.id for plan in plans]), Assignment.unit_id == unit.id)
        .order_by(plan_first, Section.position, lead_first, Task.position)
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
    context = RowContext(session, [t.id for t, _, _ in found], plans={plan.id: plan for plan in plans},
                         periods=periods or {}, unit_id=unit.id)
    rows = []
    for task, section, role in found:
        report = reports.get(task.id) or BLANK_REPORT
        row = context.row(task, section, unit, role, report, today, users.get(report.updated_by_id))
        if filters.matches(row.status):
            rows.append(row)
    return rows


@dataclass
class RowCounts:
    """A unit's rows counted by role, each with its overdue ones, so that «quá hạn» always says
    whose: the rows the unit leads, or those it supports."""

    lead: int = 0
    support: int = 0
    lead_overdue: int = 0
    support_overdue: int = 0

    @classmethod
    def of(cls, rows: list[ReportRow]) -> "RowCounts":
        counts = cls()
        for row in rows:
            if row.role == Role.LEAD:
                counts.lead += 1
                counts.lead_overdue += row.status.overdue
            else:
                counts.support += 1
                counts.support_overdue += row.status.overdue
        return counts


@dataclass
class Sending:
    """What «Gửi tất cả» would send: the lead rows ready to go (never sent, returned, or changed
    since sent), and those never filled in, which are not sent but listed."""

    ready: list[ReportRow] = field(default_factory=list)
    blank: list[ReportRow] = field(default_factory=list)


def sending(rows: list[ReportRow]) -> Sending:
    found = Sending()
    for row in rows:
        if row.role == Role.LEAD and row.needs_sending:
            (found.blank if row.never_filled else found.ready).append(row)
    return found


def by_plan(rows: list[ReportRow]) -> list[tuple[Plan, list[ReportRow]]]:
    """Rows in their order, cut where the plan changes."""
    groups: list[tuple[Plan, list[ReportRow]]] = []
    for row in rows:
        if not groups or groups[-1][0].id != row.plan.id:
            groups.append((row.plan, []))
        groups[-1][1].append(row)
    return groups


def _single_plan_context(session: Session, task: Task, period: Period | None, unit_id: int | None = None):
    plan = by_id(session, Plan, task.plan_id)
    return RowContext(session, [task.id], plans={plan.id: plan}, periods={plan.id: period} if period else {},
                      unit_id=unit_id)


def task_rows(session: Session, *, task: Task, today: date, period: Period | None = None) -> list[ReportRow]:
    """Every assigned unit's report on a task: leads first, then supporters."""
    section = by_id(session, Section, task.section_id)
    lead_first = case((Assignment.role == Role.LEAD, 0), else_=1)
    assigned = session.exec(
        select(Assignment.role, Unit)
        .join(Unit, Assignment.unit_id == Unit.id)
        .where(Assignment.task_id == task.id)
        .order_by(lead_first, Assignment.id)
    ).all()
    reports = {r.unit_id: r for r in session.exec(select(Report).where(Report.task_id == task.id))}
    users = _users(session, reports.values())
    context = _single_plan_context(session, task, period)
    rows = []
    for role, unit in assigned:
        report = reports.get(unit.id) or BLANK_REPORT
        rows.append(context.row(task, section, unit, role, report, today, users.get(report.updated_by_id)))
    return rows


def row_maker(session: Session, *, task: Task, section: Section, unit: Unit, role: Role, today: date,
              period: Period | None = None) -> Callable[[Report | BlankReport | None], ReportRow]:
    """Reads what one unit's row shows beside its report (extensions, files, the period's
    copy) and gives what makes the row for a report: a save reads all this before its write,
    which changes the report alone."""
    context = _single_plan_context(session, task, period, unit.id)

    def make(report: Report | BlankReport | None) -> ReportRow:
        report = report or BLANK_REPORT
        updated_by = by_id(session, User, report.updated_by_id) if report.updated_by_id else None
        return context.row(task, section, unit, role, report, today, updated_by)

    return make


HISTORY_PAGE = 50


@dataclass
class HistoryPage:
    """Some of a task's changes, newest first, and where the older ones start."""
    items: list[tuple[ReportChange, Unit, User | None]]
    start: int
    total: int

    @property
    def next_start(self) -> int | None:
        following = self.start + len(self.items)
        return following if following < self.total else None


def task_history(session: Session, *, task: Task, start: int = 0, size: int = HISTORY_PAGE) -> HistoryPage:
    """A page of the changes to the task's reports, newest first: a recurring row reported on
    by thirty units for years has thousands."""
    of_task = (select(ReportChange, Unit, User)
               .join(Report, ReportChange.report_id == Report.id)
               .join(Unit, Report.unit_id == Unit.id)
               .outerjoin(User, ReportChange.changed_by_id == User.id)
               .where(Report.task_id == task.id))
    total = session.exec(select(func.count()).select_from(ReportChange).join(Report, ReportChange.report_id == Report.id)
                         .where(Report.task_id == task.id)).one()
    items = session.exec(of_task.order_by(ReportChange.changed_at.desc(), ReportChange.id.desc())
                         .offset(start).limit(size)).all()
    return HistoryPage(items=list(items), start=start, total=total)


def data_version(session: Session, plan: Plan) -> tuple[int, int]:
    """Changes whenever anything the plan's lists show changes: its rows (the plan's
    revision) or any report (every save adds to the append-only history)."""
    last_change = session.exec(select(func.max(ReportChange.id))).one()
    return plan.revision, last_change or 0


def overview_rows(session: Session, *, plan: Plan, today: date, filters: Filters) -> list[OverviewRow]:
    """Every row of the plan with its status (the live standing's) and its leads.

    Rows, assignments and reports are read as plain columns: building a model object for
    each of a province's thousands would cost more than the rest of the page. A row holds
    only what its status needs (DUE_COLUMNS); overview_page reads the texts of the rows it shows.
    """
    statement = (
        select(*DUE_COLUMNS, Task.section_id)
        .join(Section, Task.section_id == Section.id)
        .where(Task.plan_id == plan.id)
        .order_by(Task.position)
    )
    if filters.section:
        statement = statement.where(Section.code == filters.section)
    if filters.unit:
        # The unit's rows; with a role, only those it leads (or supports), as the dashboard counts them.
        assigned = select(Assignment.task_id).join(Unit).where(Unit.code == filters.unit)
        if filters.role in ("lead", "support"):
            assigned = assigned.where(Assignment.role == Role(filters.role))
        statement = statement.where(Task.id.in_(assigned))
    found = session.exec(_search(statement, filters.q)).all()
    if not found:
        return []
    task_ids = [t.id for t in found]
    sections = {s.id: s for s in session.exec(select(Section).where(Section.plan_id == plan.id))}
    units = {u.id: u for u in session.exec(select(Unit))}
    assignments = defaultdict(list)
    for task_id, role, unit_id in session.exec(
        select(Assignment.task_id, Assignment.role, Assignment.unit_id)
        .where(Assignment.task_id.in_(task_ids)).order_by(Assignment.id)
    ):
        assignments[task_id].append((role, unit_id))
    standing = live_standing(session, plan=plan, today=today)
    derived = {row.task.id: row for row in standing.rows}
    # The rows one unit leads are judged by its own report, as the dashboard's line for it
    # counts them (a row's status also weighs its other leads).
    own_unit = next((u.id for u in units.values() if u.code == filters.unit), None) if filters.role == "lead" else None
    rows = []
    for task in found:
        lead_ids = [unit_id for role, unit_id in assignments[task.id] if role == Role.LEAD]
        row = derived.get(task.id)  # none for a row stored since the request read its plan: shown next time
        if row is None:
            continue
        lead = standing.leads.get((task.id, own_unit)) if own_unit else None
        status = lead.status if lead is not None and lead.status is not None else row.status
        if filters.matches(status):
            rows.append(OverviewRow(task, sections[task.section_id], status, [units[unit_id] for unit_id in lead_ids],
                                    reported=row.reported, supporters=len(assignments[task.id]) - len(lead_ids)))
    return rows


OVERVIEW_PAGE_SIZE = 100


@dataclass
class OverviewPage:
    page: Page  # of OverviewRows
    counts: Counter  # the bucket of every row that matches, not only of the page's
    judged_by: str = ""  # the unit whose own reports give the statuses, when the rows are those it leads

    def count_rows(self) -> list[tuple[str, int]]:
        """(label, count) of the buckets that have rows, in the reports' order."""
        return [(LABELS[derived], self.counts[derived.value]) for derived in Derived if self.counts[derived.value]]


def overview_page(session: Session, *, plan: Plan, today: date, filters: Filters, number: int) -> OverviewPage:
    """A page of the rows that match, with every matching row counted by bucket."""
    rows = overview_rows(session, plan=plan, today=today, filters=filters)
    page = Page.of(rows, number, OVERVIEW_PAGE_SIZE)
    shown = {t.id: t for t in session.exec(select(*TASK_COLUMNS).where(Task.id.in_([r.task.id for r in page.items])))}
    for row in page.items:
        row.task = shown[row.task.id]
    judged_by = session.exec(select(Unit.name).where(Unit.code == filters.unit)).first() \
        if filters.unit and filters.role == "lead" else None
    return OverviewPage(page, Counter(row.status.code.value for row in rows), judged_by or "")


BLOCKED = "blocked"  # the flag, offered beside the buckets in the filters
FINISHED = "done"  # both «hoàn thành» buckets, as the leader's glance counts them
STATUS_CHOICES = [(derived.value, LABELS[derived]) for derived in Derived] + [
    (FINISHED, "Hoàn thành (đúng hạn và quá hạn)"), (BLOCKED, BLOCKED_LABEL)]


@dataclass
class TaskState:
    """A row with every assigned unit's report and status, for the data API."""

    task: Task
    section: Section
    status: StatusView
    units: list[tuple[Assignment, Unit, Report | None, StatusView]] = field(default_factory=list)


def task_states(session: Session, *, plan: Plan, today: date, task_ids: set[int] | None = None) -> list[TaskState]:
    """Every row (or those named) with its units, reports and statuses: five queries in all."""
    found = session.exec(
        select(Task, Section).join(Section, Task.section_id == Section.id)
        .where(Task.plan_id == plan.id).order_by(Task.position)
    ).all()
    if task_ids is not None:
        found = [(t, s) for t, s in found if t.id in task_ids]
    ids = [t.id for t, _ in found]
    if not ids:
        return []
    units = {u.id: u for u in session.exec(select(Unit))}
    lead_first = case((Assignment.role == Role.LEAD, 0), else_=1)
    assigned = defaultdict(list)
    for assignment in session.exec(select(Assignment).where(Assignment.task_id.in_(ids))
                                   .order_by(Assignment.task_id, lead_first, Assignment.id)):
        assigned[assignment.task_id].append(assignment)
    reports = {(r.task_id, r.unit_id): r for r in session.exec(select(Report).where(Report.task_id.in_(ids)))}
    approved = approved_extensions(session, ids)
    states = []
    for task, section in found:
        lines = []
        for assignment in assigned[task.id]:
            report = reports.get((task.id, assignment.unit_id))
            status = unit_status(task, report, today, extended_to(task, assignment.unit_id, approved, today))
            lines.append((assignment, units[assignment.unit_id], report, status))
        status = row_status(task, [status for assignment, _, _, status in lines if assignment.role == Role.LEAD], today)
        # A supporting unit's line stands as the row does (RowContext.row).
        lines = [(assignment, unit, report, status if assignment.role == Role.SUPPORT else own)
                 for assignment, unit, report, own in lines]
        states.append(TaskState(task, section, status, lines))
    return states
