"""Indicators (chỉ tiêu) against their targets: the units' actual figures per period, and
whether the province has met the target, is on track, or is off track.

- Met: the figure reaches the target (≥) or stays under it (≤).
- Otherwise, after the target date: off track. Before it: on track when the figure is
  where the road from the baseline to the target should have reached by now — a straight
  line to the target date, or the yearly step ("+20% a year up to 100%"); without a
  baseline there is no road to judge, and an unmet figure is on track until the date.
"""

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from statistics import mean

from sqlmodel import Session, select

from ..models import (
    Assignment,
    Direction,
    Indicator,
    IndicatorValue,
    Level,
    Period,
    Plan,
    Role,
    Task,
    Unit,
    UnitKind,
    User,
)
from . import clock
from .text import figure_vn


class Progress(str, Enum):
    MET = "met"
    ON_TRACK = "on_track"
    OFF_TRACK = "off_track"
    MISSED = "missed"  # the target date has passed and the target was not reached
    NO_DATA = "no_data"


PROGRESS_LABELS = {
    Progress.MET: "Đạt",
    Progress.ON_TRACK: "Đúng lộ trình",
    Progress.OFF_TRACK: "Chậm so với lộ trình",
    Progress.MISSED: "Không đạt (đã quá thời hạn)",
    Progress.NO_DATA: "Chưa có số liệu",
}
LEVEL_KINDS = {
    Level.PROVINCE: {UnitKind.DEPARTMENT, UnitKind.OFFICE, UnitKind.CENTRAL, UnitKind.ENTERPRISE, UnitKind.PRESS},
    Level.DISTRICT: {UnitKind.DISTRICT},
    # Districts answer for their communes while none is registered (section IV.1).
    Level.COMMUNE: {UnitKind.COMMUNE, UnitKind.DISTRICT},
}


class TargetError(ValueError):
    """A figure that cannot be taken; the message is in Vietnamese."""


SIGNS = {Direction.AT_LEAST: "≥", Direction.AT_MOST: "≤"}


def target_text(indicator: Indicator, *, with_date: bool = True) -> str:
    """The target as a report writes it: «≥ 30 %, tăng 20 mỗi năm, đến 31/12/2025»."""
    text = f"{SIGNS[indicator.direction]} {figure_vn(indicator.target_value)} {indicator.unit_of_measure}".rstrip()
    if indicator.yearly_step:
        text += f", tăng {figure_vn(indicator.yearly_step)} mỗi năm"
    if with_date and indicator.target_date:
        text += f", đến {indicator.target_date:%d/%m/%Y}"
    return text


def meets(indicator: Indicator, value: float, target: float | None = None) -> bool:
    target = indicator.target_value if target is None else target
    return value >= target if indicator.direction == Direction.AT_LEAST else value <= target


def expected_value(indicator: Indicator, *, start: date, as_of: date, baseline: float | None) -> float | None:
    """Where the figure should be on as_of to reach the target on time, if that can be said."""
    if baseline is None:
        return None
    target = indicator.target_value
    if indicator.yearly_step:
        # Each year adds the step, from the plan's first year, up to the target.
        years = as_of.year - start.year + (as_of.timetuple().tm_yday / 365)
        climbed = baseline + indicator.yearly_step * years
        return min(target, climbed) if indicator.direction == Direction.AT_LEAST else max(target, climbed)
    if indicator.target_date is None or indicator.target_date <= start:
        return target
    share = min(1.0, max(0.0, (as_of - start).days / (indicator.target_date - start).days))
    return baseline + (target - baseline) * share


def progress(indicator: Indicator, actual: float | None, *, start: date, as_of: date,
             baseline: float | None) -> Progress:
    if actual is None:
        return Progress.NO_DATA
    if meets(indicator, actual):
        return Progress.MET
    if indicator.target_date and as_of > indicator.target_date:
        return Progress.MISSED  # not «behind the road»: the road has ended
    expected = expected_value(indicator, start=start, as_of=as_of, baseline=baseline)
    if expected is None:
        return Progress.ON_TRACK
    return Progress.ON_TRACK if meets(indicator, actual, expected) else Progress.OFF_TRACK


def indicator_units(session: Session, indicator: Indicator) -> list[Unit]:
    return units_of_indicators(session, [indicator])[indicator.id]


