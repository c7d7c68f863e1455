"""Reporting periods and the review loop (plan section IV: units report each quarter,
half-year and year; Sở Nội vụ follows them up).

- A period is opened by the reviewer and closed later; at most one is open per plan.
- A lead unit's report is a draft (its live report) until the unit submits it for the
  open period: the submission copies it into the period. The reviewer accepts it or
  returns it with a comment; a returned report is submitted again.
- A report returned, or not submitted, counts as not reported until it is accepted.
- Closing freezes the period: each lead's status and each row's status are stored as
  they stood on the period's last day, and never change afterwards.
- A new period needs no copying: each unit's live report carries on. A lead's report accepted
  as done in the period before, and unchanged since, counts as accepted in the new one too: a
  finished task is not sent again each period (a recurring one is).
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from weakref import WeakKeyDictionary

from sqlalchemy import bindparam, func
from sqlmodel import Field, Session, select

from ..database import lock_for_write
from ..models import (
    REPORT_FIELDS,
    Assignment,
    Period,
    PeriodAttachment,
    PeriodKind,
    PeriodReport,
    PeriodTaskStatus,
    Plan,
    Recurrence,
    Report,
    ReportChange,
    ReportFields,
    ReportStatus,
    ReviewState,
    Role,
    Task,
    Unit,
    User,
)
from . import clock
from .deadlines import approved_extensions, extended_to
from .evidence import (
    Limits,
    Upload,
    attach_to_review,
    check_review_files,
    files_changed_since_sent,
    keep_with_copy,
    sent_file_ids,
)
from .kept import Kept
from .paging import Page
from .reports import ensure_report
from .status import LABELS, Derived, StatusView, row_status, unit_status
from .text import by_vietnamese_name, vietnamese_key

NOT_REPORTED = "not_reported"
PERIOD_STATUS_LABELS = {**{d.value: label for d, label in LABELS.items()}, NOT_REPORTED: "Chưa báo cáo"}
STATE_LABELS = {
    ReviewState.SUBMITTED: "Đã gửi, chờ duyệt",
    ReviewState.ACCEPTED: "Đã chấp nhận",
    ReviewState.RETURNED: "Bị trả lại",
    ReviewState.MISSING: "Không gửi",
}
KIND_LABELS = {PeriodKind.QUARTER: "Quý", PeriodKind.HALF_YEAR: "6 tháng", PeriodKind.YEAR: "Năm"}


class PeriodError(ValueError):
    """A step that cannot be taken; the message is in Vietnamese."""


# Read by most pages about a plan: built once (see database.PreparedRead).
OPEN_PERIOD = select(Period).where(Period.plan_id == bindparam("plan_id"), Period.closed_at.is_(None))


def open_period_of(session: Session, plan: Plan) -> Period | None:
    return session.exec(OPEN_PERIOD, params={"plan_id": plan.id}).first()


def open_periods(session: Session, plans: list[Plan]) -> dict[int, Period]:
    """Each plan's open period, by plan id (plans without one are left out)."""
    if not plans:
        return {}
    return {period.plan_id: period for period in session.exec(select(Period).where(
        Period.plan_id.in_([plan.id for plan in plans]), Period.closed_at.is_(None)))}


def periods_of(session: Session, plan: Plan) -> list[Period]:
    return session.exec(select(Period).where(Period.plan_id == plan.id).order_by(Period.starts_on.desc())).all()


def judged_on(period: Period, today: date) -> date:
    """A period is judged on its last day, or today while that day has not come."""
    return min(period.ends_on, today)


YEARS_AHEAD = 10  # a period further ahead than this is a typing mistake


def open_period(session: Session, *, plan: Plan, kind: PeriodKind, label: str, starts_on: date, ends_on: date,
                deadline: date, user: User, today: date) -> Period:
    lock_for_write(session)
    if open_period_of(session, plan):
        session.rollback()
        raise PeriodError("Đang có một kỳ báo cáo mở: hãy đóng kỳ đó trước khi mở kỳ mới.")
    _check_period_dates(session, plan, label, starts_on, ends_on, deadline, today)
    period = Period(plan_id=plan.id, kind=kind, label=label.strip(), starts_on=starts_on, ends_on=ends_on,
                    deadline=deadline, opened_by_id=user.id, opened_at=clock.now())
    session.add(period)
    session.flush()
    carry_finished(session, period=period, user=user)
    session.commit()
    return period


