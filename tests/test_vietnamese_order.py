"""Names in the order Vietnamese readers expect: the sort key itself, and the lists of the app
that use it (selects, the desk's and the dashboard's units, the report's sheets, the API,
list-units) on both database engines."""

import html
import io
import random
import re
import unicodedata
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from webapp.models import Unit, UnitKind, User
from webapp.services import api_tokens, clock
from webapp.services.dashboard import build
from webapp.services.periods import unit_progress
from webapp.services.plans import followed_plans
from webapp.services.text import by_vietnamese_name, vietnamese_key
from webapp.services.units import save_unit

from .test_plan_1958 import read_csv


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def in_order(names: list[str]) -> list[str]:
    return sorted(names, key=vietnamese_key)


def shuffled(names: list[str]) -> list[str]:
    names = list(names)
    random.Random(1958).shuffle(names)
    return names


# --- the key --------------------------------------------------------------------------------


def test_letters_with_marks_sort_by_their_base_letter_first():
    assert in_order(["Bưu điện tỉnh", "Bảo hiểm xã hội tỉnh"]) == ["Bảo hiểm xã hội tỉnh", "Bưu điện tỉnh"]
    # Code points put «Bưu» (ư, U+01B0) before «Bảo» (ả, U+1EA3).
    assert sorted(["Bưu điện tỉnh", "Bảo hiểm xã hội tỉnh"]) == ["Bưu điện tỉnh", "Bảo hiểm xã hội tỉnh"]
    assert in_order(shuffled(["Báo Thái Bình", "Bưu điện tỉnh", "Ban Quản lý", "Bảo hiểm xã hội tỉnh"])) == [
        "Ban Quản lý", "Bảo hiểm xã hội tỉnh", "Báo Thái Bình", "Bưu điện tỉnh"]


def test_d_stroke_is_a_letter_of_its_own_between_d_and_e():
    expected = ["UBND huyện Dầu Tiếng", "UBND huyện Duy Tiên", "UBND huyện Đông Hưng", "UBND huyện Ea Kar",
                "UBND huyện Hưng Hà"]
    assert in_order(shuffled(expected)) == expected
    assert sorted(expected)[-1] == "UBND huyện Đông Hưng"  # after every other letter by code points
    assert in_order(["Đài Phát thanh", "Sở Y tế", "Cục thuế", "Dân tộc", "Em"]) == [
        "Cục thuế", "Dân tộc", "Đài Phát thanh", "Em", "Sở Y tế"]


def test_the_alphabet_and_the_tones():
    alphabet = "a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y".split()
    assert in_order(shuffled(alphabet)) == alphabet
    assert in_order(shuffled([letter.upper() for letter in alphabet])) == [letter.upper() for letter in alphabet]
    tones = ["ma", "mà", "mả", "mã", "má", "mạ"]  # none, huyền, hỏi, ngã, sắc, nặng
    assert in_order(shuffled(tones)) == tones
    # Letters first, then the tone: «mạ» before «mai»; «Sở Giao thông» before «Sở Giáo dục».
    assert in_order(["mai", "mạ", "ma"]) == ["ma", "mạ", "mai"]
    assert in_order(["Sở Giáo dục và Đào tạo", "Sở Giao thông vận tải"]) == [
        "Sở Giao thông vận tải", "Sở Giáo dục và Đào tạo"]
    # A word at a time, as a dictionary: every «ba …» before «bà».
    assert in_order(["bà", "ba ba", "ba"]) == ["ba", "ba ba", "bà"]


def test_a_tone_belongs_to_its_syllable_wherever_it_is_written():
    assert vietnamese_key("Ủy ban nhân dân") == vietnamese_key("Uỷ ban nhân dân")
    assert vietnamese_key("Thái Thụy") == vietnamese_key("Thái Thuỵ")
    assert vietnamese_key("Văn hóa") == vietnamese_key("Văn hoá")
    assert in_order(["Uỷ ban", "Ủy ban", "UBND", "Ua"]) == ["Ua", "UBND", "Uỷ ban", "Ủy ban"]  # equals keep their order


def test_decomposed_text_sorts_as_composed():
    names = ["Bưu điện tỉnh", "Bảo hiểm xã hội tỉnh", "UBND huyện Đông Hưng", "UBND huyện Ea Kar", "Ủy ban",
             "Sở Văn hóa, Thể thao và Du lịch", "Quỳnh Phụ"]
    for name in names:
        assert vietnamese_key(nfd(name)) == vietnamese_key(name)
    mixed = [nfd(name) if n % 2 else name for n, name in enumerate(names)]
    assert [unicodedata.normalize("NFC", name) for name in in_order(mixed)] == in_order(names)


def test_case_is_set_aside():
    assert in_order(["bưu điện", "Bảo hiểm", "BAN"]) == ["BAN", "Bảo hiểm", "bưu điện"]
    assert in_order(["đông hưng", "Dương", "EA KAR", "duy tiên"]) == ["duy tiên", "Dương", "đông hưng", "EA KAR"]
    # Case only breaks a tie that remains, lower case first: the order never depends on the input's.
    assert in_order(["UBND", "ubnd", "Ubnd"]) == in_order(["Ubnd", "UBND", "ubnd"]) == ["ubnd", "Ubnd", "UBND"]


def test_numbers_by_value_and_punctuation_aside():
    assert in_order(["Phường 10", "Phường 2", "Phường 1"]) == ["Phường 1", "Phường 2", "Phường 10"]
    assert in_order(["Sở A", "Sở 1"]) == ["Sở 1", "Sở A"]
    assert vietnamese_key("Sở Lao động - Thương binh và Xã hội") == vietnamese_key("Sở Lao động Thương binh và Xã hội")


