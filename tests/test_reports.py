"""Editing a unit's report in place: partials, validation, conflicts, history, sessions."""

import io
import re

from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt
from openpyxl import load_workbook
from sqlmodel import select

from webapp.models import Report, ReportChange, ReportStatus, Task, Unit

from .test_data_stamp import recording

URL = "/tasks/A.I.3/units/stttt"
FORM = {"version": "0", "view": "unit", "status": "in_progress", "percent": "40", "result": "Đã kết nối thử nghiệm",
        "evidence_number": "125/BC-STTTT", "evidence_date": "15/03/2022", "difficulties": "", "proposals": "",
        "contribution_note": ""}


def stored(session, ref="A.I.3", unit="stttt") -> Report | None:
    session.rollback()  # a new snapshot: end the read transaction of the last look
    return session.exec(
        select(Report).join(Task, Report.task_id == Task.id).join(Unit, Report.unit_id == Unit.id)
        .where(Task.ref == ref, Unit.code == unit)
    ).first()


def test_an_htmx_request_gets_the_row_and_a_plain_one_the_page(login):
    client = login("stttt")
    partial = client.get(URL, htmx=True)
    assert partial.get_data(as_text=True).lstrip().startswith("<tr")
    assert "<html" not in partial.get_data(as_text=True)
    assert "HX-Request" in partial.headers["Vary"]
    full = client.get(URL).get_data(as_text=True)
    assert full.lstrip().lower().startswith("<!doctype html>") and 'id="report-1958-qd-ubnd-A.I.3-stttt"' in full


def test_a_history_restore_gets_the_full_page(login):
    client = login("stttt")
    restored = client.get("/my?role=lead", htmx=True, headers={"HX-History-Restore-Request": "true"})
    assert restored.get_data(as_text=True).lstrip().lower().startswith("<!doctype html>")
    boosted = client.get("/my", htmx=True, headers={"HX-Boosted": "true"})
    assert boosted.get_data(as_text=True).lstrip().lower().startswith("<!doctype html>")


def test_the_row_in_the_page_and_in_the_response_is_the_same_partial(login):
    client = login("stttt")
    page = client.get("/my").get_data(as_text=True)
    row = client.get(URL + "?view=unit", htmx=True).get_data(as_text=True).strip()
    assert row in page


def test_save_in_place_returns_the_updated_row(login, session):
    client = login("stttt")
    edit = client.get(URL + "/edit?view=unit", htmx=True).get_data(as_text=True)
    assert "<form" in edit and 'hx-post="/tasks/A.I.3/units/stttt"' in edit
    response = client.post(URL, FORM, htmx=True)
    row = response.get_data(as_text=True)
    assert response.status_code == 200 and row.lstrip().startswith("<tr")
    assert "Đang thực hiện" in row and "40%" in row and "Đã kết nối thử nghiệm" in row
    report = stored(session)
    assert (report.status, report.percent, report.version) == (ReportStatus.IN_PROGRESS, 40, 1)
    assert report.evidence_date.isoformat() == "2022-03-15"
    assert len(row.encode()) < 10_000, "an HTMX row response stays small"


def test_a_save_reads_the_row_and_the_rights_on_it_in_one_statement(app, login, database_url):
    """The task, its section, the unit, its report, the open period and the roles that decide
    what the user may do there come in one read: with the account's and what the row shows
    beside the report (extensions, files), a save reads four times before it writes."""
    client = login("stttt")
    assert client.post(URL, FORM, htmx=True).status_code == 200  # the report exists from now on
    statements = []
    with recording(app, statements):
        assert client.post(URL, {**FORM, "version": "1", "percent": "45"}, htmx=True).status_code == 200
    reads = [" ".join(s.split()) for s in statements if s.lstrip().upper().startswith("SELECT")]
    reads = [s for s in reads if "pg_advisory_xact_lock" not in s]  # PostgreSQL's writers taking turns
    row_reads = [s for s in reads if " FROM task " in s]
    assert len(row_reads) == 1 and " JOIN assignment AS " in row_reads[0], reads
    assert not any(" FROM assignment " in s for s in reads), reads
    assert len(reads) == 4, reads


def test_without_javascript_the_same_urls_work_as_pages_and_forms(login, session):
    client = login("stttt")
    page = client.get(URL + "/edit?view=unit").get_data(as_text=True)
    assert page.lstrip().lower().startswith("<!doctype html>") and 'action="/tasks/A.I.3/units/stttt"' in page
    response = client.post(URL, FORM)
    assert response.status_code == 303 and response.headers["Location"].startswith("/my#report-1958-qd-ubnd-A.I.3-stttt")
    assert stored(session).percent == 40