def reports_held(session: Session, period: Period) -> set[tuple[int, int]]:
    """The (task, unit) of every lead report the period holds; just opened, those it kept
    accepted as finished (carry_finished)."""
    return set(session.exec(select(PeriodReport.task_id, PeriodReport.unit_id).where(PeriodReport.period_id == period.id)))


def carry_finished(session: Session, *, period: Period, user: User) -> int:
    """Each lead's report accepted as «Hoàn thành» in the plan's last closed period before this
    one, and unchanged since, accepted in this one too, with the files it was accepted with and
    a note saying so: a finished task is not sent again every period, and the period's figures
    do not count it unfinished. A row that recurs is reported anew. How many. No line goes into
    the history: a row with tens of leads would get tens of lines each period, hiding the rest."""
    previous = session.exec(select(Period).where(
        Period.plan_id == period.plan_id, Period.id != period.id, Period.closed_at.is_not(None),
        Period.ends_on < period.starts_on).order_by(Period.ends_on.desc())).first()
    if previous is None:
        return 0
    accepted_done = session.exec(
        select(PeriodReport, Report).join(Task, Task.id == PeriodReport.task_id)
        .join(Report, (Report.task_id == PeriodReport.task_id) & (Report.unit_id == PeriodReport.unit_id))
        .join(Assignment, (Assignment.task_id == PeriodReport.task_id) & (Assignment.unit_id == PeriodReport.unit_id))
        .where(PeriodReport.period_id == previous.id, PeriodReport.state == ReviewState.ACCEPTED,
               PeriodReport.status == ReportStatus.DONE, Task.recurrence == Recurrence.NONE,
               Assignment.role == Role.LEAD)).all()
    now = clock.now()
    carried = []
    refiled = files_changed_since_sent(session, [(live.id, copy.id) for copy, live in accepted_done])
    for copy, live in accepted_done:
        if differs(live, copy) or (live.id, copy.id) in refiled:
            continue  # changed since, its files too: the unit sends it again, as any change
        kept = PeriodReport(period_id=period.id, task_id=copy.task_id, unit_id=copy.unit_id,
                            **{name: getattr(copy, name) for name in REPORT_FIELDS}, state=ReviewState.ACCEPTED,
                            submitted_by_id=copy.submitted_by_id, submitted_at=copy.submitted_at,
                            reviewed_by_id=user.id, reviewed_at=now,
                            review_comment=f"Đã hoàn thành, được chấp nhận ở kỳ {previous.label}: giữ nguyên.")
        session.add(kept)
        carried.append((copy, kept))
    session.flush()
    files = sent_file_ids(session, [copy.id for copy, _ in carried])
    for copy, kept in carried:
        session.add_all(PeriodAttachment(period_report_id=kept.id, attachment_id=attachment_id)
                        for attachment_id in sorted(files[copy.id]))
    return len(carried)


def _check_period_dates(session: Session, plan: Plan, label: str, starts_on: date, ends_on: date, deadline: date,
                        today: date) -> None:
    if not label.strip():
        raise PeriodError("Hãy đặt tên kỳ, ví dụ «Quý III/2022».")
    if ends_on < starts_on:
        raise PeriodError("Ngày kết thúc kỳ phải sau ngày bắt đầu.")
    if deadline < starts_on:
        raise PeriodError("Hạn gửi báo cáo phải sau ngày bắt đầu kỳ.")
    # The quarter in which the plan was issued may start before it; a period over by then may not.
    if plan.issued_on and (ends_on < plan.issued_on or (plan.issued_on - starts_on).days > 366):
        raise PeriodError(f"Kỳ {starts_on:%d/%m/%Y} – {ends_on:%d/%m/%Y} nằm trước ngày ban hành kế hoạch "
                          f"({plan.issued_on:%d/%m/%Y}): hãy kiểm tra lại năm.")
    latest = today.replace(year=today.year + YEARS_AHEAD, day=min(today.day, 28))
    if max(ends_on, deadline) > latest:
        raise PeriodError(f"Ngày của kỳ quá xa (sau {latest:%d/%m/%Y}): hãy kiểm tra lại năm.")
    if (deadline - ends_on).days > 366:
        raise PeriodError("Hạn gửi báo cáo cách ngày kết thúc kỳ hơn một năm: hãy kiểm tra lại.")
    if session.exec(select(Period).where(Period.plan_id == plan.id, Period.label == label.strip())).first():
        raise PeriodError(f"Đã có kỳ «{label.strip()}».")
    overlapping = session.exec(select(Period).where(Period.plan_id == plan.id, Period.starts_on <= ends_on,
                                                    Period.ends_on >= starts_on)).first()
    if overlapping:
        raise PeriodError(f"Kỳ này trùng thời gian với kỳ «{overlapping.label}» ({overlapping.starts_on:%d/%m/%Y} – "
                          f"{overlapping.ends_on:%d/%m/%Y}) của cùng kế hoạch.")


