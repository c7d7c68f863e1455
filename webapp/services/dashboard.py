"""The figures leaders glance at: counts per status for the plan and each section, each
unit's progress, the indicators against their targets, and the rows that need attention —
today, for a period (frozen once closed), or two periods side by side."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import Session, select

from ..models import IndicatorValue, Period, PeriodReport, Plan, ReviewState, Section, Task, Unit
from .periods import (
    NOT_REPORTED,
    PERIOD_STATUS_LABELS,
    Standing,
    live_standing,
    periods_of,
    standing_of,
)
from .status import DONE, Derived
from .targets import IndicatorSummary, summaries
from .text import vietnamese_key

# The buckets, in the order of the Government Office's reports: they add up to the total.
STATUS_ORDER = [d.value for d in Derived]
DONE_CODES = {d.value for d in DONE}


@dataclass
class UnitLine:
    unit: Unit
    led: int = 0
    done: int = 0
    overdue: int = 0
    returned: int = 0
    not_reported: int = 0

    @property
    def done_share(self) -> int:
        return round(100 * self.done / self.led) if self.led else 0


@dataclass
class Attention:
    """A row that needs attention: overdue, blocked or with a lead's difficulty or proposal, with what its leads said."""

    task: Task
    section: Section
    status_label: str
    status_code: str
    due_on: date | None
    difficulties: list[tuple[str, str, str]] = field(default_factory=list)  # (unit, difficulties, proposals)


@dataclass
class Dashboard:
    label: str
    as_of: date
    period: Period | None
    counts: Counter
    sections: list[tuple[Section, Counter]]
    units: list[UnitLine]
    indicators: list[IndicatorSummary]
    attention: list[Attention]
    standing: Standing
    figures_period: Period | None = None  # whose indicator figures are shown (today: the latest period's)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def count_rows(self, counts: Counter | None = None) -> list[tuple[str, str, int]]:
        """(code, label, count) in the reports' order, for the plan or for one section's counts."""
        counts = self.counts if counts is None else counts
        return [(code, PERIOD_STATUS_LABELS[code], counts.get(code, 0)) for code in STATUS_ORDER]

    @property
    def done(self) -> int:
        """Hoàn thành: the two «done» buckets."""
        return sum(self.counts.get(code, 0) for code in DONE_CODES)

    @property
    def overdue(self) -> int:
        """Quá hạn: the one bucket of rows not done past their deadline, started or not."""
        return self.counts.get(Derived.OVERDUE.value, 0)

    def summary(self) -> str:
        """The headline as the official report writes it: the total and each bucket adding up to it."""
        buckets = "; ".join(f"{label[0].lower()}{label[1:]} {count}" for _, label, count in self.count_rows())
        blocked = f" Có vướng mắc: {self.blocked} (đã tính trong các nhóm trên)." if self.blocked else ""
        return f"Tổng số {self.total} nhiệm vụ, gồm: {buckets}.{blocked}"

    @property
    def blocked(self) -> int:
        """Rows a lead says are blocked: a flag across the buckets, not one of them."""
        return sum(1 for row in self.standing.rows if row.status.blocked)


def latest_figures_period(session: Session, plan: Plan) -> Period | None:
    """Figures are given for a period; today's view shows those of the latest period that has
    some (one just opened has none yet: its figures would all read «chưa có số liệu»)."""
    with_figures = session.exec(select(Period).where(Period.plan_id == plan.id,
                                                     Period.id.in_(select(IndicatorValue.period_id)))
                                .order_by(Period.starts_on.desc())).first()
    return with_figures or next(iter(periods_of(session, plan)), None)


def build(session: Session, *, plan: Plan, period: Period | None, today: date) -> Dashboard:
    standing = standing_of(session, period=period, today=today) if period else live_standing(
        session, plan=plan, today=today)
    as_of = standing.as_of or today
    sections = {s.id: s for s in session.exec(select(Section).where(Section.plan_id == plan.id))}
    per_section: dict[int, Counter] = {}
    for row in standing.rows:
        per_section.setdefault(row.task.section_id, Counter())[row.status.code.value] += 1
    units = {u.id: u for u in session.exec(select(Unit))}
    lines: dict[int, UnitLine] = {}
    for (task_id, unit_id), lead in standing.leads.items():
        line = lines.setdefault(unit_id, UnitLine(units[unit_id]))
        line.led += 1
        line.done += lead.code in DONE_CODES
        line.overdue += lead.overdue
        line.not_reported += lead.code == NOT_REPORTED
    if period is not None:
        for unit_id in session.exec(select(PeriodReport.unit_id).where(
                PeriodReport.period_id == period.id, PeriodReport.state == ReviewState.RETURNED)):
            if unit_id in lines:
                lines[unit_id].returned += 1
    figures = period or latest_figures_period(session, plan)
    said_by_row = defaultdict(list)
    for (task_id, unit_id), lead in standing.leads.items():
        report = lead.report
        if report is not None and (report.difficulties or report.proposals):
            said_by_row[task_id].append((units[unit_id].name, report.difficulties, report.proposals))
    # Overdue, blocked, or a lead wrote of a difficulty or a proposal (a finished row may still ask for funds).
    attention = [Attention(row.task, sections[row.task.section_id], row.status.label, row.status.code.value,
                           row.status.due_on, said_by_row.get(row.task.id, []))
                 for row in standing.rows if row.status.overdue or row.status.blocked or row.task.id in said_by_row]
    return Dashboard(
        label=standing.label,
        as_of=as_of,
        period=period,
        counts=standing.row_counts(),
        sections=[(sections[sid], counts) for sid, counts in sorted(per_section.items(),
                                                                     key=lambda item: sections[item[0]].position)],
        units=sorted(lines.values(), key=lambda line: (-line.overdue, vietnamese_key(line.unit.name))),
        indicators=summaries(session, plan=plan, period=figures, as_of=as_of),
        attention=attention,
        standing=standing,
        figures_period=figures,
    )