def test_validation_errors_show_in_the_row_in_vietnamese_and_keep_the_input(login, session):
    client = login("stttt")
    response = client.post(URL, {**FORM, "percent": "150", "result": "Nội dung của tôi"}, htmx=True)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and body.lstrip().startswith("<tr")
    assert "Tỷ lệ hoàn thành là một số nguyên từ 0 đến 100." in body
    assert "Nội dung của tôi" in body and 'value="150"' in body
    assert stored(session) is None


def test_a_long_result_folds_to_its_start_without_a_stop_before_the_ellipsis(login):
    client = login("stttt")
    result = "Xong. " * 50  # wherever it is cut between words, a sentence has just ended
    row = client.post(URL, {**FORM, "result": result}, htmx=True).get_data(as_text=True)
    summary = re.search(r'<td class="cell-result"[^>]*>\s*<details class="fold"><summary>(.*?)</summary>', row)[1]
    assert summary.endswith("Xong…") and ".…" not in summary and len(summary) <= 150


def test_the_rules_of_a_lead_report(login):
    client = login("stttt")
    cases = [
        ({"status": "done", "percent": "100", "result": ""}, "Hãy ghi kết quả thực hiện khi báo cáo hoàn thành."),
        ({"status": "blocked", "difficulties": ""}, "Hãy nêu khó khăn, vướng mắc."),
        ({"status": "not_started", "percent": "20"}, "Đã có tiến độ thì tình trạng là «Đang thực hiện»."),
        ({"status": "in_progress", "percent": "100"}, "Xong 100% thì chọn tình trạng «Hoàn thành»"),
        # A cleared box is a figure forgotten, not the work set back to 0%.
        ({"status": "in_progress", "percent": " "}, "Hãy nhập tỷ lệ hoàn thành, từ 0 đến 100."),
        ({"evidence_date": "15-08-2021"}, "Ngày không đúng dạng dd/mm/yyyy"),
        ({"evidence_date": "31/02/2022"}, "Không có ngày 31/02/2022: tháng 2/2022 chỉ có 28 ngày."),
        ({"evidence_date": "00/01/2022"}, "Không có ngày 00/01/2022: ngày là số từ 1 đến 31."),
        ({"evidence_date": "12/13/2022"}, "Không có tháng 13: tháng là số từ 1 đến 12."),
        ({"evidence_date": "01/01/2099"}, "Ngày văn bản không thể sau hôm nay."),
        ({"status": "finished"}, "Giá trị không có trong danh sách để chọn."),
    ]
    for changes, message in cases:
        body = client.post(URL, {**FORM, **changes}, htmx=True).get_data(as_text=True)
        assert message in body, changes


def test_an_empty_percent_is_zero_only_for_work_not_started(login, session):
    login("stttt").post(URL, {**FORM, "status": "not_started", "percent": ""}, htmx=True)
    assert stored(session).percent == 0


def test_choosing_done_sets_the_percent_to_100(login, session):
    client = login("stttt")
    body = client.post(URL, {**FORM, "status": "done", "percent": "80", "result": "Đã ban hành"},
                       htmx=True).get_data(as_text=True)
    assert "report-form" not in body and "100%" in body
    assert stored(session).percent == 100


def test_a_leads_note_is_a_note_and_a_supporters_is_its_contribution(login):
    lead = login("stttt").get(URL + "/edit", htmx=True).get_data(as_text=True)
    assert ">Ghi chú<" in lead and "Ý kiến, kết quả phối hợp" not in lead
    supporter = login("snv").get("/tasks/A.I.3/units/snv/edit", htmx=True).get_data(as_text=True)
    assert "Ý kiến, kết quả phối hợp" in supporter


