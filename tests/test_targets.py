"""Indicator status: met, on track or off track, by direction (≥, ≤), target date and yearly steps."""

from datetime import date

import pytest

from webapp.models import Direction, Indicator
from webapp.services.targets import Progress, expected_value, progress

START = date(2021, 8, 13)  # the plan's date


def indicator(target, direction=Direction.AT_LEAST, target_date=date(2025, 12, 31), step=None):
    return Indicator(task_id=1, name="x", target_value=target, unit_of_measure="%", direction=direction,
                     target_date=target_date, yearly_step=step)


@pytest.mark.parametrize(
    ("target", "direction", "actual", "as_of", "baseline", "expected"),
    [
        # ≥ 95% satisfied by 2025
        (95, Direction.AT_LEAST, 96, date(2023, 6, 30), None, Progress.MET),
        (95, Direction.AT_LEAST, 95, date(2023, 6, 30), None, Progress.MET),
        (95, Direction.AT_LEAST, 90, date(2023, 6, 30), None, Progress.ON_TRACK),  # no baseline: until the date
        (95, Direction.AT_LEAST, 90, date(2026, 1, 1), None, Progress.MISSED),  # the date has passed
        (95, Direction.AT_LEAST, 80, date(2023, 10, 1), 60, Progress.ON_TRACK),  # halfway: 60 → 77.5 expected
        (95, Direction.AT_LEAST, 70, date(2023, 10, 1), 60, Progress.OFF_TRACK),
        # ≤ 15 minutes of waiting by 2025
        (15, Direction.AT_MOST, 14, date(2023, 1, 1), None, Progress.MET),
        (15, Direction.AT_MOST, 25, date(2023, 10, 1), 45, Progress.ON_TRACK),  # 45 → 30 expected
        (15, Direction.AT_MOST, 40, date(2023, 10, 1), 45, Progress.OFF_TRACK),
        (15, Direction.AT_MOST, 20, date(2026, 3, 1), 45, Progress.MISSED),
        (15, Direction.AT_MOST, None, date(2023, 1, 1), 45, Progress.NO_DATA),
    ],
)
def test_indicator_status_rules(target, direction, actual, as_of, baseline, expected):
    assert progress(indicator(target, direction), actual, start=START, as_of=as_of, baseline=baseline) == expected


def test_a_yearly_step_up_to_one_hundred_percent():
    # A.III.2: +20% a year until 100%, from 30% when the plan began.
    digitised = indicator(100, step=20)
    assert expected_value(digitised, start=START, as_of=date(2022, 12, 31), baseline=30) == pytest.approx(70, abs=0.5)
    assert expected_value(digitised, start=START, as_of=date(2026, 12, 31), baseline=30) == 100  # capped
    assert progress(digitised, 72, start=START, as_of=date(2022, 12, 31), baseline=30) == Progress.ON_TRACK
    assert progress(digitised, 55, start=START, as_of=date(2022, 12, 31), baseline=30) == Progress.OFF_TRACK
    assert progress(digitised, 100, start=START, as_of=date(2022, 12, 31), baseline=30) == Progress.MET


def test_a_target_without_a_date_is_judged_on_the_figure_alone():
    open_ended = indicator(80, target_date=None)
    assert progress(open_ended, 60, start=START, as_of=date(2030, 1, 1), baseline=None) == Progress.ON_TRACK
    assert progress(open_ended, 80, start=START, as_of=date(2030, 1, 1), baseline=None) == Progress.MET
