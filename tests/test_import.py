"""Importing a plan: the three formats, the two steps, every kind of bad file refused with a
message naming what to fix (and nothing written), the round trip of plan 1958, and a
property test: any table of valid cells survives export and import unchanged."""

import io
import re
import zipfile

import pytest
from docx import Document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from sqlmodel import select

from webapp.models import Assignment, Plan, PlanImport, Section, Task, Unit
from webapp.services.exports import PLAN_HEADER, Table, to_csv, to_xlsx
from webapp.services.reading import AppendixError, read_appendix

# The six columns of plan 1958's appendix.
COLUMNS = ("STT", "Nội dung công việc", "Đơn vị chủ trì thực hiện", "Đơn vị phối hợp", "Thời gian thực hiện", "Sản phẩm")

ADMIN = "quan-tri"
SECOND_PLAN = [
    ["A.", "NHIỆM VỤ CHUNG", "", "", "", ""],
    ["I.", "Năm 2023", "", "", "", ""],
    ["1", "Chuyển đổi số quy trình nội bộ", "Sở Thông tin và Truyền thông", "Sở, ban, ngành; UBND cấp huyện",
     "30/6/2023", "Quy trình điện tử"],
    ["2", "Tập huấn kỹ năng số cho cán bộ một cửa", "Sở Nội vụ", "Trung tâm Chuyển đổi số tỉnh",
     "Năm 2023", "Lớp tập huấn"],
    ["B.", "NHIỆM VỤ RIÊNG", "", "", "", ""],
    ["1.", "Sở Tư pháp", "", "", "", ""],
    ["", "Số hóa sổ hộ tịch", "Sở Tư pháp", "UBND cấp huyện, cấp xã", "Hàng năm", "Dữ liệu hộ tịch"],
]


def xlsx_bytes(rows, header=COLUMNS, formula_at=None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(row)
    if formula_at:
        sheet[formula_at] = "=1+1"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_bytes(rows, delimiter=";", bom=True) -> bytes:
    import csv

    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")


def docx_bytes(rows) -> bytes:
    """A plan document with its appendix table, heading rows merged across as provinces publish them."""
    document = Document()
    document.add_paragraph("KẾ HOẠCH Chuyển đổi số năm 2023")
    document.add_paragraph("PHỤ LỤC")
    table = document.add_table(rows=1, cols=6)
    for cell, title in zip(table.rows[0].cells, COLUMNS):
        cell.text = title
    for row in rows:
        cells = table.add_row().cells
        if not any(row[2:]):
            cells[0].text = row[0]
            merged = cells[1].merge(cells[5])
            merged.text = row[1]
        else:
            for cell, value in zip(cells, row):
                cell.text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def counts(session):
    session.rollback()
    return tuple(len(session.exec(select(model)).all()) for model in (Plan, Section, Task, Assignment))


def upload(client, filename: str, data: bytes, number="15/KH-UBND"):
    return client.client.post("/admin/plans", data={
        "csrf_token": client.token, "number": number, "title": "Kế hoạch chuyển đổi số năm 2023",
        "issuer": "UBND tỉnh Thái Bình", "issued_on": "10/01/2023", "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data")


def test_an_issue_date_not_in_the_calendar_is_named_as_such(login, session):
    admin = login(ADMIN)
    response = admin.client.post("/admin/plans", data={
        "csrf_token": admin.token, "number": "16/KH-UBND", "title": "", "issuer": "", "issued_on": "31/02/2025",
        "file": (io.BytesIO(xlsx_bytes(SECOND_PLAN)), "ke-hoach.xlsx")}, content_type="multipart/form-data")
    assert "Ngày ban hành: Không có ngày 31/02/2025: tháng 2/2025 chỉ có 28 ngày." in response.get_data(as_text=True)
    assert counts(session)[0] == 1


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "docx"])
def test_a_plan_is_imported_in_two_steps_from_each_format(login, session, fmt):
    admin = login(ADMIN)
    data = {"xlsx": xlsx_bytes, "csv": csv_bytes, "docx": docx_bytes}[fmt](SECOND_PLAN)
    before = counts(session)
    response = upload(admin, f"ke-hoach.{fmt}", data)
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    assert counts(session) == before  # a preview writes no plan
    preview = admin.get(response.headers["Location"]).get_data(as_text=True)
    for ref in ("A.I.1", "A.I.2", "B.1.1"):
        assert f">{ref}<" in preview
    assert "«Trung tâm Chuyển đổi số tỉnh» →" in preview and "chưa khớp" in preview  # highlighted
    assert "«cấp xã» →" in preview

    committed = admin.post(response.headers["Location"], {"map-0": "unit:stttt", "remember-0": "1",
                                                          "action": "commit"})
    assert committed.status_code == 303, committed.get_data(as_text=True)[:800]
    session.rollback()
    plan = session.exec(select(Plan).where(Plan.number == "15/KH-UBND")).one()
    tasks = {t.ref: t for t in session.exec(select(Task).where(Task.plan_id == plan.id))}
    assert set(tasks) == {"A.I.1", "A.I.2", "B.1.1"}
    assert tasks["A.I.1"].due_on.isoformat() == "2023-06-30"
    supporters = session.exec(select(Unit.code).join(Assignment).where(Assignment.task_id == tasks["A.I.2"].id,
                                                                        Assignment.role == Role_SUPPORT)).all()
    assert supporters == ["stttt"]  # the mapping
    stttt = session.exec(select(Unit).where(Unit.code == "stttt")).one()
    assert "Trung tâm Chuyển đổi số tỉnh" in stttt.aliases  # remembered for next time
    assert session.exec(select(PlanImport)).one().plan_id == plan.id