def test_a_save_on_an_older_version_is_refused_and_shows_what_the_other_saved(login, session):
    first, second = login("stttt"), login("stttt")  # the same unit in two browsers
    first.get(URL + "/edit", htmx=True)
    second.get(URL + "/edit", htmx=True)
    assert first.post(URL, {**FORM, "result": "Bản của người thứ nhất"}, htmx=True).status_code == 200
    late = second.post(URL, {**FORM, "result": "Bản của người thứ hai", "percent": "60"}, htmx=True)
    body = late.get_data(as_text=True)
    assert "báo cáo này vừa được" in body and "Bản của người thứ nhất" in body  # what the other saved
    assert "Bản của người thứ hai" in body  # the user's own text is kept in the form
    assert re.search(r'name="version" type="hidden" value="1"', body)
    assert stored(session).result == "Bản của người thứ nhất"
    # Saving again, knowingly, on the version now shown goes through.
    again = second.post(URL, {**FORM, "version": "1", "result": "Bản của người thứ hai", "percent": "60"}, htmx=True)
    assert "Bản của người thứ hai" in again.get_data(as_text=True)
    assert (stored(session).result, stored(session).version) == ("Bản của người thứ hai", 2)


def test_every_change_is_recorded_and_shown_on_the_task_page(login, session):
    client = login("stttt")
    client.post(URL, FORM, htmx=True)
    client.post(URL, {**FORM, "version": "1", "percent": "70"}, htmx=True)
    report = stored(session)
    changes = session.exec(select(ReportChange).where(ReportChange.report_id == report.id)
                           .order_by(ReportChange.id)).all()
    assert [(c.field, c.old_value, c.new_value) for c in changes] == [
        ("status", "Chưa thực hiện", "Đang thực hiện"),
        ("percent", "0", "40"),
        ("result", "", "Đã kết nối thử nghiệm"),
        ("evidence_number", "", "125/BC-STTTT"),
        ("evidence_date", "", "15/03/2022"),
        ("percent", "40", "70"),
    ]
    assert all(c.changed_by_id for c in changes)
    page = login("lanh-dao").get("/tasks/A.I.3").get_data(as_text=True)
    assert "Lịch sử cập nhật" in page and "«Tỷ lệ hoàn thành (%)»" in page
    assert "<del>40</del> → <ins>70</ins>" in page


def test_a_save_that_changes_nothing_writes_nothing(login, session):
    client = login("stttt")
    client.post(URL, FORM, htmx=True)
    client.post(URL, {**FORM, "version": "1"}, htmx=True)
    assert stored(session).version == 1


def test_a_supporter_writes_its_note(login, session):
    client = login("snv")
    response = client.post("/tasks/A.I.3/units/snv", {"version": "0", "view": "task",
                                                      "contribution_note": "Đã cử cán bộ phối hợp"}, htmx=True)
    assert "Đã cử cán bộ phối hợp" in response.get_data(as_text=True)
    assert stored(session, unit="snv").contribution_note == "Đã cử cán bộ phối hợp"


def test_an_expired_session_sends_htmx_requests_to_the_login_page(client):
    response = client.get(URL + "/edit", headers={"HX-Request": "true",
                                                  "HX-Current-URL": "http://localhost/my?role=lead"})
    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == "/login?next=/my?role%3Dlead"
    assert response.get_data(as_text=True) == ""


def test_a_step_sent_after_the_session_ended_says_it_was_not_taken(client):
    """A save or a sending whose session has ended (its CSRF token with it): the login page says
    the step was not taken, whichever it was, and claims nothing of text typed."""
    response = client.post(URL + "/submit", data={"view": "unit"},
                           headers={"HX-Request": "true", "X-CSRFToken": "from-the-ended-session"})
    assert response.headers["HX-Redirect"].startswith("/login")
    page = client.get(response.headers["HX-Redirect"]).get_data(as_text=True)
    assert "Phiên đăng nhập đã hết hạn nên thao tác vừa rồi chưa được thực hiện (chưa lưu, chưa gửi)." in page


def test_a_session_copied_before_logout_is_useless_after(login):
    client = login("stttt")
    cookie = client.client.get_cookie("session").value
    assert client.post("/logout").status_code == 303
    thief = client.client.application.test_client()
    thief.set_cookie("session", cookie)
    assert thief.get("/my").status_code == 303  # back to the login page


def test_login_failures_do_not_say_which_part_was_wrong(app):
    from .factories import UserClient

    client = UserClient(app.test_client())
    wrong_password = client.post("/login", {"username": "stttt", "password": "sai-mat-khau"})
    no_such_user = client.post("/login", {"username": "khong-co", "password": "sai-mat-khau"})
    message = "Tên đăng nhập hoặc mật khẩu không đúng."
    assert message in wrong_password.get_data(as_text=True) and message in no_such_user.get_data(as_text=True)
    assert wrong_password.status_code == no_such_user.status_code == 401


def test_login_never_redirects_to_another_site(app):
    from .factories import UserClient

    client = UserClient(app.test_client())
    response = client.post("/login", {"username": "stttt", "password": "demo-1958", "next": "//evil.example/x"})
    assert response.headers["Location"] == "/"