def units_of_indicators(session: Session, indicators: list[Indicator]) -> dict[int, list[Unit]]:
    """Each indicator's units, in one query: the lead units of its row at the indicator's
    administrative level, or all its leads when none is of that level."""
    leads = defaultdict(list)
    for task_id, unit in session.exec(
        select(Assignment.task_id, Unit).join(Unit, Assignment.unit_id == Unit.id)
        .where(Assignment.task_id.in_({i.task_id for i in indicators}), Assignment.role == Role.LEAD, Unit.active)
        .order_by(Assignment.id)
    ):
        leads[task_id].append(unit)
    found = {}
    for indicator in indicators:
        units = leads[indicator.task_id]
        kinds = LEVEL_KINDS.get(indicator.level)
        chosen = [u for u in units if u.kind in kinds] if kinds else units
        if indicator.level == Level.COMMUNE and any(u.kind == UnitKind.COMMUNE for u in chosen):
            chosen = [u for u in chosen if u.kind == UnitKind.COMMUNE]
        # A row led by one department for the districts' desks (A.II.3): the lead reports the figure.
        found[indicator.id] = chosen or units
    return found


def concerns(session: Session, indicator: Indicator, unit: Unit) -> bool:
    return any(u.id == unit.id for u in indicator_units(session, indicator))


LARGEST_FIGURE = 1e12  # more than any count a province keeps (dossiers, people, đồng)


def check_figure(indicator: Indicator, value: float) -> None:
    """A figure an official report can carry: finite, not negative, at most 100 for a percentage."""
    if not math.isfinite(value) or value < 0:
        raise TargetError("Số liệu phải là một số hữu hạn, không âm.")
    if indicator.unit_of_measure.strip() == "%" and value > 100:
        raise TargetError(f"Chỉ tiêu tính theo %: số liệu từ 0 đến 100 (đã nhập {figure_vn(value)}).")
    if value > LARGEST_FIGURE:
        raise TargetError(f"Số liệu {figure_vn(value)} lớn quá mức hợp lý: hãy kiểm tra lại.")


def save_value(session: Session, *, indicator: Indicator, unit: Unit, period: Period, user: User, value: float,
               source: str, explanation: str = "") -> IndicatorValue:
    check_figure(indicator, value)
    if not period.is_open:
        raise TargetError(f"Kỳ «{period.label}» đã đóng: số liệu của kỳ không sửa được nữa.")
    if not source.strip():
        raise TargetError("Hãy ghi nguồn số liệu (ví dụ: Hệ thống thông tin giải quyết TTHC, báo cáo số …).")
    row = session.exec(select(IndicatorValue).where(
        IndicatorValue.indicator_id == indicator.id, IndicatorValue.unit_id == unit.id,
        IndicatorValue.period_id == period.id)).first()
    if row is None:
        row = IndicatorValue(indicator_id=indicator.id, unit_id=unit.id, period_id=period.id, value=value)
    row.value, row.source = value, source.strip()
    if explanation.strip() or row.explanation_request:
        row.explanation = explanation.strip()
    row.updated_by_id, row.updated_at = user.id, clock.now()
    session.add(row)
    session.commit()
    return row


def set_baseline(session: Session, *, indicator: Indicator, value: float) -> Indicator:
    """Where the province stood when the plan began: the start of the road to the target."""
    check_figure(indicator, value)
    indicator.baseline_value = value
    session.add(indicator)
    session.commit()
    return indicator


def request_explanation(session: Session, *, row: IndicatorValue, comment: str) -> IndicatorValue:
    if not comment.strip():
        raise TargetError("Hãy nêu điều cần đơn vị giải trình.")
    row.explanation_request = comment.strip()
    session.add(row)
    session.commit()
    return row


@dataclass
class IndicatorSummary:
    indicator: Indicator
    task: Task
    units: list[Unit] = field(default_factory=list)
    values: list[IndicatorValue] = field(default_factory=list)
    actual: float | None = None
    expected: float | None = None
    progress: Progress = Progress.NO_DATA

    @property
    def label(self) -> str:
        return PROGRESS_LABELS[self.progress]

    @property
    def reported(self) -> int:
        return len(self.values)


def summaries(session: Session, *, plan: Plan, period: Period | None, as_of: date,
              only: int | None = None) -> list[IndicatorSummary]:
    """Every indicator of the plan (or only the one named) with the period's figures: the mean
    of the units' values."""
    statement = select(Indicator, Task).join(Task).where(Task.plan_id == plan.id)
    if only is not None:
        statement = statement.where(Indicator.id == only)
    found = session.exec(statement.order_by(Task.position, Indicator.position)).all()
    values: dict[int, list[IndicatorValue]] = {}
    if period is not None:
        for row in session.exec(select(IndicatorValue).where(IndicatorValue.period_id == period.id)):
            values.setdefault(row.indicator_id, []).append(row)
    start = plan.issued_on or as_of
    units = units_of_indicators(session, [indicator for indicator, _ in found])
    result = []
    for indicator, task in found:
        rows = values.get(indicator.id, [])
        actual = round(mean(r.value for r in rows), 2) if rows else None
        result.append(IndicatorSummary(
            indicator, task, units[indicator.id], rows, actual,
            expected_value(indicator, start=start, as_of=as_of, baseline=indicator.baseline_value),
            progress(indicator, actual, start=start, as_of=as_of, baseline=indicator.baseline_value),
        ))
    return result