def changed_fields(live, copy) -> list[str]:
    """The fields in which the live report says something else than the copy sent for the
    period (its files are compared apart: evidence.files_changed_since_sent)."""
    return [name for name in REPORT_FIELDS if getattr(live, name) != getattr(copy, name)]


def differs(live, copy) -> bool:
    return bool(changed_fields(live, copy))


class AcceptedVersion(ReportFields):
    """The version accepted before the one now sent again (PeriodReport.accepted_values): what
    it said, and the files it was accepted with (their attachment ids)."""

    file_ids: list[int] = Field(default_factory=list)


def counted_report(copy: PeriodReport) -> PeriodReport | AcceptedVersion | None:
    """What counts for the period: the copy once accepted; while a version sent after an
    acceptance waits for review (or was returned), the version accepted before it."""
    if copy.state == ReviewState.ACCEPTED:
        return copy
    if copy.accepted_values:
        return AcceptedVersion.model_validate(copy.accepted_values)
    return None


def submit(session: Session, *, period: Period, task: Task, unit: Unit, user: User,
           commit: bool = True) -> PeriodReport:
    """Copy the unit's live report into the open period, for review. An accepted report is sent
    again only when it changed since; what was accepted keeps counting until the new version is."""
    lock_for_write(session)
    if not period.is_open:
        session.rollback()
        raise PeriodError(f"Kỳ «{period.label}» đã đóng.")
    copy = _period_report(session, period, task, unit)
    live = ensure_report(session, task, unit, user)
    if copy is not None and copy.state == ReviewState.ACCEPTED:
        if not differs(live, copy) and not files_changed_since_sent(session, [(live.id, copy.id)]):
            session.rollback()
            raise PeriodError(f"Báo cáo kỳ «{period.label}» của nhiệm vụ này đã được chấp nhận và chưa sửa gì "
                              "từ đó.")
        copy.accepted_values = {**copy.model_dump(mode="json", include=set(REPORT_FIELDS)),
                                "file_ids": sorted(sent_file_ids(session, [copy.id])[copy.id])}
    if copy is None:
        copy = PeriodReport(period_id=period.id, task_id=task.id, unit_id=unit.id)
    for name in REPORT_FIELDS:
        setattr(copy, name, getattr(live, name))
    previous = copy.state if copy.id else None
    copy.state = ReviewState.SUBMITTED
    copy.submitted_by_id, copy.submitted_at = user.id, clock.now()
    copy.reviewed_by_id, copy.reviewed_at, copy.review_comment = None, None, ""
    session.add(copy)
    keep_with_copy(session, copy=copy, report=live)
    session.add(ReportChange(report_id=live.id, changed_by_id=user.id, changed_at=copy.submitted_at,
                             period_id=period.id, field="submission",
                             old_value=STATE_LABELS[previous] if previous else "",
                             new_value=f"Gửi báo cáo kỳ {period.label}"))
    if commit:
        session.commit()
    return copy


def submit_many(session: Session, *, rows, unit: Unit, user: User) -> int:
    """Send several rows (each for its plan's open period) in one transaction: all or none."""
    for row in rows:
        submit(session, period=row.period, task=row.task, unit=unit, user=user, commit=False)
    session.commit()
    return len(rows)


