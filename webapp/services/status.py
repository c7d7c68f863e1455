"""Statuses are derived, never typed twice (DESIGN.md).

A lead unit says where its work stands (not started, in progress, done, blocked); whether
that is on time or overdue comes from the due date in force and the day it is judged on
(today, or a period's last day). A row's status is derived from its leads' statuses.

The due date in force: the one written in the plan (31/12 of each year for a yearly row),
the one the reviewer set when a row waiting for guidance got it, or an approved extension
of the unit's own; the original date stays visible beside an extension.
"""

from dataclasses import dataclass
from datetime import date
from enum import Enum

from ..models import Recurrence, ReportStatus, Task


class Derived(str, Enum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    IN_PROGRESS_OVERDUE = "in_progress_overdue"
    DONE_ON_TIME = "done_on_time"
    DONE_LATE = "done_late"
    BLOCKED = "blocked"
    WAITING = "waiting"


LABELS = {
    Derived.DONE_ON_TIME: "Hoàn thành đúng hạn",
    Derived.DONE_LATE: "Hoàn thành quá hạn",
    Derived.IN_PROGRESS: "Đang thực hiện, trong hạn",
    Derived.IN_PROGRESS_OVERDUE: "Đang thực hiện, quá hạn",
    Derived.NOT_STARTED: "Chưa thực hiện",
    Derived.WAITING: "Chờ hướng dẫn",
    Derived.BLOCKED: "Có vướng mắc",
}
DONE = (Derived.DONE_ON_TIME, Derived.DONE_LATE)


@dataclass(frozen=True)
class StatusView:
    code: Derived
    due_on: date | None  # the due date in force
    days_left: int | None  # negative when overdue
    recurring: bool
    original_due_on: date | None = None  # set when an extension moved the due date

    @property
    def label(self) -> str:
        if self.code == Derived.IN_PROGRESS and self.due_on is None:
            return "Đang thực hiện"  # no deadline to be within
        return LABELS[self.code]

    @property
    def overdue(self) -> bool:
        """Past the due date and not done."""
        return self.days_left is not None and self.days_left < 0 and self.code not in DONE


def base_due(task: Task, year: int) -> date | None:
    """The row's own due date for the year judged: yearly rows are due at each year's end."""
    if task.recurrence == Recurrence.YEARLY:
        first_year = task.due_on.year if task.due_on else year
        return date(max(first_year, year), 12, 31)
    return task.set_due_on or task.due_on


def waits_for_guidance(task: Task) -> bool:
    return task.awaits_guidance and task.set_due_on is None


def unit_status(task: Task, report, as_of: date, extended_to: date | None = None) -> StatusView:
    """One unit's status on a row, judged on as_of.

    report: anything with status and completed_on (a report, a period's copy, or None).
    extended_to: the unit's approved new due date for this row's current deadline.
    """
    original = base_due(task, as_of.year)
    due = extended_to or original
    days_left = (due - as_of).days if due else None
    recurring = task.recurrence == Recurrence.YEARLY
    said = report.status if report is not None else ReportStatus.NOT_STARTED
    finished = report.completed_on if report is not None else None
    if said == ReportStatus.DONE and recurring and finished and finished.year < as_of.year:
        said = ReportStatus.NOT_STARTED  # a yearly row is done anew each year
    if said == ReportStatus.DONE:
        code = Derived.DONE_LATE if due and (finished or as_of) > due else Derived.DONE_ON_TIME
    elif said == ReportStatus.BLOCKED:
        code = Derived.BLOCKED
    elif said == ReportStatus.IN_PROGRESS:
        code = Derived.IN_PROGRESS_OVERDUE if days_left is not None and days_left < 0 else Derived.IN_PROGRESS
    elif waits_for_guidance(task) and due is None:
        code = Derived.WAITING
    else:
        code = Derived.NOT_STARTED
    return StatusView(code, due, days_left, recurring, original if extended_to else None)


def row_status(task: Task, lead_statuses: list[StatusView], as_of: date) -> StatusView:
    """A row with several leads: done when all are done, blocked when one is."""
    due = base_due(task, as_of.year)
    days_left = (due - as_of).days if due else None
    recurring = task.recurrence == Recurrence.YEARLY
    codes = {s.code for s in lead_statuses}
    if not lead_statuses:
        code = Derived.WAITING if waits_for_guidance(task) and due is None else Derived.NOT_STARTED
    elif Derived.BLOCKED in codes:
        code = Derived.BLOCKED
    elif codes <= set(DONE):
        code = Derived.DONE_LATE if Derived.DONE_LATE in codes else Derived.DONE_ON_TIME
    elif codes & {*DONE, Derived.IN_PROGRESS, Derived.IN_PROGRESS_OVERDUE}:
        code = Derived.IN_PROGRESS_OVERDUE if any(s.overdue for s in lead_statuses) else Derived.IN_PROGRESS
    else:
        code = lead_statuses[0].code  # all not started, or all waiting
    return StatusView(code, due, days_left, recurring)
