"""Statuses are derived, never typed twice (DESIGN.md).

A lead unit says where its work stands (not started, in progress, done, blocked); whether
that is on time or overdue comes from the due date in force and today. A row's status is
derived from its leads' statuses.
"""

from dataclasses import dataclass
from datetime import date
from enum import Enum

from ..models import Recurrence, Report, ReportStatus, Task


class Derived(str, Enum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    IN_PROGRESS_OVERDUE = "in_progress_overdue"
    DONE_ON_TIME = "done_on_time"
    DONE_LATE = "done_late"
    BLOCKED = "blocked"
    WAITING = "waiting"


LABELS = {
    Derived.NOT_STARTED: "Chưa thực hiện",
    Derived.IN_PROGRESS: "Đang thực hiện, trong hạn",
    Derived.IN_PROGRESS_OVERDUE: "Đang thực hiện, quá hạn",
    Derived.DONE_ON_TIME: "Hoàn thành đúng hạn",
    Derived.DONE_LATE: "Hoàn thành quá hạn",
    Derived.BLOCKED: "Có vướng mắc",
    Derived.WAITING: "Chờ hướng dẫn",
}


@dataclass(frozen=True)
class StatusView:
    code: Derived
    due_on: date | None  # the due date in force
    days_left: int | None  # negative when overdue
    recurring: bool

    @property
    def label(self) -> str:
        if self.code == Derived.IN_PROGRESS and self.due_on is None:
            return "Đang thực hiện"  # no deadline to be within
        return LABELS[self.code]

    @property
    def overdue(self) -> bool:
        """Past the due date and not done."""
        return (
            self.days_left is not None
            and self.days_left < 0
            and self.code not in (Derived.DONE_ON_TIME, Derived.DONE_LATE)
        )


def due_in_force(task: Task, today: date) -> date | None:
    """A yearly task is due at the end of each year from its first year on."""
    if task.recurrence == Recurrence.YEARLY:
        first_year = task.due_on.year if task.due_on else today.year
        return date(max(first_year, today.year), 12, 31)
    return task.due_on


def unit_status(task: Task, report: Report | None, today: date) -> StatusView:
    due = due_in_force(task, today)
    days_left = (due - today).days if due else None
    recurring = task.recurrence == Recurrence.YEARLY
    said = report.status if report else ReportStatus.NOT_STARTED
    if said == ReportStatus.DONE:
        finished = report.completed_on or today
        code = Derived.DONE_LATE if due and finished > due else Derived.DONE_ON_TIME
    elif said == ReportStatus.BLOCKED:
        code = Derived.BLOCKED
    elif said == ReportStatus.IN_PROGRESS:
        code = Derived.IN_PROGRESS_OVERDUE if days_left is not None and days_left < 0 else Derived.IN_PROGRESS
    elif task.awaits_guidance and due is None:
        code = Derived.WAITING
    else:
        code = Derived.NOT_STARTED
    return StatusView(code, due, days_left, recurring)


def row_status(task: Task, lead_reports: list[Report | None], today: date) -> StatusView:
    """A row with several leads: done when all are done, blocked when one is."""
    statuses = [unit_status(task, report, today) for report in lead_reports]
    due = due_in_force(task, today)
    days_left = (due - today).days if due else None
    recurring = task.recurrence == Recurrence.YEARLY
    codes = {s.code for s in statuses}
    done = {Derived.DONE_ON_TIME, Derived.DONE_LATE}
    if not statuses:
        code = Derived.WAITING if task.awaits_guidance and due is None else Derived.NOT_STARTED
    elif Derived.BLOCKED in codes:
        code = Derived.BLOCKED
    elif codes <= done:
        code = Derived.DONE_LATE if Derived.DONE_LATE in codes else Derived.DONE_ON_TIME
    elif codes & (done | {Derived.IN_PROGRESS, Derived.IN_PROGRESS_OVERDUE}):
        code = Derived.IN_PROGRESS_OVERDUE if days_left is not None and days_left < 0 else Derived.IN_PROGRESS
    else:
        code = statuses[0].code  # all not started, or all waiting
    return StatusView(code, due, days_left, recurring)