def review(session: Session, *, copies: list[PeriodReport], user: User, accept: bool, comment: str,
           uploads: list[Upload] | None = None, limits: Limits | None = None) -> None:
    """Accept, or return with a comment, one or several submitted reports at once. Files may go
    with a return (checked against the limits as evidence is, before anything changes): all of
    it or nothing."""
    if not accept and not comment.strip():
        raise PeriodError("Hãy ghi nhận xét khi trả lại báo cáo, để đơn vị biết cần sửa gì.")
    if accept and uploads:
        raise PeriodError("Tệp chỉ gửi kèm nhận xét khi trả lại báo cáo.")
    files = check_review_files(uploads, limits)
    lock_for_write(session)
    now = clock.now()
    for copy in copies:
        session.refresh(copy)
        period = session.get(Period, copy.period_id)
        if not period.is_open:
            session.rollback()
            raise PeriodError(f"Kỳ «{period.label}» đã đóng: không rà soát được nữa.")
        if copy.state != ReviewState.SUBMITTED:
            session.rollback()
            raise PeriodError("Chỉ rà soát được báo cáo đã gửi và đang chờ duyệt.")
        copy.state = ReviewState.ACCEPTED if accept else ReviewState.RETURNED
        if accept:
            copy.accepted_values = None  # the copy itself is now what was accepted
        copy.reviewed_by_id, copy.reviewed_at, copy.review_comment = user.id, now, comment.strip()
        session.add(copy)
        live = session.exec(select(Report).where(Report.task_id == copy.task_id, Report.unit_id == copy.unit_id)).one()
        verdict = "Chấp nhận" if accept else "Trả lại"
        session.add(ReportChange(report_id=live.id, changed_by_id=user.id, changed_at=now, period_id=period.id,
                                 field="review", old_value=STATE_LABELS[ReviewState.SUBMITTED],
                                 new_value=f"{verdict} ({period.label})" + (f": {comment.strip()}" if comment.strip() else "")))
        attach_to_review(session, copy=copy, report=live, files=files, user=user)
    session.commit()


def _period_report(session, period, task, unit) -> PeriodReport | None:
    return session.exec(select(PeriodReport).where(
        PeriodReport.period_id == period.id, PeriodReport.task_id == task.id, PeriodReport.unit_id == unit.id)).first()


def close_period(session: Session, *, period: Period, user: User, today: date) -> None:
    """Freeze the period: every lead's status and every row's status as they stood."""
    lock_for_write(session)
    if not period.is_open:
        session.rollback()
        raise PeriodError(f"Kỳ «{period.label}» đã đóng.")
    standing = period_standing(session, period=period, today=today)
    copies = {(c.task_id, c.unit_id): c for c in session.exec(select(PeriodReport).where(PeriodReport.period_id == period.id))}
    for (task_id, unit_id), lead in standing.leads.items():
        copy = copies.get((task_id, unit_id))
        if copy is None:
            copy = PeriodReport(period_id=period.id, task_id=task_id, unit_id=unit_id, state=ReviewState.MISSING)
        copy.frozen_status = lead.code
        copy.frozen_due_on = lead.due_on
        session.add(copy)
    for row in standing.rows:
        session.add(PeriodTaskStatus(period_id=period.id, task_id=row.task.id, status=row.status.code.value,
                                     due_on=row.status.due_on, blocked=row.status.blocked, leads=row.leads,
                                     reported=row.reported))
    period.closed_at, period.closed_by_id = clock.now(), user.id
    session.add(period)
    session.commit()


@dataclass
class ClosePreview:
    """What closing a period would freeze, shown before the reviewer confirms."""

    period: Period
    standing: "Standing"
    waiting: list[tuple[Task, Unit]] = field(default_factory=list)  # sent, not yet reviewed
    returned: list[tuple[Task, Unit]] = field(default_factory=list)  # returned, not sent again, nothing accepted before
    silent: list[tuple[Unit, int]] = field(default_factory=list)  # units that sent nothing, and their lead rows
    days_left: int = 0  # before the period's end; 0 once it has passed


def close_preview(session: Session, *, period: Period, today: date) -> ClosePreview:
    standing = period_standing(session, period=period, today=today)
    preview = ClosePreview(period, standing, days_left=max(0, (period.ends_on - today).days))
    units = {u.id: u for u in session.exec(select(Unit))}
    tasks = {row.task.id: row.task for row in standing.rows}
    sent_by = defaultdict(int)
    for copy in session.exec(select(PeriodReport).where(PeriodReport.period_id == period.id)
                             .order_by(PeriodReport.submitted_at)):
        sent_by[copy.unit_id] += 1
        if copy.state == ReviewState.SUBMITTED:
            preview.waiting.append((tasks[copy.task_id], units[copy.unit_id]))
        elif copy.state == ReviewState.RETURNED and not copy.accepted_values:
            preview.returned.append((tasks[copy.task_id], units[copy.unit_id]))
    leads_of = defaultdict(int)
    for task_id, unit_id in standing.leads:
        leads_of[unit_id] += 1
    preview.silent = sorted(((units[unit_id], count) for unit_id, count in leads_of.items() if not sent_by[unit_id]),
                            key=lambda item: vietnamese_key(item[0].name))
    return preview


