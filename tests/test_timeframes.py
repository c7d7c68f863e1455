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


CONTINUOUS, HALF, QUARTERLY, MONTHLY = (Recurrence.CONTINUOUS, Recurrence.HALF_YEARLY, Recurrence.QUARTERLY,
                                        Recurrence.MONTHLY)


@pytest.mark.parametrize(
    ("written", "due_on", "starts_on", "recurrence", "awaits_guidance"),
    [
        # The forms plans of other provinces write, each read to its date or recurrence.
        ("15/12/2025", date(2025, 12, 15), None, ONCE, False),
        ("Trước ngày 15/12/2025", date(2025, 12, 15), None, ONCE, False),
        ("Tháng 12/2025", date(2025, 12, 31), None, ONCE, False),
        ("Trong tháng 02/2026", date(2026, 2, 28), None, ONCE, False),
        ("Tháng 12 hằng năm", None, None, YEARLY, False),
        ("Quý IV/2026", date(2026, 12, 31), None, ONCE, False),
        ("Quý IV năm 2026", date(2026, 12, 31), None, ONCE, False),
        ("Quý III Năm 2026", date(2026, 9, 30), None, ONCE, False),
        ("6 tháng đầu năm 2026", date(2026, 6, 30), None, ONCE, False),
        ("6 tháng cuối năm 2026", date(2026, 12, 31), None, ONCE, False),
        ("2026", date(2026, 12, 31), None, ONCE, False),
        ("Năm 2026", date(2026, 12, 31), None, ONCE, False),
        ("2025 - 2030", date(2030, 12, 31), date(2025, 1, 1), ONCE, False),
        ("Năm 2025-2026", date(2026, 12, 31), date(2025, 1, 1), ONCE, False),
        ("Năm 2025 - 2026", date(2026, 12, 31), date(2025, 1, 1), ONCE, False),  # not 31/12/2025
        ("Giai đoạn 2026 – 2030", date(2030, 12, 31), date(2026, 1, 1), ONCE, False),
        ("Quý IV/2025 - Quý II/2026", date(2026, 6, 30), date(2025, 10, 1), ONCE, False),
        ("Quý III, IV/2025", date(2025, 12, 31), date(2025, 7, 1), ONCE, False),
        ("Tháng 10-12/2025", date(2025, 12, 31), date(2025, 10, 1), ONCE, False),
        ("Từ tháng 7/2025 đến tháng 12/2026", date(2026, 12, 31), date(2025, 7, 1), ONCE, False),
        ("Đến năm 2030", date(2030, 12, 31), None, ONCE, False),
        ("Trước năm 2027", date(2026, 12, 31), None, ONCE, False),
        ("Thường xuyên", None, None, CONTINUOUS, False),
        ("Từ năm 2026", None, date(2026, 1, 1), CONTINUOUS, False),
        ("Hằng năm", None, None, YEARLY, False),
        ("Năm 2025 và các năm tiếp theo", date(2025, 12, 31), None, YEARLY, False),
        ("Quý IV/2025 và hằng năm", date(2025, 12, 31), None, YEARLY, False),
        ("Định kỳ hằng quý", None, None, QUARTERLY, False),
        ("Định kỳ 6 tháng", None, None, HALF, False),
        ("Định kỳ hằng tháng", None, None, MONTHLY, False),
        ("Thường xuyên; báo cáo định kỳ 6 tháng", None, None, HALF, False),  # the more frequent wins
        ("Theo hướng dẫn của Bộ Nội vụ", None, None, ONCE, True),
        ("Sau khi Đề án được phê duyệt", None, None, ONCE, True),
        ("Theo kế hoạch riêng", None, None, ONCE, True),
        ("Khi có phát sinh", None, None, ONCE, True),
        ("Theo Kế hoạch số 15/KH-UBND ngày 13/8/2021 của UBND tỉnh", None, None, ONCE, True),  # a citation is no date
    ],
)
def test_the_forms_real_plans_use(written, due_on, starts_on, recurrence, awaits_guidance):
    timeframe = parse_timeframe(written)
    assert (timeframe.due_on, timeframe.starts_on, timeframe.recurrence, timeframe.awaits_guidance) == \
        (due_on, starts_on, recurrence, awaits_guidance)


def test_the_reading_is_said_in_words_beside_the_text():
    assert parse_timeframe("Quý IV/2025 - Quý II/2026").reading == "Hạn 30/06/2026, từ 01/10/2025"
    assert parse_timeframe("Năm 2025 và các năm tiếp theo").reading == "Hằng năm, lần đầu hạn 31/12/2025"
    assert parse_timeframe("Kiểm tra đột xuất").reading == "Chưa đọc được hạn"