def test_create_user_command(runner, session):
    result = runner.invoke(args=["create-user", "--username", "nguyen.van.a", "--password", "mat-khau-8",
                                 "--role", "unit", "--unit", "sxd"])
    assert result.exit_code == 0 and "Đã tạo tài khoản «nguyen.van.a»" in result.output
    refused = runner.invoke(args=["create-user", "--username", "x", "--password", "mat-khau-8", "--role", "unit"])
    assert refused.exit_code != 0 and "phải có --unit" in refused.output
    short = runner.invoke(args=["create-user", "--username", "y", "--password", "ngan", "--role", "leader"])
    assert "ít nhất 8 ký tự" in short.output


# --- The official reports' files --------------------------------------------------------------

REVIEWER = "snv-ra-soat"
SAVED_RESULT = 'Dòng một <b> & "x"\nDòng hai'
SHOWN_RESULT = 'Dòng một <b> & "x"\nDòng hai (Văn bản số 125/BC-STTTT ngày 15/03/2022)'


def _downloaded(login, path: str) -> io.BytesIO:
    response = login(REVIEWER).get(path)
    assert response.status_code == 200
    return io.BytesIO(response.data)


def test_the_word_appendix_takes_times_new_roman_11_from_a_style(login):
    assert login("stttt").post(URL, {**FORM, "result": SAVED_RESULT}, htmx=True).status_code == 200
    document = Document(_downloaded(login, "/exports/report.docx"))
    appendix = document.tables[1]
    header, *rows = appendix.rows
    runs = [(row, run) for row in appendix.rows for cell in row.cells for p in cell.paragraphs for run in p.runs]
    assert runs
    for _, run in runs:
        assert (run.font.name or run.style.font.name) == "Times New Roman"
        assert (run.font.size or run.style.font.size) == Pt(11)
        own = run._r.rPr.rFonts if run._r.rPr is not None else None
        fonts = own if own is not None else run.style.element.rPr.rFonts
        assert fonts.get(qn("w:eastAsia")) == "Times New Roman"  # Vietnamese text Word reads as East Asian
    # The cells' paragraphs stay in the Normal style: rows are as tall as the text and its paragraph mark make them.
    assert {p.style.name for row in appendix.rows for cell in row.cells for p in cell.paragraphs} == {"Normal"}
    assert all(run.bold for row, run in runs if row is header)
    assert header._tr.trPr.find(qn("w:tblHeader")) is not None  # repeated on every printed page
    assert [c.text for c in header.cells] == ["STT", "Nội dung công việc", "Đơn vị chủ trì", "Đơn vị phối hợp",
                                              "Thời gian thực hiện", "Sản phẩm", "Kết quả thực hiện", "Tình trạng",
                                              "Khó khăn, vướng mắc", "Đề xuất"]
    # Text is written as typed: markup characters escaped, a new line a line break.
    assert any(cell.text == SHOWN_RESULT for row in rows for cell in row.cells)
    # A heading spans the columns after its number, as wide as they are, in bold.
    heading = next(row for row in rows if row.cells[0].text == "A.")
    spanned = heading._tr.tc_lst[1]
    assert spanned.grid_span == len(appendix.columns) - 1
    assert spanned.width == sum(column.width for column in list(appendix.columns)[1:])
    assert all(run.bold for cell in heading.cells for p in cell.paragraphs for run in p.runs)
    assert round(document.sections[1].page_width.cm, 1) == 29.7 and round(document.sections[1].left_margin.cm, 1) == 2.0


