"""The reviewer's queue: the reports units sent for the periods shown, narrowed by unit and
review state, a page at a time (a province's quarter can bring hundreds)."""

from dataclasses import dataclass, field

from sqlalchemy import and_, func, not_, or_
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
          page: int = 1, after: int | None = None) -> Page:
    """The reports sent for those periods (never the «not sent» marks of a closed one), oldest
    sent first, a page of QueueItems: the page asked for, or the one that continues after the
    report `after`. Reports reviewed in place leave the waiting list, so the next page goes on
    from the last report shown (page.next_after), not from a position that has moved since."""
    if not periods:
        return Page(size=PAGE_SIZE)
    conditions = [PeriodReport.period_id.in_([p.id for p in periods]), PeriodReport.state != ReviewState.MISSING]
    if state != EVERY_STATE:
        conditions.append(PeriodReport.state == ReviewState(state))
    if unit_code:
        conditions.append(Unit.code == unit_code)
    statement = (select(PeriodReport, Task, Unit).join(Task, PeriodReport.task_id == Task.id)
                 .join(Unit, PeriodReport.unit_id == Unit.id).where(*conditions))
    order = (PeriodReport.submitted_at, PeriodReport.id)
    cursor = session.exec(select(*order).where(PeriodReport.id == after)).first() if after else None
    if cursor is None or cursor.submitted_at is None:
        found = Page.query(session, statement.order_by(*order), page, PAGE_SIZE)
        more = found.number < found.pages
    else:
        past = or_(PeriodReport.submitted_at > cursor.submitted_at,
                   and_(PeriodReport.submitted_at == cursor.submitted_at, PeriodReport.id > cursor.id))
        total = session.exec(select(func.count()).select_from(statement.subquery())).one()
        skipped = session.exec(select(func.count()).select_from(statement.where(not_(past)).subquery())).one()
        rows = session.exec(statement.where(past).order_by(*order).limit(PAGE_SIZE + 1)).all()
        found = Page(items=rows[:PAGE_SIZE], total=total, size=PAGE_SIZE, skipped=skipped,
                     number=-(-skipped // PAGE_SIZE) + 1)
        more = len(rows) > PAGE_SIZE
    found.next_after = found.items[-1][0].id if more and found.items else None
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
