"""The reviewer's queue: the reports units sent for the periods shown, narrowed by unit and
review state, a page at a time (a province's quarter can bring hundreds)."""

from dataclasses import dataclass, field

from sqlmodel import Session, select

from ..models import Period, PeriodReport, Plan, ReviewState, Task, Unit
from .evidence import review_files, sent_with
from .paging import Page

PAGE_SIZE = 50
WAITING = ReviewState.SUBMITTED.value
EVERY_STATE = "all"
STATE_CHOICES = [
    (WAITING, "Chờ duyệt"),
    (ReviewState.RETURNED.value, "Bị trả lại"),
    (ReviewState.ACCEPTED.value, "Đã chấp nhận"),
    (EVERY_STATE, "Mọi báo cáo đã gửi"),
]


@dataclass
class QueueItem:
    copy: PeriodReport
    task: Task
    unit: Unit
    plan: Plan
    period: Period
    files: list = field(default_factory=list)  # the evidence it was sent with (services.evidence)
    review_files: list = field(default_factory=list)  # what the reviewer sent with the return comment


def queue(session: Session, *, periods: list[Period], state: str = WAITING, unit_code: str = "",
          page: int = 1) -> Page:
    """The reports sent for those periods (never the «not sent» marks of a closed one), oldest
    sent first, a page of QueueItems."""
    if not periods:
        return Page(size=PAGE_SIZE)
    conditions = [PeriodReport.period_id.in_([p.id for p in periods]), PeriodReport.state != ReviewState.MISSING]
    if state != EVERY_STATE:
        conditions.append(PeriodReport.state == ReviewState(state))
    if unit_code:
        conditions.append(Unit.code == unit_code)
    found = Page.query(session, select(PeriodReport, Task, Unit).join(Task, PeriodReport.task_id == Task.id)
                       .join(Unit, PeriodReport.unit_id == Unit.id).where(*conditions)
                       .order_by(PeriodReport.submitted_at, PeriodReport.id), page, PAGE_SIZE)
    found.items = items(session, found.items, periods)
    return found


def items(session: Session, rows, periods: list[Period] | None = None) -> list[QueueItem]:
    """(copy, task, unit) rows with their plan, period and files (four queries at most)."""
    by_id = {p.id: p for p in periods or []}
    missing = {copy.period_id for copy, _, _ in rows} - set(by_id)
    if missing:
        by_id.update({p.id: p for p in session.exec(select(Period).where(Period.id.in_(missing)))})
    plans = {p.id: p for p in session.exec(select(Plan).where(Plan.id.in_({p.plan_id for p in by_id.values()})))}
    files = sent_with(session, [copy.id for copy, _, _ in rows])
    returned = review_files(session, [copy for copy, _, _ in rows])
    return [QueueItem(copy, task, unit, plans[by_id[copy.period_id].plan_id], by_id[copy.period_id],
                      files.get(copy.id, []), returned.get(copy.id, []))
            for copy, task, unit in rows]
