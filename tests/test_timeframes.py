"""Timeframes are kept as written and read into a due date and a recurrence (DESIGN.md)."""

from datetime import date

import pytest

from webapp.models import Recurrence
from webapp.services.reading.timeframes import parse_timeframe

YEARLY, ONCE = Recurrence.YEARLY, Recurrence.NONE


@pytest.mark.parametrize(
    ("written", "due_on", "recurrence", "awaits_guidance"),
    [
        ("15/8/2021", date(2021, 8, 15), ONCE, False),  # that date
        ("31/12/2022", date(2022, 12, 31), ONCE, False),
        ("Năm 2021", date(2021, 12, 31), ONCE, False),  # 31/12 of the year
        ("Trong năm 2022", date(2022, 12, 31), ONCE, False),
        ("Thực hiện trong quý IV năm 2022", date(2022, 12, 31), ONCE, False),  # the quarter's last day
        ("quý III năm 2023", date(2023, 9, 30), ONCE, False),
        ("Hàng năm", None, YEARLY, False),
        ("Thực hiện năm 2021 và các năm tiếp theo", date(2021, 12, 31), YEARLY, False),
        ("Năm 2021 và các năm tiếp theo.", date(2021, 12, 31), YEARLY, False),
        ("Theo tiến độ từng năm", None, YEARLY, False),
        ("Hàng năm, theo hướng dẫn của Văn phòng Chính phủ", None, YEARLY, False),
        ("Theo hướng dẫn của Văn phòng Chính phủ", None, ONCE, True),  # no date until the guidance
        ("Năm 2022, theo hướng dẫn của Bộ Tư pháp", date(2022, 12, 31), ONCE, False),
    ],
)
def test_timeframe_rules(written, due_on, recurrence, awaits_guidance):
    timeframe = parse_timeframe(written)
    assert (timeframe.due_on, timeframe.recurrence, timeframe.awaits_guidance) == (due_on, recurrence, awaits_guidance)
    assert timeframe.understood


def test_a_timeframe_without_a_deadline_is_flagged_not_guessed():
    timeframe = parse_timeframe("Kiểm tra theo Kế hoạch, đột xuất")  # B.1.4
    assert timeframe.due_on is None and not timeframe.understood


def test_an_impossible_date_is_not_a_due_date():
    assert parse_timeframe("31/2/2022").due_on is None
