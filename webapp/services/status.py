"""Statuses are derived, never typed twice (DESIGN.md).

A lead unit says where its work stands (not started, in progress, done, blocked); with the
due date in force and the day it is judged on (today, or a period's last day) that gives
the row's bucket, as the Government Office's reports count them:

    hoàn thành đúng hạn · hoàn thành quá hạn · chưa hoàn thành, trong hạn ·
    chưa hoàn thành, quá hạn (started or not) · chờ hướng dẫn · thường xuyên, định kỳ

Every row is in exactly one bucket, so the buckets add up to the total and every headline
figure is the sum of its buckets. «Có vướng mắc» is a flag beside the bucket, not one of
its own. A row's bucket is derived from its leads'.

The due date in force: the one written in the plan, the one the reviewer set (when a row
waiting for guidance got its date, or to correct the reading of a timeframe), or an
approved extension of the unit's own; the original date stays visible beside an extension.

A recurring row is done again every cycle — each year, half-year, quarter or month — and
is due at the cycle's end; what was done in an earlier cycle counts as not yet done in
this one. Recurring and continuous rows («Thường xuyên») are reported every period and
counted in their own bucket, never simply done and never overdue as a whole.
"""

import calendar
from dataclasses import dataclass
from datetime import date
from enum import Enum

from ..models import Recurrence, ReportStatus, Task


class Derived(str, Enum):
    """The buckets, in the order of the Government Office's reports."""

    DONE_ON_TIME = "done_on_time"
    DONE_LATE = "done_late"
    PENDING = "pending"  # not done, within the deadline (or without one yet)
    OVERDUE = "overdue"  # not done, past the deadline, started or not
    WAITING = "waiting"  # waiting for guidance before it has a date
    RECURRING = "recurring"  # recurring or continuous: reported every period


LABELS = {
    Derived.DONE_ON_TIME: "Hoàn thành đúng hạn",
    Derived.DONE_LATE: "Hoàn thành quá hạn",
    Derived.PENDING: "Chưa hoàn thành, trong hạn",
    Derived.OVERDUE: "Chưa hoàn thành, quá hạn",
    Derived.WAITING: "Chờ hướng dẫn",
    Derived.RECURRING: "Thường xuyên, định kỳ",
}
DONE = (Derived.DONE_ON_TIME, Derived.DONE_LATE)
BLOCKED_LABEL = "Có vướng mắc"


@dataclass(frozen=True, slots=True)
class StatusView:
    code: Derived
    due_on: date | None  # the due date in force
    days_left: int | None  # negative when past it
    recurrence: Recurrence
    original_due_on: date | None = None  # set when an extension moved the due date
    blocked: bool = False  # a lead said «có vướng mắc»: a flag beside the bucket
    started: bool = False  # a lead said it is under way (in progress or blocked)
    said: ReportStatus = ReportStatus.NOT_STARTED  # what the unit says, for this cycle of a recurring row

    @property
    def label(self) -> str:
        return LABELS[self.code]

    @property
    def overdue(self) -> bool:
        return self.code == Derived.OVERDUE

    @property
    def recurring(self) -> bool:
        return self.recurrence != Recurrence.NONE

    @property
    def recurrence_label(self) -> str:
        return RECURRENCE_LABELS.get(self.recurrence, "")


CYCLE_MONTHS = {Recurrence.YEARLY: 12, Recurrence.HALF_YEARLY: 6, Recurrence.QUARTERLY: 3, Recurrence.MONTHLY: 1,
                Recurrence.CONTINUOUS: 12}
RECURRENCE_LABELS = {Recurrence.CONTINUOUS: "Thường xuyên", Recurrence.YEARLY: "Hằng năm",
                     Recurrence.HALF_YEARLY: "6 tháng", Recurrence.QUARTERLY: "Hằng quý",
                     Recurrence.MONTHLY: "Hằng tháng"}


