"""Reading an appendix laid out as provinces lay theirs out: the header found by meaning,
sections as the documents write them, merged cells, tables broken across pages, notes,
extra columns; each layout read alike from Word and from Excel, and every row accounted
for. Plan 1958 and the real plans of tests/data/real_plans are read in their own tests."""

import pytest

from webapp.services.reading import AppendixError, read_appendix

from .documents import LEFT, UP, Paragraph, Table, docx_bytes, national_header, xlsx_bytes

TITLE_LINES = [["PHỤ LỤC", LEFT, LEFT, LEFT, LEFT, LEFT],
               ["DANH MỤC NHIỆM VỤ TRIỂN KHAI KẾ HOẠCH", LEFT, LEFT, LEFT, LEFT, LEFT],
               ["(Kèm theo Kế hoạch số 215/KH-UBND ngày 20/10/2025 của UBND tỉnh)", LEFT, LEFT, LEFT, LEFT, LEFT],
               ["", "", "", "", "", ""]]


def both(table: Table, *before, after=()) -> list[tuple[str, bytes]]:
    """The same layout as a Word document (with the document's header and title lines
    around it) and as a workbook (with the title lines above it)."""
    word = docx_bytes(national_header(), Paragraph("KẾ HOẠCH", bold=True), Paragraph("Triển khai …"),
                      *before, table, *after)
    sheet = xlsx_bytes(Table(TITLE_LINES + table.rows, {r + len(TITLE_LINES) for r in table.bold_rows}))
    return [("phu-luc.docx", word), ("phu-luc.xlsx", sheet)]


def read(filename: str, data: bytes):
    return read_appendix(filename, data)


def rows(parsed) -> list[tuple]:
    return [(t.ref, t.content, t.lead, t.support, t.timeframe, t.product) for t in parsed.tasks]


# --- the header ------------------------------------------------------------------------------

TWO_HEADER_ROWS = Table([
    ["TT", "NHIỆM VỤ", "CƠ QUAN THỰC HIỆN", LEFT, "THỜI GIAN\nHOÀN THÀNH", "KẾT QUẢ DỰ KIẾN"],
    [UP, UP, "Chủ trì", "Phối hợp", UP, UP],
    ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)"],
    ["I", "NHIỆM VỤ CHUNG", LEFT, LEFT, LEFT, LEFT],
    ["1", "Rà soát quy trình nội bộ", "Sở Nội vụ", "Các sở, ngành", "Quý IV/2025", "Báo cáo"],
    ["2", "Số hóa hồ sơ", "Sở Khoa học và Công nghệ", "", "Năm 2025 - 2026", "Dữ liệu"],
], bold_rows={0, 1, 3})


@pytest.mark.parametrize(("filename", "data"), both(TWO_HEADER_ROWS))
def test_two_header_rows_their_own_titles_and_a_row_of_column_numbers(filename, data):
    parsed = read(filename, data)
    assert rows(parsed) == [
        ("I.1", "Rà soát quy trình nội bộ", "Sở Nội vụ", "Các sở, ngành", "Quý IV/2025", "Báo cáo"),
        ("I.2", "Số hóa hồ sơ", "Sở Khoa học và Công nghệ", "", "Năm 2025 - 2026", "Dữ liệu"),
    ]
    assert [p.reason for p in parsed.passed_over] == []  # the column numbers belong to the header
    assert parsed.rows_read == parsed.rows_seen == 3