Role_SUPPORT = "support"


def test_the_pages_follow_the_plan_chosen(login, session):
    admin = login(ADMIN)
    response = upload(admin, "ke-hoach.xlsx", xlsx_bytes(SECOND_PLAN), number="15/KH-UBND")
    admin.post(response.headers["Location"], {"action": "commit"})
    reviewer = login("snv-ra-soat")
    newest = reviewer.get("/tasks").get_data(as_text=True)
    assert "Kế hoạch số 15/KH-UBND" in newest and "3 nhiệm vụ" in newest  # issued 10/01/2023, the newest
    assert reviewer.get("/tasks/A.I.21").status_code == 404  # a row of the other plan
    reviewer.post("/plan", {"plan": "1958-qd-ubnd"})
    chosen = reviewer.get("/tasks").get_data(as_text=True)
    assert "Kế hoạch số 1958/QĐ-UBND" in chosen and "58 nhiệm vụ" in chosen
    assert reviewer.get("/tasks/A.I.21").status_code == 200
    assert reviewer.post("/plan", {"plan": "khong-co"}).status_code == 404


BAD_FILES = [
    ("no lead column", "a.xlsx", lambda: xlsx_bytes(SECOND_PLAN, header=["TT", "Nội dung", "Ghi chú", "", "", ""]),
     "Không tìm thấy bảng phụ lục: cần một dòng tiêu đề có cột nội dung"),
    ("missing column", "a.csv", lambda: "STT;Nội dung công việc\n1;Việc\n".encode(), "Không tìm thấy bảng phụ lục"),
    ("empty content", "a.csv", lambda: csv_bytes([SECOND_PLAN[0], ["1", "", "Sở Nội vụ", "", "Năm 2023", ""]]),
     "tệp CSV, dòng 3: có đơn vị chủ trì, thời gian nhưng ô «Nội dung» trống"),
    ("date that cannot be", "a.xlsx", lambda: xlsx_bytes([SECOND_PLAN[0], SECOND_PLAN[1],
                                                          ["1", "Việc", "Sở Nội vụ", "", "31/02/2023", ""]]),
     "cột «Thời gian»: ngày «31/02/2023» không có thật"),
    ("xlsx that is text", "a.xlsx", lambda: csv_bytes(SECOND_PLAN), "không phải là tệp Excel (.xlsx) hợp lệ"),
    ("docx that is a workbook", "a.docx", lambda: xlsx_bytes(SECOND_PLAN), "không phải là tệp Word (.docx) hợp lệ"),
    ("csv that is a workbook", "a.csv", lambda: xlsx_bytes(SECOND_PLAN), "thực ra là tệp nén"),
    ("pdf", "a.pdf", lambda: b"%PDF-1.4", "Định dạng «.pdf» không được hỗ trợ"),
    ("too large", "a.csv", lambda: b"x" * 3000, "Tệp quá lớn"),  # the limit is set to 2 KB below
    ("formula", "a.xlsx", lambda: xlsx_bytes(SECOND_PLAN, formula_at="F3"), "Ô F3 (dòng 3) là công thức"),
    ("macros", "a.xlsm", lambda: xlsx_bytes(SECOND_PLAN), "Tệp có macro (.xlsm) không được nhận"),
    ("macros inside", "a.xlsx", lambda: _with_macro(xlsx_bytes(SECOND_PLAN)), "Tệp có chứa macro"),
    ("not utf-8", "a.csv", lambda: "STT;Nội dung".encode("utf-16"), "không ở mã UTF-8"),
    ("no table in the document", "a.docx", lambda: _document_without_table(), "Không tìm thấy bảng phụ lục"),
]


