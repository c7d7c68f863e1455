"""Reading an appendix in the province's own layout, and what a bad table is told."""

import pytest

from webapp.services.appendix import COLUMNS, AppendixError, parse_rows, read_csv

HEADER = list(COLUMNS)


def test_headings_make_sections_and_rows_get_stable_refs():
    parsed = parse_rows([
        HEADER,
        ["A.", "NHÓM NHIỆM VỤ CHUNG", "", "", "", ""],
        ["I.", "Năm 2021", "\xa0", "", "", ""],
        ["1", "Việc một", "Sở Nội vụ", "", "Năm 2021", "Văn bản"],
        ["B.", "NHÓM NHIỆM VỤ RIÊNG", "", "", "", ""],
        ["2.", "Sở Tư pháp", "", "", "", ""],
        ["", "Việc không đánh số", "Sở Tư pháp", "", "Năm 2022", "Dữ liệu"],
        ["3.", "Sở Nội vụ", "", "", "", ""],
        ["3.1.", "Việc 3.1", "Sở Nội vụ", "", "Năm 2021", ""],
    ])
    assert [(s.code, s.parent) for s in parsed.sections] == [
        ("A", None), ("A.I", "A"), ("B", None), ("B.2", "B"), ("B.3", "B")]
    assert [t.ref for t in parsed.tasks] == ["A.I.1", "B.2.1", "B.3.1"]


def test_csv_with_bom_and_semicolons_is_read():
    data = ("\ufeff" + ";".join(HEADER) + "\nA.;Chung;;;;\n1;Việc;Sở Nội vụ;;Năm 2021;\n").encode()
    assert [t.ref for t in parse_rows(read_csv(data)).tasks] == ["A.1"]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([["STT", "Nội dung"]], "Dòng tiêu đề phải gồm đúng các cột"),
        ([HEADER, ["A.", "Chung", "", "", "", ""], ["1", "", "Sở Nội vụ", "", "", ""]], "Dòng 3, cột «Nội dung công việc»: ô trống"),
        ([HEADER, ["A.", "Chung", "", "", "", ""], ["1", "Việc", "", "Sở Tư pháp", "", ""]], "Dòng 3, cột «Đơn vị chủ trì thực hiện»: ô trống"),
        ([HEADER, ["A.", "Chung", "", "", "", ""], ["1", "Việc", "Sở Nội vụ", "", "", ""],
          ["1", "Việc khác", "Sở Nội vụ", "", "", ""]], "Dòng 4: STT «1» trùng"),
        ([HEADER, ["1", "Việc", "Sở Nội vụ", "", "", ""]], "nằm trước mọi tiêu đề mục"),
        ([HEADER, ["A.", "Chung", "", "", "", ""], ["x", "Việc", "Sở Nội vụ", "", "", ""]], "không phải số thứ tự"),
        ([HEADER, ["A.", "Chung", "", "", "", ""]], "Không tìm thấy nhiệm vụ nào"),
    ],
)
def test_a_bad_table_is_refused_with_a_message_naming_row_and_column(rows, message):
    with pytest.raises(AppendixError, match=message):
        parse_rows(rows)


def test_a_file_that_is_not_utf8_is_refused():
    with pytest.raises(AppendixError, match="UTF-8"):
        read_csv("STT,Nội dung".encode("utf-16"))