def test_the_excel_report_keeps_its_fonts_borders_heights_and_print_setup(login):
    assert login("stttt").post(URL, {**FORM, "result": "=1+1\nDòng hai"}, htmx=True).status_code == 200
    workbook = load_workbook(_downloaded(login, "/exports/report.xlsx"))
    sheet = workbook["Báo cáo"]
    assert (sheet["A1"].font.name, sheet["A1"].font.b, sheet["A1"].font.sz) == ("Times New Roman", True, 14)
    assert (sheet["A2"].font.name, sheet["A2"].font.i, sheet["A2"].font.sz) == ("Times New Roman", True, 12)
    assert {"A1:J1", "A2:J2"} <= {str(r) for r in sheet.merged_cells.ranges}
    for cell in sheet[4]:
        assert (cell.font.name, cell.font.b, cell.font.sz) == ("Times New Roman", True, 11)
        assert cell.fill.fgColor.rgb == "00D9E2F3" and cell.alignment.horizontal == "center"
    assert sheet.row_dimensions[4].height == 27
    rows = list(sheet.iter_rows(min_row=5))
    for row in rows:
        for cell in row[:2]:
            assert cell.font.name == "Times New Roman" and cell.font.sz == 11
            assert cell.alignment.wrap_text and cell.alignment.vertical == "top"
            assert all(getattr(cell.border, side).style == "thin" for side in ("left", "right", "top", "bottom"))
        assert sheet.row_dimensions[row[0].row].height % 13.5 == 0
    saved = next(row for row in rows if str(row[6].value).startswith("=1+1"))
    assert saved[6].value == "=1+1\nDòng hai (Văn bản số 125/BC-STTTT ngày 15/03/2022)" and saved[6].data_type == "s"
    assert not saved[6].font.b and sheet.row_dimensions[saved[0].row].height >= 3 * 13.5
    # A heading is bold and merged over the columns after its number, the merged cells bordered on its edges.
    heading = next(row for row in rows if row[0].value == "A.")
    assert heading[0].font.b and heading[1].font.b and f"B{heading[0].row}:J{heading[0].row}" in {
        str(r) for r in sheet.merged_cells.ranges}
    assert all(c.border.top.style == c.border.bottom.style == "thin" for c in heading[2:])
    assert heading[-1].border.right.style == "thin"
    stttt = workbook["STTTT"]
    assert (stttt["A1"].value, stttt["A1"].font.b, stttt["A1"].font.sz) == ("Sở Thông tin và Truyền thông", True, 13)
    assert [c.value for c in stttt[3]][:3] == ["Mã", "Nội dung công việc", "Tình trạng"] and stttt[3][0].font.b
    assert stttt[3][0].fill.fill_type is None
    row = next(r for r in stttt.iter_rows(min_row=4) if r[0].value == "A.I.3")
    assert (row[3].value, row[4].value, row[4].data_type) == (40, "=1+1\nDòng hai", "s")
    for name, header_row in [("Báo cáo", 4), ("STTTT", 3), ("Chỉ tiêu", 1)]:
        setup = workbook[name]
        assert setup.freeze_panes == f"A{header_row + 1}" and setup.print_title_rows == f"${header_row}:${header_row}"
        assert setup.page_setup.orientation == "landscape" and setup.page_setup.paperSize == 9
        assert (setup.page_setup.fitToWidth, setup.page_setup.fitToHeight) == (1, 0)
        assert setup.sheet_properties.pageSetUpPr.fitToPage
        margins = setup.page_margins
        assert (margins.left, margins.right, margins.top, margins.bottom) == (0.6, 0.4, 0.6, 0.6)


def test_beyond_a_few_dozen_units_the_excel_report_puts_them_on_one_sheet_with_a_filter(login, monkeypatch):
    """A province's hundreds of units would be hundreds of tabs: past UNIT_SHEETS_AT_MOST they
    share the sheet «Theo đơn vị», unit by unit in alphabetical order, each row naming its unit."""
    from webapp.services import official_report

    assert login("stttt").post(URL, {**FORM, "result": "=1+1"}, htmx=True).status_code == 200
    apart = load_workbook(_downloaded(login, "/exports/report.xlsx"))
    units = [name for name in apart.sheetnames if name not in ("Báo cáo", "Chỉ tiêu")]
    monkeypatch.setattr(official_report, "UNIT_SHEETS_AT_MOST", 2)
    workbook = load_workbook(_downloaded(login, "/exports/report.xlsx"))
    assert workbook.sheetnames == ["Báo cáo", "Theo đơn vị", "Chỉ tiêu"]
    sheet = workbook["Theo đơn vị"]
    assert [c.value for c in sheet[3]] == ["Đơn vị", "Mã", "Nội dung công việc", "Tình trạng", "Tỷ lệ (%)",
                                           "Kết quả thực hiện", "Khó khăn, vướng mắc", "Đề xuất"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=4)]
    assert len(rows) == sum(apart[name].max_row - 3 for name in units)
    assert sheet.auto_filter.ref == f"A3:H{3 + len(rows)}" and sheet.freeze_panes == "A4"
    assert sheet.print_title_rows == "$3:$3" and sheet.page_setup.orientation == "landscape"
    assert [row[1:] for row in rows if row[0] == "Sở Thông tin và Truyền thông"] == [
        [c.value for c in row] for row in apart["STTTT"].iter_rows(min_row=4)]
    saved = next(row for row in sheet.iter_rows(min_row=4) if row[1].value == "A.I.3" and row[0].value.startswith("Sở Thông"))
    assert (saved[5].value, saved[5].data_type) == ("=1+1", "s")
    assert saved[5].font.name == "Times New Roman" and saved[5].alignment.wrap_text