def titles_under_a_merged_title(merged_down: bool) -> Table:
    """«Nguồn kinh phí» across two columns whose titles no vocabulary knows; the other titles
    merged down over the second header row, or that row left blank under them."""
    above = UP if merged_down else ""
    return Table([
        ["STT", "Nội dung", "Cơ quan chủ trì", "Cơ quan phối hợp", "Nguồn kinh phí", LEFT, "Thời gian thực hiện"],
        [above, above, above, above, "Ngân sách nhà nước", "Nguồn xã hội hóa", above],
        ["I", "Xây dựng cơ chế, chính sách", LEFT, LEFT, LEFT, LEFT, LEFT],
        ["1", "Cơ chế miễn giảm tiền thuê đất", "Sở Tài chính", "Sở Du lịch", "x", "", "2025-2026"],
        ["2", "Hỗ trợ đường bay đến Huế", "Sở Du lịch", "", "x", "x", "2026"],
    ], bold_rows={0, 1, 2})


@pytest.mark.parametrize(("filename", "data"), [*both(titles_under_a_merged_title(merged_down=True)),
                                                *both(titles_under_a_merged_title(merged_down=False))])
def test_a_second_header_row_of_unknown_titles_under_a_title_merged_across(filename, data):
    """As Huế's KH 275/KH-UBND lays it out: the row under «Nguồn kinh phí» belongs to the
    header (before, it was read as a second table, and the file was refused as having no task)."""
    parsed = read(filename, data)
    assert rows(parsed) == [
        ("I.1", "Cơ chế miễn giảm tiền thuê đất", "Sở Tài chính", "Sở Du lịch", "2025-2026", ""),
        ("I.2", "Hỗ trợ đường bay đến Huế", "Sở Du lịch", "", "2026", ""),
    ]
    assert parsed.extra_columns == ["Nguồn kinh phí Ngân sách nhà nước", "Nguồn kinh phí Nguồn xã hội hóa"]
    assert [t.extra for t in parsed.tasks] == [
        {"Nguồn kinh phí Ngân sách nhà nước": "x", "Nguồn kinh phí Nguồn xã hội hóa": ""},
        {"Nguồn kinh phí Ngân sách nhà nước": "x", "Nguồn kinh phí Nguồn xã hội hóa": "x"},
    ]
    assert parsed.rows_read == parsed.rows_seen == 3


FIRST_ROW_UNDER_A_MERGED_TITLE = Table([
    ["STT", "Nội dung", "Chủ trì", "Phối hợp", "Nguồn kinh phí", LEFT, "Thời hạn"],
    ["1", "Rà soát thủ tục", "Sở Nội vụ", "", "x", "", "Quý IV/2025"],
], bold_rows={0})


@pytest.mark.parametrize(("filename", "data"), both(FIRST_ROW_UNDER_A_MERGED_TITLE))
def test_a_task_row_right_under_a_merged_title_is_not_taken_for_titles(filename, data):
    parsed = read(filename, data)
    assert rows(parsed) == [("1", "Rà soát thủ tục", "Sở Nội vụ", "", "Quý IV/2025", "")]
    assert parsed.extra_columns == ["Nguồn kinh phí"]
    assert parsed.tasks[0].extra == {"Nguồn kinh phí": "x"}


COLUMNS_IN_ANOTHER_ORDER = Table([
    ["Số TT", "Tên nhiệm vụ", "Thời hạn", "Cơ quan, đơn vị chủ trì", "Cơ quan phối hợp", "Nguồn kinh phí", "Ghi chú"],
    ["1", "Xây dựng kho dữ liệu", "Tháng 12/2025", "Sở Tài chính", "Các sở, ngành", "Ngân sách tỉnh", ""],
    ["2", "Tập huấn cán bộ", "Thường xuyên", "Sở Nội vụ", "", "", "Mỗi năm 2 lớp"],
], bold_rows={0})


@pytest.mark.parametrize(("filename", "data"), both(COLUMNS_IN_ANOTHER_ORDER))
def test_columns_in_any_order_without_a_product_and_extra_columns_kept_by_title(filename, data):
    parsed = read(filename, data)
    assert rows(parsed) == [
        ("1", "Xây dựng kho dữ liệu", "Sở Tài chính", "Các sở, ngành", "Tháng 12/2025", ""),
        ("2", "Tập huấn cán bộ", "Sở Nội vụ", "", "Thường xuyên", ""),
    ]
    assert parsed.extra_columns == ["Nguồn kinh phí", "Ghi chú"]
    assert [t.extra for t in parsed.tasks] == [{"Nguồn kinh phí": "Ngân sách tỉnh", "Ghi chú": ""},
                                               {"Nguồn kinh phí": "", "Ghi chú": "Mỗi năm 2 lớp"}]