def test_by_vietnamese_name_sorts_records():
    rows = [("b", "Bưu điện"), ("a", "Bảo hiểm"), ("d", "Đài")]
    assert [code for code, _ in by_vietnamese_name(rows, name=lambda row: row[1])] == ["a", "b", "d"]


# --- through the app ------------------------------------------------------------------------

NEW_UNITS = {  # names that plan 1958's roster lacks: districts in D and E around Đông Hưng
    "dautieng": "UBND huyện Dầu Tiếng",
    "duytien": "UBND huyện Duy Tiên",
    "eakar": "UBND huyện Ea Kar",
}
EXPECTED = [  # plan 1958's units among the new ones, in the order every list must show them
    "Ban Quản lý Khu kinh tế và các khu công nghiệp tỉnh",
    "Bảo hiểm xã hội tỉnh",
    "Báo Thái Bình",
    "Bưu điện tỉnh Thái Bình",
    "Công an tỉnh",
    "Cục thuế tỉnh",
    "Đài Phát thanh và Truyền hình Thái Bình",
    "Sở Giao thông vận tải",
    "Sở Giáo dục và Đào tạo",
    "Sở Y tế",
    "Thanh tra tỉnh",
    "UBND huyện Dầu Tiếng",
    "UBND huyện Duy Tiên",
    "UBND huyện Đông Hưng",
    "UBND huyện Ea Kar",
    "UBND huyện Hưng Hà",
    "Văn phòng UBND tỉnh",
    "VNPT Thái Bình",
]


@pytest.fixture
def more_units(session):
    """Districts whose names sort around «Đông Hưng»; one stored decomposed, as some sources send it."""
    for code, name in NEW_UNITS.items():
        save_unit(session, unit=None, code=code, name=nfd(name) if code == "dautieng" else name, short_name="",
                  kind=UnitKind.DISTRICT, parent_code=None, aliases="")
    return NEW_UNITS


def options_of(page: str, name: str) -> list[str]:
    select_html = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S).group(1)
    labels = [html.unescape(label) for label in re.findall(r"<option[^>]*>([^<]*)</option>", select_html)]
    return [unicodedata.normalize("NFC", label) for label in labels]


ESSENTIAL = {"Bảo hiểm xã hội tỉnh", "Bưu điện tỉnh Thái Bình", "UBND huyện Dầu Tiếng", "UBND huyện Duy Tiên",
             "UBND huyện Đông Hưng", "UBND huyện Ea Kar", "UBND huyện Hưng Hà"}


def assert_in_vietnamese_order(names: list[str], essential: set[str] = ESSENTIAL) -> None:
    """The names listed follow EXPECTED (those of it listed, the essential ones at least), and
    the whole list is in the key's order."""
    names = [unicodedata.normalize("NFC", n) for n in names]
    assert essential <= set(names)
    assert [n for n in names if n in EXPECTED] == [n for n in EXPECTED if n in names]
    assert names == in_order(names)


def test_the_reviewers_unit_filter_lists_units_in_vietnamese_order(login, more_units):
    page = login("snv-ra-soat").get("/review").get_data(as_text=True)
    units = options_of(page, "unit")
    assert units[0] == "Tất cả đơn vị"
    assert_in_vietnamese_order(units[1:])


def test_the_overviews_unit_filter_and_naming_a_unit_on_a_row_too(login, more_units):
    reviewer = login("snv-ra-soat")
    units = options_of(reviewer.get("/tasks").get_data(as_text=True), "unit")
    assert units[0] == "Tất cả"
    assert_in_vietnamese_order(units[1:])
    named = options_of(reviewer.get("/tasks/A.I.2").get_data(as_text=True), "unit")
    assert "UBND huyện Ea Kar" in named
    assert named == in_order(named)


def test_units_figures_and_report_sheets_in_vietnamese_order(login, session, more_units, monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: date(2022, 9, 20))
    reviewer = login("snv-ra-soat")
    for code in ["eakar", "dptth", "duytien", "baothaibinh", "dautieng", "buudien"]:  # a lead row each
        assert reviewer.post("/tasks/A.I.2/assignments", {"unit": code, "role": "lead"}).status_code == 303
    session.expire_all()
    plans = followed_plans(session)
    progress = [p.unit.name for p in unit_progress(session, plans=plans, periods={}, today=clock.today())]
    assert_in_vietnamese_order(progress)
    board = build(session, plan=plans[0], period=None, today=clock.today())
    lines = [(-line.overdue, line.unit.name) for line in board.units]
    assert lines == sorted(lines, key=lambda line: (line[0], vietnamese_key(line[1])))
    # The new districts lead the same row: they share an overdue count, and sort among themselves by name.
    shared = next(overdue for overdue, name in lines if name == "UBND huyện Ea Kar")
    assert_in_vietnamese_order([name for overdue, name in lines if overdue == shared], set(NEW_UNITS.values()))
    workbook = load_workbook(io.BytesIO(login("lanh-dao").get("/exports/report.xlsx").get_data()))
    assert_in_vietnamese_order([sheet["A1"].value for sheet in workbook.worksheets[1:] if sheet.title != "Chỉ tiêu"])


def test_the_api_and_list_units_in_vietnamese_order(session, client, runner, more_units):
    user = session.exec(select(User).where(User.username == "snv-ra-soat")).one()
    token = api_tokens.issue(session, user=user, name="Trung tâm IOC")
    found = client.get("/api/v1/units", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert_in_vietnamese_order([u["name"] for u in found])
    header, *rows = read_csv(runner.invoke(args=["list-units"]).stdout_bytes)
    assert_in_vietnamese_order([name for _, name, _ in rows])
    assert len(rows) == len(session.exec(select(Unit)).all())