def latest_period(session: Session, plan_id: int) -> Period | None:
    return session.exec(select(Period).where(Period.plan_id == plan_id)
                        .order_by(Period.starts_on.desc(), Period.id.desc())).first()


def can_reopen(session: Session, period: Period) -> bool:
    """Only the plan's latest period, once closed (and so while no newer period is open)."""
    latest = latest_period(session, period.plan_id)
    still_open = session.exec(select(Period.id).where(Period.plan_id == period.plan_id,
                                                      Period.closed_at.is_(None))).first()
    return not period.is_open and latest is not None and latest.id == period.id and still_open is None


def reopen_period(session: Session, *, period: Period, user: User, reason: str) -> None:
    """Open the latest closed period again, for a reason: what closing froze is dropped, to be
    computed again at the next close."""
    if not reason.strip():
        raise PeriodError("Hãy nêu lý do mở lại kỳ: lý do được ghi vào nhật ký.")
    lock_for_write(session)
    session.refresh(period)
    if period.is_open:
        session.rollback()
        raise PeriodError(f"Kỳ «{period.label}» đang mở.")
    if not can_reopen(session, period):
        session.rollback()
        raise PeriodError(f"Chỉ mở lại được kỳ gần nhất của kế hoạch khi không có kỳ nào đang mở; kỳ «{period.label}» "
                          "đã có kỳ sau hoặc đang có kỳ khác mở.")
    for row in session.exec(select(PeriodTaskStatus).where(PeriodTaskStatus.period_id == period.id)):
        session.delete(row)
    for copy in session.exec(select(PeriodReport).where(PeriodReport.period_id == period.id)):
        if copy.state == ReviewState.MISSING:
            session.delete(copy)  # only a mark of «not sent» made at the close
        else:
            copy.frozen_status, copy.frozen_due_on = "", None
            session.add(copy)
    period.closed_at, period.closed_by_id = None, None
    period.reopened_at, period.reopened_by_id, period.reopen_reason = clock.now(), user.id, reason.strip()
    session.add(period)
    session.commit()


def _said(model) -> tuple:
    """The columns of what a unit says (ReportFields) of a report or a period's copy."""
    return tuple(getattr(model, name) for name in REPORT_FIELDS)


# Rows and copies read as plain columns (rows with the model's attribute names): a model
# object for each of a province's thousands would cost more than the rest of the page.
TASK_COLUMNS = tuple(column for column in Task.__table__.columns
                     if column.name != "search_text")  # the folded copy is for searching, never shown
# What a unit's status on a row needs of the row (services.status): for figures that show no text.
DUE_COLUMNS = (Task.id, Task.plan_id, Task.recurrence, Task.due_on, Task.set_due_on, Task.awaits_guidance)
COPY_COLUMNS = (PeriodReport.id, PeriodReport.task_id, PeriodReport.unit_id, PeriodReport.state,
                PeriodReport.accepted_values, PeriodReport.frozen_status, PeriodReport.frozen_due_on,
                *_said(PeriodReport))


@dataclass(slots=True)
class LeadStanding:
    code: str  # a Derived value, or NOT_REPORTED
    due_on: date | None
    overdue: bool = False
    report: object = None  # what the lead said (a report's or a period copy's columns), when it counts
    status: StatusView | None = None  # the lead's own, judged on the day (none for a closed period's copies)


@dataclass(slots=True)
class RowStanding:
    task: Task
    status: StatusView
    leads: int
    reported: int