def test_the_task_page_says_each_thing_once_and_whose_report_a_change_is_on(login):
    """A row waiting for guidance says so once; a change in the history names the report it is
    on, apart from the person who made it (a reviewer is not of the unit whose report it is)."""
    unit = login("stttt")
    unit.post(URL, {**FORM, "result": "Xem https://dichvucong.thaibinh.gov.vn/" + "a" * 120}, htmx=True)
    page = re.sub(r"\s+", " ", login("snv-ra-soat").get("/tasks/A.I.3").get_data(as_text=True))
    assert page.count("Chờ hướng dẫn, chưa có hạn") == 1
    assert re.search(r'<li><span class="when">[^<]+</span> · báo cáo của [^<]+ · <strong>[^<]+</strong> đổi «', page)


def test_a_row_saved_or_sent_in_place_asks_the_page_to_recount(login):
    """The save's answer names the event the unit's page listens for; the page's reminders and
    counts, asked again with its filters, tell of the row as saved (the counts out of band)."""
    client = login("stttt")
    saved = client.post(URL, {**FORM, "status": "done", "percent": "100", "result": "Đã ban hành"}, htmx=True)
    assert saved.headers["HX-Trigger"] == "rows-changed"
    refused = client.post(URL, {**FORM, "percent": "150"}, htmx=True)
    assert "HX-Trigger" not in refused.headers  # nothing changed
    standing = client.get("/my/standing?role=lead", htmx=True).get_data(as_text=True)
    assert '<section class="reminders" id="reminders"' in standing
    summary = re.search(r'<p class="summary" id="rows-summary" hx-swap-oob="true">(.*?)</p>', standing, re.S)
    assert summary and re.search(r"^\d+ nhiệm vụ: \d+ chủ trì", summary[1])
    everything = re.sub(r"\s+", " ", client.get("/my", htmx=True).get_data(as_text=True))
    assert re.search(r"nhiệm vụ: (\d+) chủ trì", everything)[1] == re.search(r"nhiệm vụ: (\d+) chủ trì", summary[1])[1]


def test_a_row_waiting_for_guidance_keeps_saying_so_once_done(login):
    """The unit's status never rewrites the task's timeframe: done, the row still waits for the
    guidance that would give it a date (it has none), rather than reading «Chưa có hạn»."""
    client = login("stttt")
    row = client.post(URL, {**FORM, "status": "done", "percent": "100", "result": "Đã kết nối"},
                      htmx=True).get_data(as_text=True)
    assert "Chờ hướng dẫn" in row and "Chưa có hạn" not in row
    home = client.get("/my").get_data(as_text=True)
    mine = re.search(r'<tr[^>]*id="report-1958-qd-ubnd-A\.I\.3-stttt".*?</tr>', home, re.S)[0]
    assert "Chờ hướng dẫn" in mine and "Chưa có hạn" not in mine


def test_a_document_is_named_by_what_is_known_of_it(login):
    """Its number and date; the date alone reads «Văn bản ngày …», never with an empty number."""
    client = login("stttt")
    both = client.post(URL, FORM, htmx=True).get_data(as_text=True)
    assert '<p class="evidence">Văn bản: 125/BC-STTTT ngày 15/03/2022</p>' in both
    dated = client.post(URL, {**FORM, "version": "1", "evidence_number": ""}, htmx=True).get_data(as_text=True)
    assert '<p class="evidence">Văn bản ngày 15/03/2022</p>' in dated


def test_a_form_sent_back_starts_at_the_first_field_to_correct(login):
    client = login("stttt")
    def focused(page: str) -> list[str]:
        return [re.search(r'name="(\w+)"', tag)[1]
                for tag in re.findall(r'<(?:select|input|textarea)[^>]*\bautofocus\b[^>]*>', page)]

    assert focused(client.get(URL + "/edit", htmx=True).get_data(as_text=True)) == ["status"]
    refused = client.post(URL, {**FORM, "percent": "150", "evidence_date": "31/02/2022"}, htmx=True)
    assert focused(refused.get_data(as_text=True)) == ["percent"]