def cycle(task: Task, as_of: date) -> tuple[date, date] | None:
    """The cycle of a recurring row that as_of falls in (first and last day), or None."""
    months = CYCLE_MONTHS.get(task.recurrence)
    if months is None:
        return None
    first_month = (as_of.month - 1) // months * months + 1
    last_month = first_month + months - 1
    return date(as_of.year, first_month, 1), date(as_of.year, last_month, calendar.monthrange(as_of.year, last_month)[1])


def base_due(task: Task, as_of: date) -> date | None:
    """The row's own due date when judged on as_of: a recurring row is due at the end of each
    cycle (not before its first written date), a continuous row never; the reviewer's date
    comes first."""
    if task.set_due_on:
        return task.set_due_on
    if task.recurrence == Recurrence.CONTINUOUS:
        return None
    current = cycle(task, as_of)
    if current is None:
        return task.due_on
    if task.due_on and task.due_on > current[1]:
        return task.due_on  # «Năm 2026 và các năm tiếp theo» judged in 2025: due at the end of 2026
    return current[1]


def waits_for_guidance(task: Task) -> bool:
    return task.awaits_guidance and task.set_due_on is None


def unit_status(task: Task, report, as_of: date, extended_to: date | None = None) -> StatusView:
    """One unit's status on a row, judged on as_of.

    report: anything with status and completed_on (a report, a period's copy, or None).
    extended_to: the unit's approved new due date for this row's current deadline.
    """
    original = base_due(task, as_of)
    due = extended_to or original
    days_left = (due - as_of).days if due else None
    said = report.status if report is not None else ReportStatus.NOT_STARTED
    finished = report.completed_on if report is not None else None
    current = cycle(task, as_of)
    if said == ReportStatus.DONE and current and finished and finished < current[0]:
        said = ReportStatus.NOT_STARTED  # a recurring row is done anew each cycle
    if task.recurrence != Recurrence.NONE:
        code = Derived.RECURRING
    elif said == ReportStatus.DONE:
        code = Derived.DONE_LATE if due and (finished or as_of) > due else Derived.DONE_ON_TIME
    elif waits_for_guidance(task) and due is None:
        code = Derived.WAITING
    elif days_left is not None and days_left < 0:
        code = Derived.OVERDUE
    else:
        code = Derived.PENDING
    return StatusView(code, due, days_left, task.recurrence, original if extended_to else None,
                      blocked=said == ReportStatus.BLOCKED,
                      started=said in (ReportStatus.IN_PROGRESS, ReportStatus.BLOCKED, ReportStatus.DONE), said=said)


def row_status(task: Task, lead_statuses: list[StatusView], as_of: date) -> StatusView:
    """A row with several leads: done when every lead is done, overdue when one is, blocked
    (the flag) when one says so. Its due date in force is the earliest of the leads still at
    work: an extension moves it once every one of them has it."""
    due, original = base_due(task, as_of), None
    at_work = [s.due_on for s in lead_statuses if s.code not in DONE and s.due_on]
    if task.recurrence == Recurrence.NONE and due is not None and at_work and min(at_work) != due:
        due, original = min(at_work), due
    days_left = (due - as_of).days if due else None
    codes = {s.code for s in lead_statuses}
    if task.recurrence != Recurrence.NONE:
        code = Derived.RECURRING
    elif lead_statuses and codes <= set(DONE):
        code = Derived.DONE_LATE if Derived.DONE_LATE in codes else Derived.DONE_ON_TIME
    elif Derived.OVERDUE in codes or (not lead_statuses and days_left is not None and days_left < 0):
        code = Derived.OVERDUE
    elif waits_for_guidance(task) and due is None:
        code = Derived.WAITING
    else:
        code = Derived.PENDING
    return StatusView(code, due, days_left, task.recurrence, original_due_on=original,
                      blocked=any(s.blocked for s in lead_statuses), started=any(s.started for s in lead_statuses))