@dataclass
class Standing:
    """Where every row and every lead stood, on a day or in a period."""

    label: str = ""
    as_of: date | None = None
    rows: list[RowStanding] = field(default_factory=list)
    leads: dict[tuple[int, int], LeadStanding] = field(default_factory=dict)
    copies: bool = False  # what the leads said comes from a period's copies (ids of PeriodReport), not live reports

    def row_counts(self) -> Counter:
        return Counter(row.status.code.value for row in self.rows)

    def copy(self) -> "Standing":
        """Its own lists, so that a caller may sort or cut them; the rows themselves are shared."""
        return Standing(self.label, self.as_of, list(self.rows), dict(self.leads), self.copies)

    def with_rows(self, derived: "Standing") -> "Standing":
        """This standing with the rows derived again in `derived` (each in its place) and their leads."""
        again = {row.task.id: row for row in derived.rows}
        leads = {key: lead for key, lead in self.leads.items() if key[0] not in again}
        leads.update(derived.leads)
        return Standing(self.label, self.as_of, [again.get(row.task.id, row) for row in self.rows], leads, self.copies)

    def lead_counts(self) -> Counter:
        return Counter(lead.code for lead in self.leads.values())


def _standing(session: Session, *, plan_id: int, as_of: date, reports: dict, missing_code: str | None,
              task_ids: set[int] | None = None) -> Standing:
    """Every row's and lead's status judged on as_of from the reports that count (or only
    the rows named by task_ids).

    reports: (task, unit) -> report-like; a lead without one is NOT_REPORTED when
    missing_code says so (a period), else simply not started (the live plan).
    """
    rows = Task.plan_id == plan_id if task_ids is None else Task.id.in_(task_ids)
    tasks = session.exec(select(*TASK_COLUMNS).where(rows).order_by(Task.position)).all()
    leads = defaultdict(list)
    for task_id, unit_id in session.exec(
        select(Assignment.task_id, Assignment.unit_id).join(Task).where(
            rows, Assignment.role == Role.LEAD).order_by(Assignment.id)
    ):
        leads[task_id].append(unit_id)
    approved = approved_extensions(session, [t.id for t in tasks])
    standing = Standing(as_of=as_of)
    for task in tasks:
        statuses = []
        for unit_id in leads[task.id]:
            report = reports.get((task.id, unit_id))
            status = unit_status(task, report, as_of, extended_to(task, unit_id, approved, as_of))
            statuses.append(status)
            code = status.code.value if report is not None or missing_code is None else missing_code
            standing.leads[(task.id, unit_id)] = LeadStanding(code, status.due_on, status.overdue, report, status)
        standing.rows.append(RowStanding(task, row_status(task, statuses, as_of), len(leads[task.id]),
                                         sum(1 for unit_id in leads[task.id] if (task.id, unit_id) in reports)))
    return standing


def period_standing(session: Session, *, period: Period, today: date) -> Standing:
    """Live while the period is open: only accepted reports count as reported."""
    accepted = {
        (c.task_id, c.unit_id): counted_report(c)
        for c in session.exec(select(*COPY_COLUMNS).where(
            PeriodReport.period_id == period.id,
            (PeriodReport.state == ReviewState.ACCEPTED) | PeriodReport.accepted_values.is_not(None)))
    }
    standing = _standing(session, plan_id=period.plan_id, as_of=judged_on(period, today), reports=accepted,
                         missing_code=NOT_REPORTED)
    standing.label, standing.copies = period.label, True
    return standing


def comes_before(other: Period, period: Period | None, today: date) -> bool:
    """Whether a period to compare with lies before the one shown (before today, for today's
    figures): a comparison reads from the earlier to the later."""
    return other.starts_on < period.starts_on if period else other.starts_on <= today


def live_standing(session: Session, *, plan: Plan, today: date) -> Standing:
    """The plan as it stands today, from every lead unit's current report (a supporting
    unit's report counts for nothing in the figures).

    Derived once per process and day, then brought up to date from the report history:
    after a save only the rows whose reports changed are derived again (kept_standings).
    """
    last_change = session.exec(select(func.max(ReportChange.id))).one() or 0
    kept = kept_standings(session.get_bind())
    key = (plan.id, plan.revision, today)
    held = kept.get(key)
    if held is None or held[0] > last_change:  # nothing held, or a restored history shorter than what was seen
        standing = _live_standing(session, plan=plan, today=today)
    elif held[0] == last_change:
        standing = held[1]
    else:
        changed = set(session.exec(
            select(Report.task_id).join(ReportChange, ReportChange.report_id == Report.id).join(Task)
            .where(ReportChange.id > held[0], Task.plan_id == plan.id).distinct()))
        if len(changed) > MANY_ROWS_CHANGED:  # a bulk step (a selection sent or reviewed at once): every row again
            standing = _live_standing(session, plan=plan, today=today)
        elif changed:
            standing = held[1].with_rows(_live_standing(session, plan=plan, today=today, task_ids=changed))
        else:
            standing = held[1]
    kept.put(key, (last_change, standing))
    return standing.copy()