def _with_macro(data: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            target.writestr(item, source.read(item))
        target.writestr("xl/vbaProject.bin", b"\x00macro")
    return out.getvalue()


def _document_without_table() -> bytes:
    document = Document()
    document.add_paragraph("Không có bảng nào")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.mark.parametrize(("case", "filename", "make", "message"), BAD_FILES, ids=[c[0] for c in BAD_FILES])
def test_a_bad_file_is_refused_with_a_message_and_nothing_changes(app, login, session, case, filename, make, message):
    app.config["IMPORT_MAX_BYTES"] = 2048 if case == "too large" else app.config["IMPORT_MAX_BYTES"]
    admin = login(ADMIN)
    before = counts(session)
    response = upload(admin, filename, make())
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and message in page, re.sub(r"\s+", " ", page)[-1500:]
    assert counts(session) == before
    assert not session.exec(select(PlanImport)).all()


def test_a_failed_commit_changes_nothing(login, session):
    admin = login(ADMIN)
    first = upload(admin, "a.xlsx", xlsx_bytes(SECOND_PLAN), number="15/KH-UBND")
    second = upload(admin, "b.xlsx", xlsx_bytes(SECOND_PLAN), number="15/KH-UBND")
    admin.post(first.headers["Location"], {"action": "commit"})
    before = counts(session)
    page = admin.post(second.headers["Location"], {"map-0": "unit:stttt", "action": "commit"}).get_data(as_text=True)
    assert "Đã có kế hoạch mã «15-kh-ubnd»" in page
    assert counts(session) == before
    session.rollback()
    assert "Trung tâm Chuyển đổi số tỉnh" not in session.exec(select(Unit).where(Unit.code == "stttt")).one().aliases


def test_the_import_command_prints_the_preview_and_imports(runner, session, tmp_path):
    path = tmp_path / "ke-hoach.csv"
    path.write_bytes(csv_bytes(SECOND_PLAN))
    dry = runner.invoke(args=["import-plan", str(path), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Tệp ke-hoach.csv: 4 mục, 3 nhiệm vụ; đã đọc 7 trên 7 dòng có chữ của bảng" in dry.output
    assert "«Trung tâm Chuyển đổi số tỉnh» → CHƯA KHỚP" in dry.output
    assert "thời gian: «30/6/2023» → Hạn 30/06/2023" in dry.output  # each reading beside the text
    assert counts(session)[0] == 1
    malformed = runner.invoke(args=["import-plan", str(path), "--number", "15/KH-UBND",
                                    "--map", "Trung tâm Chuyển đổi số tỉnh:unit:stttt"])
    assert malformed.exit_code != 0 and "không đúng dạng" in malformed.output and counts(session)[0] == 1
    done = runner.invoke(args=["import-plan", str(path), "--number", "15/KH-UBND", "--issued-on", "10/01/2023",
                               "--map", "Trung tâm Chuyển đổi số tỉnh=unit:stttt"])
    assert done.exit_code == 0, done.output
    assert counts(session)[0] == 2
    session.rollback()
    stttt = session.exec(select(Unit).where(Unit.code == "stttt")).one()
    assert "Trung tâm Chuyển đổi số tỉnh" not in stttt.aliases  # mapped for this import, not remembered
    bad = tmp_path / "hong.xlsx"
    bad.write_bytes(b"not a workbook")
    refused = runner.invoke(args=["import-plan", str(bad), "--dry-run"])
    assert refused.exit_code != 0 and "không phải là tệp Excel" in refused.output


def test_plan_1958_makes_the_round_trip_through_xlsx(runner, session, tmp_path):
    path = tmp_path / "1958.xlsx"
    assert runner.invoke(args=["export-plan", "--format", "xlsx", "-o", str(path)]).exit_code == 0
    result = runner.invoke(args=["import-plan", str(path), "--number", "1958-ban-sao", "--code", "ban-sao"])
    assert result.exit_code == 0, result.output
    session.rollback()
    plans = {p.code: p for p in session.exec(select(Plan))}

    def rows(plan):
        return [(t.ref, t.stt, t.content, t.lead_text, t.support_text, t.timeframe_text, t.product)
                for t in session.exec(select(Task).where(Task.plan_id == plan.id).order_by(Task.position))]

    def assignments(plan):
        return sorted(session.exec(select(Task.ref, Unit.code, Assignment.role).join(Assignment, Assignment.task_id == Task.id)
                                   .join(Unit, Assignment.unit_id == Unit.id).where(Task.plan_id == plan.id)).all())

    assert rows(plans["ban-sao"]) == rows(plans["1958-qd-ubnd"])
    assert assignments(plans["ban-sao"]) == assignments(plans["1958-qd-ubnd"])


CELL = st.text(alphabet=st.sampled_from(list("aăâbcdđeêghiklmnoôơpqrstuưvxyAĐÊÔƠƯáàảãạếềểễệốồổỗộ0123456789 ,.;:-()/%=+@\n")),
               min_size=1, max_size=40).filter(lambda s: s.strip() and not s.startswith(("\n", " ")))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(CELL, CELL, st.one_of(st.just(""), CELL), st.one_of(st.just(""), CELL),
                          st.one_of(st.just(""), CELL)), min_size=1, max_size=8))
def test_any_table_of_valid_cells_survives_export_and_import(cells):
    rows = [(f"A.I.{n}", "A.I", str(n), content, lead, support, timeframe.replace("/", "-"), product)
            for n, (content, lead, support, timeframe, product) in enumerate(cells, start=1)]
    table = Table("Phụ lục", PLAN_HEADER, rows)
    for filename, data in (("plan.xlsx", to_xlsx(table)), ("plan.csv", to_csv(table))):
        parsed = read_appendix(filename, data)
        back = [(t.ref, t.section, t.stt, t.content, t.lead, t.support, t.timeframe, t.product) for t in parsed.tasks]
        assert back == rows, filename


def test_a_cell_with_only_spaces_counts_as_empty():
    with pytest.raises(AppendixError, match="ô trống"):
        read_appendix("plan.csv", to_csv(Table("Phụ lục", PLAN_HEADER, [("A.I.1", "A.I", "1", "Việc", "   ", "", "", "")])))


# --- a plan as a province sends it ------------------------------------------------------------

PROVINCE_PLAN = [
    ["PHỤ LỤC", "", "", "", "", "", ""],
    ["(Kèm theo Kế hoạch số 88/KH-UBND ngày 15/10/2025)", "", "", "", "", "", ""],
    ["TT", "Nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời hạn hoàn thành", "Nguồn kinh phí", "Ghi chú"],
    ["I", "CẢI CÁCH THỦ TỤC", "", "", "", "", ""],
    ["1", "Rà soát thủ tục", "Văn phòng UBND tỉnh", "Các sở, ngành", "Quý IV/2026", "Ngân sách tỉnh", ""],
    ["2", "Số hóa kết quả", "Sở Ban Chỉ đạo số", "", "Năm 2025 - 2026", "", "Làm theo đợt"],
    ["3", "Tuyên truyền", "Sở Thông tin và Truyền thông", "", "Thường xuyên", "", ""],
]


def province_plan_xlsx() -> bytes:
    workbook = Workbook()
    for row in PROVINCE_PLAN:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_the_preview_shows_every_cell_to_check_against_the_document(login):
    """The product, the whole of a long text one tap away, and the units each phrase was read
    as, by name: what will be stored, before anything is."""
    long_content = "Rà soát, chuẩn hóa quy trình nội bộ " + "và kết nối dữ liệu giữa các hệ thống " * 8 + "(hết)."
    rows = [*SECOND_PLAN, ["2", long_content, "Sở Nội vụ", "", "Năm 2023", "Báo cáo rà soát"]]
    admin = login(ADMIN)
    location = upload(admin, "ke-hoach-89.xlsx", xlsx_bytes(rows), number="89/KH-UBND").headers["Location"]
    page = re.sub(r"\s+", " ", admin.get(location).get_data(as_text=True))
    assert '<th scope="col">Sản phẩm</th>' in page
    assert '<td data-label="Sản phẩm">Quy trình điện tử</td>' in page
    assert "«Sở Thông tin và Truyền thông» → Sở Thông tin và Truyền thông" in page
    group = re.search(r"«Sở, ban, ngành» → <details class=\"unit-list\"><summary>(\d+) đơn vị</summary>(.*?)</details>",
                      page)
    assert group and "Sở Nội vụ" in group[2] and group[2].count(";") == int(group[1]) - 1
    folded = re.search(r'<details class="long-cell"><summary>(.*?)</summary>(.*?)</details>', page)
    assert folded and folded[1].endswith("…") and folded[2] == long_content


def test_the_preview_shows_readings_counts_extra_columns_and_rows_without_lead(login, session):
    admin = login(ADMIN)
    response = upload(admin, "ke-hoach-88.xlsx", province_plan_xlsx(), number="88/KH-UBND")
    location = response.headers["Location"]
    page = re.sub(r"\s+", " ", admin.get(location).get_data(as_text=True))
    assert "Đã đọc <strong>4</strong> trên <strong>4</strong> dòng có chữ của bảng" in page
    assert "«Nguồn kinh phí», «Ghi chú»" in page
    assert "Quý IV/2026<br> <span class=\"reading\">→ Hạn 31/12/2026</span>" in page
    assert "→ Hạn 31/12/2026, từ 01/01/2025" in page and "→ Thường xuyên" in page
    assert "1 nhiệm vụ chưa có đơn vị chủ trì:</strong> I.2" in page
    # A row shows the extra cells it fills, not an empty «Ghi chú:» line for each blank one.
    assert page.count('<span class="muted">Ghi chú:</span>') == 1
    assert page.count('<span class="muted">Nguồn kinh phí:</span>') == 1
    refused = admin.post(location, {"action": "commit"})
    said = refused.get_data(as_text=True)
    assert "Chưa nhập: 1 nhiệm vụ chưa có đơn vị chủ trì (I.2)" in said
    assert "--allow-unresolved" not in said  # the page's own way to confirm is its box, not the command's flag
    assert counts(session)[0] == 1
    # Mapped, the phrase shows as mapped; a generic phrase is never remembered.
    # «Xem lại» answers with a page of its own (Back and a reload ask nothing), which keeps the choice.
    shown = admin.post(location, {"map-0": "unit:stttt", "action": "preview"})
    assert shown.status_code == 303 and shown.headers["Location"].endswith(location.rsplit("/", 1)[1])
    mapped = re.sub(r"\s+", " ", admin.get(location).get_data(as_text=True))
    assert "Đã gán cả 1 cụm từ chưa khớp." in mapped  # the count follows what is mapped
    assert "→ Sở Thông tin và Truyền thông <span class=\"muted\">(gán theo lựa chọn khi nhập)</span>" in mapped
    assert "nhiệm vụ chưa có đơn vị chủ trì" not in mapped
    done = admin.post(location, {"map-0": "unit:stttt", "action": "commit"})
    assert done.status_code == 303
    session.rollback()
    plan = session.exec(select(Plan).where(Plan.number == "88/KH-UBND")).one()
    assert plan.extra_columns == ["Nguồn kinh phí", "Ghi chú"]
    tasks = {t.ref: t for t in session.exec(select(Task).where(Task.plan_id == plan.id))}
    assert tasks["I.1"].extra == {"Nguồn kinh phí": "Ngân sách tỉnh", "Ghi chú": ""}
    assert tasks["I.2"].extra == {"Nguồn kinh phí": "", "Ghi chú": "Làm theo đợt"}
    assert (tasks["I.2"].due_on.isoformat(), tasks["I.2"].starts_on.isoformat()) == ("2026-12-31", "2025-01-01")
    assert tasks["I.3"].recurrence.value == "continuous"
    said = admin.get("/admin/plans").get_data(as_text=True)
    assert "Các đơn vị gửi báo cáo khi Sở Nội vụ mở kỳ báo cáo cho kế hoạch này" in said  # what comes next
    # The same preview sent again (a second tab, Back): said so, nothing imported twice.
    again = admin.post(location, {"map-0": "unit:stttt", "action": "commit"})
    assert again.status_code == 303 and again.headers["Location"].endswith("/admin/plans")
    assert "đã được nhập thành kế hoạch 88/KH-UBND: không nhập lại" in admin.get("/admin/plans").get_data(as_text=True)
    session.rollback()
    assert len(session.exec(select(Plan).where(Plan.number == "88/KH-UBND")).all()) == 1


def test_rows_without_lead_commit_when_the_administrator_says_so(login, session):
    admin = login(ADMIN)
    location = upload(admin, "ke-hoach-88.xlsx", province_plan_xlsx(), number="88/KH-UBND").headers["Location"]
    done = admin.post(location, {"action": "commit", "allow_without_lead": "1"})
    assert done.status_code == 303
    page = admin.get("/admin/plans").get_data(as_text=True)
    assert "1 nhiệm vụ chưa có đơn vị chủ trì (I.2)" in page


def test_a_generic_phrase_is_never_remembered(login, session):
    admin = login(ADMIN)
    data = xlsx_bytes([SECOND_PLAN[0], SECOND_PLAN[1], ["1", "Việc", "Cơ quan chuyên môn", "", "2026", ""]])
    location = upload(admin, "a.xlsx", data, number="16/KH-UBND").headers["Location"]
    page = admin.post(location, {"map-0": "unit:snv", "remember-0": "1", "action": "commit"}).get_data(as_text=True)
    assert "là từ chung chỉ một loại cơ quan, không ghi nhớ" in page
    assert counts(session)[0] == 1


def test_the_import_command_refuses_rows_without_lead_unless_allowed(runner, session, tmp_path):
    path = tmp_path / "ke-hoach-88.xlsx"
    path.write_bytes(province_plan_xlsx())
    refused = runner.invoke(args=["import-plan", str(path), "--number", "88/KH-UBND"])
    assert refused.exit_code != 0 and "1 nhiệm vụ chưa có đơn vị chủ trì (I.2)" in refused.output
    assert "Thêm --allow-unresolved để vẫn nhập." in refused.output
    assert counts(session)[0] == 1
    done = runner.invoke(args=["import-plan", str(path), "--number", "88/KH-UBND", "--allow-unresolved"])
    assert done.exit_code == 0, done.output


def test_extra_columns_show_on_the_task_page_in_the_exports_and_in_the_api(login, runner, session, tmp_path, app):
    path = tmp_path / "ke-hoach-88.xlsx"
    path.write_bytes(province_plan_xlsx())
    assert runner.invoke(args=["import-plan", str(path), "--number", "88/KH-UBND", "--code", "kh-88",
                               "--allow-unresolved"]).exit_code == 0
    reviewer = login("snv-ra-soat")
    page = reviewer.get("/tasks/I.1?plan=kh-88").get_data(as_text=True)
    assert "<dt>Nguồn kinh phí</dt><dd class=\"text\">Ngân sách tỉnh</dd>" in page
    assert "<dt>Ghi chú</dt>" not in page  # left blank on this row
    assert "Đọc là: Hạn 31/12/2026." in page
    exported = tmp_path / "kh-88.csv"
    assert runner.invoke(args=["export-plan", "--plan", "kh-88", "-o", str(exported)]).exit_code == 0
    header = exported.read_text(encoding="utf-8-sig").splitlines()[0]
    assert header == "ref,section,stt,content,lead,support,timeframe,product,Nguồn kinh phí,Ghi chú"
    again = read_appendix("kh-88.csv", exported.read_bytes())
    assert [t.extra for t in again.tasks] == [{"Nguồn kinh phí": "Ngân sách tỉnh", "Ghi chú": ""},
                                              {"Nguồn kinh phí": "", "Ghi chú": "Làm theo đợt"},
                                              {"Nguồn kinh phí": "", "Ghi chú": ""}]
    report = reviewer.get("/exports/report.xlsx?plan=kh-88").data
    from openpyxl import load_workbook

    titles = [c.value for c in load_workbook(io.BytesIO(report)).active[4]]
    assert titles[-2:] == ["Nguồn kinh phí", "Ghi chú"]
    from webapp.models import User
    from webapp.services import api_tokens

    session.rollback()
    token = api_tokens.issue(session, user=session.exec(select(User).where(User.username == "snv-ra-soat")).one(),
                             name="kiểm tra")
    [task] = [t for t in app.test_client().get("/api/v1/plans/kh-88/tasks",
                                               headers={"Authorization": f"Bearer {token}"}).get_json()
              if t["ref"] == "I.2"]
    assert task["extra"] == {"Nguồn kinh phí": "", "Ghi chú": "Làm theo đợt"} and task["starts_on"] == "2025-01-01"


def test_the_reviewer_corrects_the_due_date_of_any_row_and_the_text_stays(login, session):
    reviewer = login("snv-ra-soat")
    reviewer.post("/tasks/A.I.1/due", {"due_on": "30/09/2021"})
    session.rollback()
    task = session.exec(select(Task).where(Task.ref == "A.I.1")).one()
    assert task.set_due_on.isoformat() == "2021-09-30" and task.timeframe_text == "15/8/2021"
    page = reviewer.get("/tasks/A.I.1").get_data(as_text=True)
    assert "Hạn đang áp dụng: 30/09/2021 (Sở Nội vụ đặt)" in page and "Đọc là: Hạn 15/08/2021." in page
    reviewer.post("/tasks/A.I.1/due", {"action": "clear"})
    session.rollback()
    assert session.exec(select(Task).where(Task.ref == "A.I.1")).one().set_due_on is None
