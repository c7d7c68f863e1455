"""Numeric targets in the task texts become indicators (chỉ tiêu)."""

from datetime import date

from webapp.models import Direction, Level
from webapp.services.reading.targets import find_indicators

from .plan_text import read_appendix

AT_LEAST, AT_MOST = Direction.AT_LEAST, Direction.AT_MOST
END_2025 = date(2025, 12, 31)


def found(ref: str, due: date | None = END_2025):
    content = {row.ref: row.content for row in read_appendix()[0]}[ref]
    return [(i.target_value, i.unit_of_measure, i.direction, i.level, i.yearly_step) for i in find_indicators(content, due)]


def test_percentages_per_level_respectively():
    # A.I.6: 30%, 20%, 15% for province, district, commune results, in 2021.
    assert found("A.I.6", date(2021, 12, 31)) == [
        (30, "%", AT_LEAST, Level.PROVINCE, None),
        (20, "%", AT_LEAST, Level.DISTRICT, None),
        (15, "%", AT_LEAST, Level.COMMUNE, None),
    ]


def test_a_percentage_followed_by_its_level():
    # A.II.3: 50% of district desks and 30% of commune desks.
    assert found("A.II.3") == [(50, "%", AT_LEAST, Level.DISTRICT, None), (30, "%", AT_LEAST, Level.COMMUNE, None)]


def test_waiting_time_is_a_ceiling():
    assert found("A.II.9") == [(30, "phút", AT_MOST, Level.ALL, None)]
    assert found("A.III.7") == [(15, "phút", AT_MOST, Level.ALL, None), (30, "phút", AT_LEAST, Level.ALL, None)]


def test_dossiers_per_staff_per_year_with_the_rural_figure():
    assert found("A.III.6") == [
        (1600, "hồ sơ/người/năm", AT_LEAST, Level.ALL, None),
        (1200, "hồ sơ/người/năm", AT_LEAST, Level.ALL, None),
    ]


def test_yearly_step_up_to_one_hundred_percent():
    # A.III.2: 20% more every year until 100%.
    assert found("A.III.2") == [(100, "%", AT_LEAST, Level.ALL, 20)]
    assert found("A.III.3") == [(100, "%", AT_LEAST, Level.DISTRICT, 30), (100, "%", AT_LEAST, Level.COMMUNE, 30)]


def test_several_targets_in_one_task():
    # A.III.5: 50% online, 80% internal hand-overs electronic, 100% digitised.
    assert [f[0] for f in found("A.III.5")] == [50, 80, 100]


def test_satisfaction_target_date_from_the_text():
    [indicator] = find_indicators(next(r.content for r in read_appendix()[0] if r.ref == "A.III.9"), None)
    assert (indicator.target_value, indicator.target_date) == (95, END_2025)
    assert indicator.name == "Mức độ hài lòng của tổ chức, cá nhân"


def test_every_indicator_keeps_the_clause_it_came_from():
    [first, *_] = find_indicators(next(r.content for r in read_appendix()[0] if r.ref == "A.II.8"), None)
    assert "Tối thiểu 30% tổ chức, cá nhân" in first.source_text


def test_tasks_without_targets_have_none():
    assert found("A.I.1") == []
    assert found("B.8.3") == []


# Target sentences as other provinces' plans write them.

def targets(text: str):
    return [(i.target_value, i.unit_of_measure, i.direction) for i in find_indicators(text)]


def test_measures_are_named_by_whole_words():
    [indicator] = find_indicators("Tối thiểu 50% hồ sơ có số hoặc mã định danh điện tử")
    assert "số hóa" not in indicator.name  # «số hoặc» is not «số hóa»
    [indicator] = find_indicators("Đến năm 2025, 100% thủ tục hành chính được số hóa")
    assert indicator.name == "Tỷ lệ số hóa hồ sơ, kết quả giải quyết TTHC"


def test_the_unit_is_what_the_text_writes_after_the_number():
    assert targets("Thời gian giải quyết hồ sơ không quá 3 ngày làm việc") == [(3, "ngày làm việc", AT_MOST)]
    assert targets("Cổng thông tin đạt 1.500 lượt/ngày truy cập") == [(1500, "lượt/ngày", AT_LEAST)]
    assert targets("Có tối thiểu 50 doanh nghiệp/năm tham gia") == [(50, "doanh nghiệp/năm", AT_LEAST)]


def test_a_number_without_a_target_word_is_no_target():
    assert targets("Mỗi năm tổ chức ít nhất 02 lớp tập huấn cho 300 người") == [(2, "lớp", AT_LEAST)]
    assert targets("Thực hiện theo Nghị định 61/2018/NĐ-CP và Quyết định 468/QĐ-TTg") == []


def test_a_reduction_is_a_floor_on_how_much_less():
    assert targets("Giảm tối thiểu 20% số thủ tục hành chính; tối thiểu 80% hồ sơ được giải quyết trực tuyến") == [
        (20, "% giảm", AT_LEAST), (80, "%", AT_LEAST)]