MANY_ROWS_CHANGED = 200


def _live_standing(session: Session, *, plan: Plan, today: date, task_ids: set[int] | None = None) -> Standing:
    rows = Task.plan_id == plan.id if task_ids is None else Task.id.in_(task_ids)
    reports = {(r.task_id, r.unit_id): r for r in session.exec(
        select(Report.id, Report.task_id, Report.unit_id, *_said(Report)).join(Task)
        .join(Assignment, (Assignment.task_id == Report.task_id) & (Assignment.unit_id == Report.unit_id))
        .where(rows, Assignment.role == Role.LEAD))}
    standing = _standing(session, plan_id=plan.id, as_of=today, reports=reports, missing_code=None,
                         task_ids=task_ids)
    standing.label = f"Đến ngày {today.strftime('%d/%m/%Y')}"
    return standing


_KEPT: WeakKeyDictionary = WeakKeyDictionary()  # a database's connection pool -> its kept standings
KEPT_STANDINGS = 16  # plans followed at once, and yesterday's beside today's


def kept_standings(engine) -> Kept:
    """Each plan's live standing kept by a process between requests for a database (its
    engine's connection pool: each app has its own, and a disposed engine starts afresh), as
    (the report history's latest id then, the standing). Keyed by the plan's revision and the
    day, so that a change to its rows, units or assignments, or a new day, derives every row
    again; the history's latest id says what is new, and only the rows of the reports changed
    since are derived again. Writers commit the history in the order of its ids
    (database.lock_for_write), so nothing committed is ever passed over."""
    return _KEPT.setdefault(engine.pool, Kept(KEPT_STANDINGS))


def frozen_standing(session: Session, *, period: Period) -> Standing:
    """A closed period exactly as it stood when it was closed."""
    standing = Standing(label=period.label, as_of=period.ends_on, copies=True)
    tasks = {t.id: t for t in session.exec(select(*TASK_COLUMNS).where(Task.plan_id == period.plan_id))}
    for row in session.exec(select(PeriodTaskStatus).where(PeriodTaskStatus.period_id == period.id)):
        standing.rows.append(_frozen_row(period, row, tasks[row.task_id]))
    standing.rows.sort(key=lambda r: r.task.position)
    for copy in session.exec(select(*COPY_COLUMNS).where(PeriodReport.period_id == period.id)):
        task = tasks[copy.task_id]
        overdue = bool(task.recurrence == Recurrence.NONE and copy.frozen_due_on and copy.frozen_due_on < period.ends_on
                       and copy.frozen_status not in (Derived.DONE_ON_TIME.value, Derived.DONE_LATE.value))
        counted = counted_report(copy)
        standing.leads[(copy.task_id, copy.unit_id)] = LeadStanding(copy.frozen_status, copy.frozen_due_on,
                                                                    overdue, counted)
    return standing


@dataclass
class PeriodFigures:
    """A period's page: the counts of every row and every lead's report, and a page of rows."""

    rows: Page  # of RowStanding
    row_counts: Counter
    lead_counts: Counter

    @property
    def leads(self) -> int:
        return sum(self.lead_counts.values())


def period_figures(session: Session, *, period: Period, today: date, number: int, size: int) -> PeriodFigures:
    """Frozen figures are counted and paged by the database; an open period's statuses are
    derived (DESIGN.md: never stored twice), so they are counted over the rows it derives."""
    if period.is_open:
        standing = period_standing(session, period=period, today=today)
        return PeriodFigures(Page.of(standing.rows, number, size), standing.row_counts(), standing.lead_counts())
    frozen = PeriodTaskStatus.period_id == period.id
    row_counts = Counter(dict(session.exec(select(PeriodTaskStatus.status, func.count()).where(frozen)
                                           .group_by(PeriodTaskStatus.status)).all()))
    lead_counts = Counter(dict(session.exec(
        select(PeriodReport.frozen_status, func.count()).where(PeriodReport.period_id == period.id)
        .group_by(PeriodReport.frozen_status)).all()))
    page = Page.query(session, select(PeriodTaskStatus, Task).join(Task, PeriodTaskStatus.task_id == Task.id)
                      .where(frozen).order_by(Task.position), number, size)
    page.items = [_frozen_row(period, row, task) for row, task in page.items]
    return PeriodFigures(page, row_counts, lead_counts)