def test_a_table_without_a_lead_column_is_refused_with_what_was_expected():
    data = xlsx_bytes(Table([["STT", "Nội dung", "Ghi chú"], ["1", "Việc", ""]]))
    with pytest.raises(AppendixError, match=r"cột đơn vị chủ trì \(Chủ trì.*Tệp có: Trang tính «Sheet1»: «STT», «Nội dung», «Ghi chú»"):
        read("a.xlsx", data)


# --- sections ----------------------------------------------------------------------------------

NUMBERED_HEADINGS = Table([
    ["STT", "Nội dung", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời gian thực hiện", "Sản phẩm"],
    ["I.", "HOÀN THIỆN THỂ CHẾ", "", "", "", ""],
    ["1.", "Văn bản quy phạm", "", "", "", ""],
    ["1.1", "Rà soát văn bản", "Sở Tư pháp", "", "2026", "Báo cáo"],
    ["1.2", "Sửa đổi quy chế", "Sở Nội vụ", "", "Quý I/2026", "Quyết định"],
    ["2", "Thủ tục hành chính", "", "", "", ""],
    ["", "Công bố danh mục", "Văn phòng UBND tỉnh", "", "Thường xuyên", ""],
    ["II", "HẠ TẦNG SỐ", "", "", "", ""],
    ["1", "Nâng cấp mạng", "Sở Khoa học và Công nghệ", "", "2026", ""],
])


@pytest.mark.parametrize(("filename", "data"), both(NUMBERED_HEADINGS))
def test_roman_sections_and_numbered_headings_with_or_without_a_dot(filename, data):
    parsed = read(filename, data)
    assert [(s.code, s.parent) for s in parsed.sections] == [
        ("I", None), ("I.1", "I"), ("I.2", "I"), ("II", None)]
    assert [t.ref for t in parsed.tasks] == ["I.1.1", "I.1.2", "I.2.1", "II.1"]


HEADINGS_WITH_THEIR_PARENTS_NUMERAL = Table([
    ["TT", "Nhiệm vụ cụ thể", "Cơ quan chủ trì", "Thời hạn thực hiện"],
    ["II", "Nhiệm vụ đến năm 2030", "", ""],
    ["II.1", "Thể chế, chính sách", "", ""],
    ["1", "Rà soát văn bản", "Đảng ủy UBND tỉnh", "2026 - 2030"],
    ["2", "Xây dựng kế hoạch", "Đảng ủy UBND tỉnh", "2029 - 2030"],
    ["II.2", "Kiểm soát ô nhiễm", "", ""],
    ["3", "Đóng cửa bãi chôn lấp", "Đảng ủy UBND tỉnh", "2027"],
])


@pytest.mark.parametrize(("filename", "data"), both(HEADINGS_WITH_THEIR_PARENTS_NUMERAL))
def test_a_heading_numbered_with_its_parents_numeral_and_rows_numbered_straight_through(filename, data):
    parsed = read(filename, data)  # Lào Cai's programme 104-CTr/TU: II.1, II.2 under II; rows 1, 2, 3 run on
    assert [(s.code, s.parent) for s in parsed.sections] == [("II", None), ("II.1", "II"), ("II.2", "II")]
    assert [t.ref for t in parsed.tasks] == ["II.1.1", "II.1.2", "II.2.3"]


FLAT = Table([
    ["TT", "Nội dung công việc", "Chủ trì", "Phối hợp", "Tiến độ"],
    ["1", "Việc một", "Sở Nội vụ", "", "2026"],
    ["2", "Việc hai", "Sở Tài chính", "", "2026"],
    ["3", "Việc ba", "Sở Y tế", "", "2026"],
])


@pytest.mark.parametrize(("filename", "data"), both(FLAT))
def test_a_flat_table_without_headings_keeps_its_own_numbers(filename, data):
    assert [t.ref for t in read(filename, data).tasks] == ["1", "2", "3"]


PARTS = Table([
    ["STT", "Nội dung công việc", "Đơn vị chủ trì thực hiện", "Đơn vị phối hợp", "Thời gian thực hiện", "Sản phẩm"],
    ["A", "NHIỆM VỤ CHUNG", LEFT, LEFT, LEFT, LEFT],
    ["I", "Năm 2025", LEFT, LEFT, LEFT, LEFT],
    ["1", "Việc chung", "Sở Nội vụ", "", "2025", ""],
    ["B", "NHIỆM VỤ CỤ THỂ", LEFT, LEFT, LEFT, LEFT],
    ["1", "Sở Tư pháp", LEFT, LEFT, LEFT, LEFT],
    ["", "Số hóa hộ tịch", "Sở Tư pháp", "", "2026", ""],
], bold_rows={1, 2, 4, 5})


@pytest.mark.parametrize(("filename", "data"), both(PARTS))
def test_parts_with_headings_merged_across_the_row(filename, data):
    parsed = read(filename, data)
    assert [(s.code, s.title) for s in parsed.sections] == [
        ("A", "NHIỆM VỤ CHUNG"), ("A.I", "Năm 2025"), ("B", "NHIỆM VỤ CỤ THỂ"), ("B.1", "Sở Tư pháp")]
    assert [t.ref for t in parsed.tasks] == ["A.I.1", "B.1.1"]


HEADING_IN_ONE_CELL = Table([
    ["STT", "Nội dung", "Chủ trì", "Phối hợp", "Thời gian"],
    ["I. CẢI CÁCH THỂ CHẾ", LEFT, LEFT, LEFT, LEFT],
    ["1", "Việc một", "Sở Nội vụ", "", "2026"],
    ["NHIỆM VỤ THƯỜNG XUYÊN", LEFT, LEFT, LEFT, LEFT],
    ["1", "Việc hai", "Sở Nội vụ", "", "Thường xuyên"],
], bold_rows={1, 3})


@pytest.mark.parametrize(("filename", "data"), both(HEADING_IN_ONE_CELL))
def test_a_heading_written_in_one_cell_across_the_row_and_an_unnumbered_one(filename, data):
    parsed = read(filename, data)
    assert [(s.code, s.title) for s in parsed.sections] == [("I", "CẢI CÁCH THỂ CHẾ"), ("M1", "NHIỆM VỤ THƯỜNG XUYÊN")]
    # Under a heading without a number a row keeps its own number, as long as it is unique.
    assert [t.ref for t in parsed.tasks] == ["I.1", "1"]


def test_rows_under_unnumbered_headings_numbered_afresh_keep_the_headings_code():
    data = xlsx_bytes(Table([["STT", "Nội dung", "Chủ trì", "Thời gian"], ["NHÓM MỘT", LEFT, LEFT, LEFT],
                             ["1", "Việc A", "Sở Nội vụ", "2026"], ["NHÓM HAI", LEFT, LEFT, LEFT],
                             ["1", "Việc B", "Sở Nội vụ", "2026"]]))
    assert [t.ref for t in read("a.xlsx", data).tasks] == ["M1.1", "M2.1"]


def test_another_table_further_down_the_same_sheet_is_not_read_as_tasks():
    data = xlsx_bytes(Table([HEADER, ["1", "Việc 1", "Sở Nội vụ", "", "2026", ""], ["", "", "", "", "", ""],
                             ["STT", "Chỉ tiêu", "Đơn vị tính", "Cơ quan chủ trì theo dõi", "Năm 2026", ""],
                             ["1", "Tỷ lệ hồ sơ trực tuyến", "%", "Sở Nội vụ", "80", ""]]))
    parsed = read("a.xlsx", data)
    assert [t.ref for t in parsed.tasks] == ["1"]
    assert any("không phải bảng nhiệm vụ" in note for note in parsed.notes)


# --- sub-rows and merged cells ------------------------------------------------------------------

SUB_ROWS = Table([
    ["STT", "Nội dung", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành", "Sản phẩm"],
    ["1", "Triển khai Đề án 06:", "Công an tỉnh", "Sở Khoa học và Công nghệ", "2026", ""],
    ["", "- Làm sạch dữ liệu dân cư", UP, UP, UP, ""],
    ["", "- Kết nối cơ sở dữ liệu", UP, UP, UP, ""],
    ["2", "Tuyên truyền chuyển đổi số:", "Sở Văn hóa, Thể thao và Du lịch", "", "Thường xuyên", "Tin, bài"],
    ["", "- Trên báo, đài", "", "", "", ""],
    ["", "- Trên mạng xã hội", "", "", "", ""],
    ["3", "Đào tạo kỹ năng số:", "", "", "", ""],
    ["a)", "Cho cán bộ cấp xã", "Sở Nội vụ", "", "Quý II/2026", "Lớp học"],
    ["b)", "Cho người dân", "Đoàn Thanh niên", "", "2026", ""],
])


@pytest.mark.parametrize(("filename", "data"), both(SUB_ROWS))
def test_sub_rows_merged_cells_lettered_rows_and_continuations_read_alike_in_both_formats(filename, data):
    parsed = read(filename, data)
    assert rows(parsed) == [
        # A lead cell merged over three rows leads each of them: the sub-rows are rows of their own.
        ("1", "Triển khai Đề án 06:", "Công an tỉnh", "Sở Khoa học và Công nghệ", "2026", ""),
        ("1.1", "- Làm sạch dữ liệu dân cư", "Công an tỉnh", "Sở Khoa học và Công nghệ", "2026", ""),
        ("1.2", "- Kết nối cơ sở dữ liệu", "Công an tỉnh", "Sở Khoa học và Công nghệ", "2026", ""),
        # Unnumbered lines with nothing but text continue the row above.
        ("2", "Tuyên truyền chuyển đổi số:\n- Trên báo, đài\n- Trên mạng xã hội", "Sở Văn hóa, Thể thao và Du lịch",
         "", "Thường xuyên", "Tin, bài"),
        ("3.a", "Cho cán bộ cấp xã", "Sở Nội vụ", "", "Quý II/2026", "Lớp học"),
        ("3.b", "Cho người dân", "Đoàn Thanh niên", "", "2026", ""),
    ]
    assert [s.code for s in parsed.sections] == ["PL", "3"]  # «Đào tạo kỹ năng số:» names no one: a heading
    assert parsed.continuations == 2 and parsed.rows_read == parsed.rows_seen == 9


def test_an_unnumbered_row_under_a_heading_takes_its_place_in_the_section():
    parsed = read("a.csv", "STT,Nội dung công việc,Đơn vị chủ trì thực hiện,Đơn vị phối hợp,Thời gian thực hiện,Sản phẩm\n"
                  "2.,Sở Tư pháp,,,,\n,Số hóa hộ tịch,Sở Tư pháp,,Năm 2022,\n".encode())
    assert [t.ref for t in parsed.tasks] == ["2.1"]


# --- tables broken across pages, notes, other tables ---------------------------------------------

HEADER = ["STT", "Nội dung", "Chủ trì", "Phối hợp", "Thời gian", "Sản phẩm"]


def test_every_table_of_the_appendix_is_read_after_a_page_break_a_note_or_an_ellipsis():
    data = docx_bytes(
        national_header(),
        Paragraph("PHỤ LỤC I", bold=True),
        Table([HEADER, ["I", "NHÓM A", LEFT, LEFT, LEFT, LEFT], ["1", "Việc 1", "Sở Nội vụ", "", "2026", ""]]),
        Paragraph("", page_break=True),
        Table([["2", "Việc 2", "Sở Nội vụ", "", "2026", ""], ["…", LEFT, LEFT, LEFT, LEFT, LEFT]]),
        Paragraph("(tiếp theo)"),
        Table([HEADER, ["II", "NHÓM B", LEFT, LEFT, LEFT, LEFT], ["1", "Việc 3", "Sở Tư pháp", "", "2027", ""],
               ["Ghi chú: các đơn vị báo cáo trước ngày 15 hằng tháng.", LEFT, LEFT, LEFT, LEFT, LEFT]]),
        Paragraph("PHỤ LỤC II — CHỈ TIÊU", bold=True),
        Table([["STT", "Chỉ tiêu", "Đơn vị tính", "Năm 2026"], ["1", "Tỷ lệ hồ sơ trực tuyến", "%", "80"]]),
        Table([["TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH", ""]]),
    )
    parsed = read("a.docx", data)
    assert [t.ref for t in parsed.tasks] == ["I.1", "I.2", "II.1"]
    assert [(p.where, p.reason) for p in parsed.passed_over] == [
        ("Bảng 3, dòng 2", "dòng nối trang"), ("Bảng 4, dòng 4", "ghi chú của văn bản")]
    assert parsed.rows_read == parsed.rows_seen
    assert any(note.startswith("Bảng 5") and "không đọc" in note for note in parsed.notes)  # the indicators


def test_a_header_repeated_inside_a_table_is_passed_over():
    data = xlsx_bytes(Table([HEADER, ["1", "Việc 1", "Sở Nội vụ", "", "2026", ""], HEADER,
                             ["2", "Việc 2", "Sở Nội vụ", "", "2026", ""]]))
    parsed = read("a.xlsx", data)
    assert [t.ref for t in parsed.tasks] == ["1", "2"]
    assert [p.reason for p in parsed.passed_over] == ["dòng tiêu đề lặp lại"]


def test_a_row_with_a_lead_but_no_content_refuses_the_file_with_its_place():
    data = xlsx_bytes(Table([HEADER, ["1", "Việc 1", "Sở Nội vụ", "", "2026", ""], ["2", "", "Sở Tư pháp", "", "", ""]]))
    with pytest.raises(AppendixError, match="Trang tính «Sheet1», dòng 3: có đơn vị chủ trì nhưng ô «Nội dung» trống"):
        read("a.xlsx", data)


def test_a_repeated_number_is_kept_under_another_ref_and_said_so():
    data = xlsx_bytes(Table([HEADER, ["1", "Việc 1", "Sở Nội vụ", "", "2026", ""], ["1", "Việc 2", "Sở Nội vụ", "", "", ""]]))
    parsed = read("a.xlsx", data)
    assert [t.ref for t in parsed.tasks] == ["1", "1-2"]
    assert "mã «1» đã có, dùng «1-2»" in parsed.notes[0]


def test_cells_keep_their_text_exactly_but_lose_control_characters():
    data = (",".join(HEADER) + '\n1,"  Việc\x0bcó ngắt dòng  ",Sở Nội vụ\x00,,2026,\n').encode()
    [task] = read("a.csv", data).tasks
    assert task.content == "  Việc\ncó ngắt dòng  " and task.lead == "Sở Nội vụ"


def test_an_old_word_file_is_converted_or_refused_with_a_hint(monkeypatch):
    import shutil

    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(AppendixError, match=r"định dạng cũ.*«Lưu thành» .docx.*cài LibreOffice"):
        read("ke-hoach.doc", b"\xd0\xcf\x11\xe0 not really")