def _frozen_row(period: Period, row: PeriodTaskStatus, task) -> RowStanding:
    days = (row.due_on - period.ends_on).days if row.due_on else None
    return RowStanding(task, StatusView(Derived(row.status), row.due_on, days, task.recurrence, blocked=row.blocked),
                       row.leads, row.reported)


def standing_of(session: Session, *, period: Period, today: date) -> Standing:
    return period_standing(session, period=period, today=today) if period.is_open else frozen_standing(session, period=period)


@dataclass
class UnitProgress:
    """A unit's figures for a period, for the reviewer's desk."""

    unit: Unit
    leads: int = 0
    supports: int = 0
    expected: int = 0  # lead rows in the plans that have a period
    submitted: int = 0  # reports sent this period, whatever their review
    accepted: int = 0
    returned: int = 0
    waiting_review: int = 0
    overdue: int = 0

    @property
    def silent(self) -> int:
        """Lead rows with nothing sent this period."""
        return self.expected - self.submitted


@dataclass
class ClosedCopy:
    """One of a unit's reports in a closed period, as it was frozen: what it sent, whether it was
    accepted, what counted (the version accepted before, while a later one waited) and the lead's
    status on the period's last day."""

    task: Task
    copy: PeriodReport
    counted: object  # PeriodReport | AcceptedVersion | None: what the period's figures took

    @property
    def frozen_label(self) -> str:
        return PERIOD_STATUS_LABELS.get(self.copy.frozen_status, "")

    @property
    def counted_earlier_version(self) -> bool:
        """What counted is the version accepted before the one last sent."""
        return self.counted is not None and self.counted is not self.copy


def unit_in_closed_period(session: Session, *, period: Period, unit: Unit) -> list[ClosedCopy]:
    """The unit's reports in a closed period, in the plan's order (a lead that sent nothing has
    its «Không gửi» copy, made as the period closed)."""
    found = session.exec(select(Task, PeriodReport).join(PeriodReport, PeriodReport.task_id == Task.id)
                         .where(PeriodReport.period_id == period.id, PeriodReport.unit_id == unit.id)
                         .order_by(Task.position)).all()
    return [ClosedCopy(task, copy, counted_report(copy)) for task, copy in found]


def unit_progress(session: Session, *, plans: list[Plan], periods: dict[int, Period],
                  today: date) -> list[UnitProgress]:
    """Each unit's figures over the plans given, each plan in its period (plan id -> period): the
    most silent units first (lead rows with nothing sent), alphabetical among equals."""
    units = {u.id: u for u in by_vietnamese_name(session.exec(select(Unit).where(Unit.active).order_by(Unit.id)))}
    progress = {unit_id: UnitProgress(unit) for unit_id, unit in units.items()}
    plan_of = dict(session.exec(select(Task.id, Task.plan_id).where(Task.plan_id.in_([plan.id for plan in plans]))).all())
    for task_id, unit_id, role in session.exec(
        select(Assignment.task_id, Assignment.unit_id, Assignment.role).where(Assignment.task_id.in_(list(plan_of)))
    ):
        if unit_id not in progress:
            continue
        if role == Role.LEAD:
            progress[unit_id].leads += 1
            progress[unit_id].expected += plan_of[task_id] in periods
        else:
            progress[unit_id].supports += 1
    for plan in plans:  # overdue as the live standing says (kept between requests)
        for (_, unit_id), lead in live_standing(session, plan=plan, today=today).leads.items():
            if lead.overdue and unit_id in progress:
                progress[unit_id].overdue += 1
    if periods:
        for unit_id, state in session.exec(
            select(PeriodReport.unit_id, PeriodReport.state).where(
                PeriodReport.period_id.in_([period.id for period in periods.values()]))
        ):
            if unit_id not in progress or state == ReviewState.MISSING:
                continue
            item = progress[unit_id]
            item.submitted += 1
            item.accepted += state == ReviewState.ACCEPTED
            item.returned += state == ReviewState.RETURNED
            item.waiting_review += state == ReviewState.SUBMITTED
    return sorted((p for p in progress.values() if p.leads or p.supports), key=lambda item: -item.silent)
