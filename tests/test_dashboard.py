"""The dashboard's figures against a hand-computed fixture, the indicators' figures and
explanations, and the official report read back from its files."""

import csv
import html
import io
import re
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlmodel import select

from webapp.models import Assignment, Indicator, Recurrence, Role, Task, Unit
from webapp.services import clock

from .factories import open_period, save_report

DAY = date(2022, 12, 20)


@pytest.fixture
def played(login, monkeypatch):
    """Four lead units report on 20/12/2022 (nothing else has been reported):
    B.8.1 done (STTTT), B.5.1 and B.5.2 in progress (STC, Cục thuế), B.4.2 blocked (SKHĐT)."""
    monkeypatch.setattr(clock, "today", lambda: DAY)
    plays = [("stttt", "B.8.1", {"status": "done", "percent": "100", "result": "Đã hướng dẫn 8/8 huyện"}),
             ("stc", "B.5.1", {"status": "in_progress", "percent": "40", "result": "Đã trình dự toán"}),
             ("cucthue", "B.5.2", {"status": "in_progress", "percent": "20", "result": "=HYPERLINK(\"x\")"}),
             ("skhdt", "B.4.2", {"status": "blocked", "percent": "30", "difficulties": "Chưa có kinh phí",
                                 "proposals": "Đề nghị bổ sung kinh phí năm 2023"})]
    clients = {}
    for unit, ref, fields in plays:
        clients[unit] = login(unit)
        save_report(clients[unit], ref, unit, 0, **fields)
    return clients


def figures(page: str) -> dict[str, int]:
    legend = re.search(r'id="toan-bo-cap">(.*?)</figcaption>', page, re.S).group(1)
    return {label: int(n) for label, n in re.findall(r"</span>([^<]+)</dt><dd>(?:<a [^>]*>)?(\d+)(?:</a>)?</dd>", legend)}


def test_every_bucket_is_drawn_in_its_own_color(login, played, app):
    """Each segment of the status bars and each swatch of their legends has a color: every
    bucket of services.status (and «chưa báo cáo» of a period) in the chart and in the stylesheet."""
    from webapp.services.periods import PERIOD_STATUS_LABELS

    page = login("lanh-dao").get("/dashboard").get_data(as_text=True)
    fills = re.findall(r'<rect x="[\d.]+" y="0" width="[\d.]+" height="8" fill="([^"]*)">', page)
    assert len(fills) >= 4 and all(re.fullmatch(r"#[0-9a-f]{6}", fill) for fill in fills), fills
    whole_plan = re.search(r'aria-labelledby="toan-bo-cap".*?</svg>', page, re.S).group(0)
    bar = re.findall(r'fill="([^"]*)"', whole_plan)
    assert len(bar) >= 4 and len(set(bar)) == len(bar)  # the buckets of one bar are told apart
    css = (Path(app.static_folder) / "app.css").read_text(encoding="utf-8")
    for code in PERIOD_STATUS_LABELS:
        assert re.search(rf"\.sw-{code} {{ background: #[0-9a-f]{{6}}; }}", css), code
        assert f'sw-{code}"' in page or code == "not_reported"


def test_the_dashboard_figures_match_the_hand_count(login, played):
    page = login("lanh-dao").get("/dashboard").get_data(as_text=True)
    # Of 58 rows: 22 are yearly (A.I.7–A.I.21, A.II.6, B.1.1, B.1.5, B.3.1, B.4.1, B.5.1, B.8.3);
    # B.8.1 is done; A.I.3, A.I.4, A.I.5, A.II.5, B.1.2 wait for guidance; A.I.1, A.I.2, A.I.6, B.3.2
    # and B.8.2 (all due in 2021) are overdue, never started; the other 25 are within their
    # deadline, B.5.2 under way and B.4.2 blocked among them (a flag, not a bucket).
    counts = figures(page)
    assert counts == {
        "Hoàn thành đúng hạn": 1, "Hoàn thành quá hạn": 0, "Chưa hoàn thành, trong hạn": 25,
        "Chưa hoàn thành, quá hạn": 5, "Chờ hướng dẫn": 5, "Thường xuyên, định kỳ": 22,
    }
    assert sum(counts.values()) == 58
    glance = re.findall(r'<span class="number">([^<]+)</span><span class="what">([^<]+)</span>', page)
    assert glance[:4] == [("58", "nhiệm vụ"), ("1", "hoàn thành"), ("5", "quá hạn"), ("1", "có vướng mắc")]
    attention = re.search(r'id="attention-title">Cần chú ý \((\d+)\)', page).group(1)
    assert attention == "6"  # the five overdue rows and the blocked one
    assert "Chưa có kinh phí" in page and "Đề nghị bổ sung kinh phí năm 2023" in page
    assert "<svg" in page and 'role="img"' in page  # drawn on the server, numbers beside it


def test_a_period_counts_only_accepted_reports_and_compares_with_another(login, played, session):
    reviewer = login("snv-ra-soat")
    open_period(reviewer, "Quý IV/2022", "01/10/2022", "31/12/2022", "05/01/2023")
    for unit, ref in (("stttt", "B.8.1"), ("skhdt", "B.4.2")):
        played[unit].post(f"/tasks/{ref}/units/{unit}/submit", {})
    from webapp.models import Period, PeriodReport

    session.rollback()
    for copy in session.exec(select(PeriodReport)):
        reviewer.post(f"/review/reports/{copy.id}/accept", {"comment": ""})
    period = session.exec(select(Period)).one()
    page = reviewer.get(f"/dashboard?period={period.id}").get_data(as_text=True)
    counts = figures(page)
    assert counts["Hoàn thành đúng hạn"] == 1 and sum(counts.values()) == 58
    glance = re.findall(r'<span class="number">([^<]+)</span><span class="what">([^<]+)</span>', page)
    assert ("1", "có vướng mắc") in glance  # B.4.2's accepted report says so
    reviewer.post(f"/review/periods/{period.id}/close", {"confirmed": "yes"})
    compared = reviewer.get(f"/dashboard?compare={period.id}").get_data(as_text=True)
    assert "So sánh kỳ Quý IV/2022 với số liệu đến ngày" in compared
    assert re.search(r"<th scope=\"row\">Hoàn thành đúng hạn</th><td[^>]*>1</td><td[^>]*>1</td>\s*"
                     r"<td[^>]*>—</td>", compared)
    # A period compared with itself (or a later one) would read the change backwards: refused, saying why.
    itself = reviewer.get(f"/dashboard?period={period.id}&compare={period.id}").get_data(as_text=True)
    assert "Kỳ Quý IV/2022 không ở trước kỳ Quý IV/2022" in itself and "So sánh kỳ" not in itself


def test_units_report_indicator_figures_and_the_reviewer_asks_for_an_explanation(login, played, session):
    reviewer = login("snv-ra-soat")
    open_period(reviewer, "Quý IV/2022", "01/10/2022", "31/12/2022", "05/01/2023")
    task = session.exec(select(Task).where(Task.ref == "A.II.3")).one()
    district_desks = session.exec(select(Indicator).where(Indicator.task_id == task.id)
                                  .order_by(Indicator.position)).first()
    stttt = played["stttt"]
    mine = stttt.get("/indicators/mine").get_data(as_text=True)
    assert f'id="indicator-{district_desks.id}"' in mine
    bad = stttt.post(f"/indicators/{district_desks.id}/value", {"value": "nhiều", "source": "x"}, htmx=True)
    assert "Số liệu phải là một số" in bad.get_data(as_text=True)
    no_source = stttt.post(f"/indicators/{district_desks.id}/value", {"value": "40", "source": ""}, htmx=True)
    assert "Hãy ghi nguồn số liệu" in no_source.get_data(as_text=True)
    saved = stttt.post(f"/indicators/{district_desks.id}/value",
                       {"value": "40", "source": "Hệ thống một cửa điện tử, 15/12/2022"}, htmx=True)
    assert saved.status_code == 200 and "Đã lưu" in saved.get_data(as_text=True)

    detail = reviewer.get(f"/indicators/{district_desks.id}").get_data(as_text=True)
    assert "40 %" in detail and "Chậm so với lộ trình" not in detail  # 40 of 50 before 31/12/2022: on track
    from webapp.models import IndicatorValue

    session.rollback()
    value = session.exec(select(IndicatorValue)).one()
    asked = reviewer.post(f"/indicators/values/{value.id}/explanation-request",
                          {"comment": "Vì sao mới đạt 40%?"}, htmx=True)
    assert "Vì sao mới đạt 40%?" in asked.get_data(as_text=True)
    assert "Sở Nội vụ đề nghị giải trình: Vì sao mới đạt 40%?" in stttt.get("/indicators/mine").get_data(as_text=True)
    stttt.post(f"/indicators/{district_desks.id}/value", {"value": "40", "source": "Hệ thống một cửa điện tử",
                                                          "explanation": "3 huyện chưa có máy quét"}, htmx=True)
    assert "3 huyện chưa có máy quét" in reviewer.get(f"/indicators/{district_desks.id}").get_data(as_text=True)
    # Only the units the indicator concerns may report it.
    assert login("snv").post(f"/indicators/{district_desks.id}/value", {"value": "1", "source": "x"}).status_code == 403


def test_the_excel_report_reads_back(login, played, tmp_path):
    data = login("snv-ra-soat").get("/exports/report.xlsx").data
    path = tmp_path / "report.xlsx"
    path.write_bytes(data)
    workbook = load_workbook(path)
    sheet = workbook["Báo cáo"]
    header = [c.value for c in sheet[4]]
    assert header == ["STT", "Nội dung công việc", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời gian thực hiện",
                      "Sản phẩm", "Kết quả thực hiện", "Tình trạng", "Khó khăn, vướng mắc", "Đề xuất"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=5)]
    headings = [r[1] for r in rows if r[0] in ("A.", "B.", "I.", "II.", "III.", "8")]
    assert "NHÓM NHIỆM VỤ CHUNG" in headings and "Sở Thông tin và Truyền thông" in headings
    by_content = {r[1]: r for r in rows}
    b81 = by_content["Hướng dẫn Bộ phận Một cửa tại tỉnh tạo lập tài khoản cho cá nhân, doanh nghiệp trên Cổng Dịch vụ công quốc gia"]
    assert b81[2] == "Sả Thông tin và Truyền thông" and b81[6] == "Đã hướng dẫn 8/8 huyện"
    assert b81[7] == "Hoàn thành đúng hạn"
    assert sum(1 for r in rows if r[7]) == 58  # every task row has its status
    assert sheet.freeze_panes == "A5"
    assert sheet.page_setup.orientation == "landscape" and sheet.print_title_rows == "$4:$4"
    assert all(sheet.cell(row=r, column=2).alignment.wrap_text for r in range(5, 10))
    assert "Chỉ tiêu" in workbook.sheetnames and "STTTT" in workbook.sheetnames
    # A cell that looks like a formula stays text.
    cell = next(c for row in sheet.iter_rows(min_row=5) for c in row if c.value == '=HYPERLINK("x")')
    assert cell.data_type == "s"


def test_the_word_report_reads_back(login, played, tmp_path):
    data = login("snv-ra-soat").get("/exports/report.docx").data
    path = tmp_path / "report.docx"
    path.write_bytes(data)
    document = Document(path)
    text = "\n".join(p.text for p in document.paragraphs)
    assert "BÁO CÁO" in text and "Kết quả triển khai Kế hoạch số 1958/QĐ-UBND" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in document.tables[0].rows[0].cells[1].text
    assert "SỞ NỘI VỤ" in document.tables[0].rows[0].cells[0].text
    assert ("Tổng số 58 nhiệm vụ, gồm: hoàn thành đúng hạn 1; hoàn thành quá hạn 0; chưa hoàn thành, trong hạn 25; "
            "chưa hoàn thành, quá hạn 5; chờ hướng dẫn 5; thường xuyên, định kỳ 22. Có vướng mắc: 1 (đã tính trong "
            "các nhóm trên).") in text
    assert "Chưa có kinh phí" in text and "Đề nghị bổ sung kinh phí năm 2023" in text
    appendix = document.tables[1]
    assert [c.text for c in appendix.rows[0].cells][:3] == ["STT", "Nội dung công việc", "Đơn vị chủ trì"]
    assert any("Đã hướng dẫn 8/8 huyện" in c.text for row in appendix.rows for c in row.cells)
    first = document.sections[0]
    assert round(first.page_width.cm, 1) == 21.0 and round(first.left_margin.cm, 1) == 3.0
    assert document.sections[1].orientation == 1  # the appendix is landscape
    fonts = {run.font.name for p in document.paragraphs for run in p.runs}
    assert fonts == {"Times New Roman"}
    sizes = {run.font.size.pt for p in document.paragraphs for run in p.runs}
    assert sizes <= {12, 13, 14}
    # Targets read as written in a report, and an indicator without figures says so once.
    indicators = [p.text for p in document.paragraphs if "mục tiêu" in p.text]
    assert indicators and all(">=" not in line and "<=" not in line for line in indicators)
    assert any("mục tiêu ≥" in line for line in indicators) and any("mục tiêu ≤" in line for line in indicators)
    assert all(line.count("chưa có số liệu") <= 1 for line in indicators)
    assert any(line.endswith("chưa có số liệu.") for line in indicators)


def test_a_finished_row_with_a_proposal_is_among_those_needing_attention(login, played, tmp_path):
    """«Nhiệm vụ quá hạn, có vướng mắc và đề xuất»: a lead that finished its row may still ask
    for something (funds for next year); the leaders see it on the dashboard, in the Word
    report's section III and on the printed report, not only in the appendix's columns."""
    played["stttt"].post("/tasks/B.8.1/units/stttt", {
        "status": "done", "percent": "100", "result": "Đã hướng dẫn 8/8 huyện", "evidence_number": "",
        "evidence_date": "", "difficulties": "", "proposals": "Đề nghị bố trí kinh phí duy trì năm 2023",
        "contribution_note": "", "version": "1"}, htmx=True)
    page = login("lanh-dao").get("/dashboard").get_data(as_text=True)
    assert re.search(r'id="attention-title">Cần chú ý \((\d+)\)', page)[1] == "7"  # with the six before
    attention = page.split('<section id="attention"', 1)[1].split("</section>", 1)[0]
    assert "B.8.1" in attention and "Đề xuất: Đề nghị bố trí kinh phí duy trì năm 2023" in attention
    assert "<strong>Sở Thông tin và Truyền thông:</strong> Đề xuất:" in attention  # no empty difficulty before it
    reviewer = login("snv-ra-soat")
    path = tmp_path / "report.docx"
    path.write_bytes(reviewer.get("/exports/report.docx").data)
    text = [p.text for p in Document(path).paragraphs]
    section_three = text[text.index("III. NHIỆM VỤ QUÁ HẠN, CÓ VƯỚNG MẮC VÀ ĐỀ XUẤT"):text.index(
        "IV. KẾT QUẢ THỰC HIỆN TỪNG NHIỆM VỤ")]
    assert any(line.startswith("- Nhiệm vụ B.8.1 (Hoàn thành đúng hạn") for line in section_three)
    assert "+ Sở Thông tin và Truyền thông — đề xuất: Đề nghị bố trí kinh phí duy trì năm 2023" in section_three
    printed = reviewer.get("/exports/print").get_data(as_text=True)
    assert "Đề xuất: Đề nghị bố trí kinh phí duy trì năm 2023" in printed.split("IV. Kết quả", 1)[0]


def test_the_csv_of_every_report_guards_against_formulas(login, played):
    data = login("snv-ra-soat").get("/exports/reports.csv").data
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:4] == ["ref", "unit_code", "unit_name", "role"]
    b52 = next(r for r in rows if r[0] == "B.5.2" and r[1] == "cucthue")
    assert b52[6] == "'=HYPERLINK(\"x\")"
    a22 = next(r for r in rows if r[0] == "A.II.2" and r[1] == "bhxh")
    assert a22[2] == "Bảo hiểm xã hội tỉnh"


def test_the_print_view_has_the_report(login, played):
    page = login("lanh-dao").get("/exports/print").get_data(as_text=True)
    assert "Kết quả triển khai Kế hoạch số 1958/QĐ-UBND" in page and "@media print" not in page
    assert "Đã hướng dẫn 8/8 huyện" in page


@pytest.mark.parametrize("url", ["/dashboard", "/exports/report.xlsx", "/exports/report.docx", "/exports/print",
                                 "/exports/reports.csv", "/indicators/1"])
def test_units_do_not_get_the_province_wide_figures(login, url):
    assert login("stttt").get(url).status_code == 403
    assert login("lanh-dao").get(url).status_code == 200


def test_the_reviewer_sets_a_baseline_and_the_road_to_the_target_follows(login, played, session):
    reviewer = login("snv-ra-soat")
    open_period(reviewer, "Quý IV/2022", "01/10/2022", "31/12/2022", "05/01/2023")
    task = session.exec(select(Task).where(Task.ref == "A.III.9")).one()
    satisfaction = session.exec(select(Indicator).where(Indicator.task_id == task.id)).one()
    assert "Chưa xác định" in reviewer.get(f"/indicators/{satisfaction.id}").get_data(as_text=True)
    refused = reviewer.post(f"/indicators/{satisfaction.id}/baseline", {"baseline": "nhiều"}, follow_redirects=True)
    assert "Số liệu phải là một số" in refused.get_data(as_text=True)
    reviewer.post(f"/indicators/{satisfaction.id}/baseline", {"baseline": "70"})
    assert login("stttt").post(f"/indicators/{satisfaction.id}/baseline", {"baseline": "1"}).status_code == 403
    session.rollback()
    assert session.get(Indicator, satisfaction.id).baseline_value == 70
    # 70% in 2021 to 95% by 31/12/2025: a unit at 72% on 20/12/2022 is behind the road (about 77%).
    played["stttt"].post(f"/indicators/{satisfaction.id}/value", {"value": "72", "source": "Khảo sát"})
    page = reviewer.get(f"/indicators/{satisfaction.id}").get_data(as_text=True)
    assert "72 %" in page and "Chậm so với lộ trình" in page


def test_todays_figures_open_the_rows_behind_them(login, played):
    """On today's dashboard each headline figure and each count of a status opens the overview's
    rows of it, and the overview finds as many; a period's figures (of its copies) open nothing."""
    leader = login("lanh-dao")
    page = html.unescape(leader.get("/dashboard").get_data(as_text=True))
    links = dict((what, (href, int(number))) for href, number, what in re.findall(
        r'<a href="(/tasks[^"]*)"><span class="number">(\d+)</span><span class="what">([^<]+)</span></a>', page))
    assert set(links) == {"nhiệm vụ", "hoàn thành", "quá hạn", "có vướng mắc"}
    assert 'href="#indicators-title"><span class="number">' in page  # the indicators met: their table below
    whole = re.search(r'id="toan-bo-cap">(.*?)</figcaption>', page, re.S)[1]
    legend = re.findall(r'<dd><a href="(/tasks\?status=[^"]+)">(\d+)</a></dd>', whole)
    assert legend and sum(int(n) for _, n in legend) == links["nhiệm vụ"][1]
    by_section = re.findall(r'<dd><a href="(/tasks\?status=[^"]+&section=[^"]+)">(\d+)</a></dd>', page)
    assert by_section
    for href, number in [*links.values(), *[(h, int(n)) for h, n in legend + by_section[:3]]]:
        listed = re.search(r'<p class="summary">(\d+) nhiệm vụ', leader.get(href).get_data(as_text=True))
        assert int(listed[1]) == number, href
    reviewer = login("snv-ra-soat")
    open_period(reviewer, "Quý IV/2022", "01/10/2022", "31/12/2022", "05/01/2023")
    period = re.search(r'value="(\d+)"[^>]*>Kỳ Quý IV/2022', reviewer.get("/dashboard").get_data(as_text=True))[1]
    assert 'href="/tasks?' not in leader.get(f"/dashboard?period={period}").get_data(as_text=True)


def test_each_lead_units_line_opens_the_rows_it_leads(login, played, session):
    """A unit's name in «Theo đơn vị chủ trì» opens the overview on the rows that unit leads, as
    many as its line counts, judged as the line judges them (by the unit's own report, not the
    row's status, which also weighs its other leads): as many done and as many overdue. The
    overview's unit filter alone also finds the rows it supports."""
    # A row two units lead, past its date: one has finished its part (late), the other not, so
    # the row is overdue while the first unit's own report is done.
    overdue_rows = session.exec(select(Task).where(Task.due_on < DAY, Task.recurrence == Recurrence.NONE)
                                .order_by(Task.position)).all()
    task, first = next((task, leads[0]) for task in overdue_rows
                       if len(leads := session.exec(select(Unit.code).join(Assignment).where(
                           Assignment.task_id == task.id, Assignment.role == Role.LEAD)
                           .order_by(Assignment.id)).all()) >= 2)
    save_report(login(first), task.ref, first, 0, status="done", percent="100", result="Đã xong phần việc")
    leader = login("lanh-dao")
    page = html.unescape(leader.get("/dashboard").get_data(as_text=True))
    lines = re.findall(r'<td data-label="Đơn vị"><a href="(/tasks\?[^"]*unit=([\w-]+)[^"]*)">[^<]+</a></td>\s*'
                       r'<td data-label="Chủ trì">(\d+)</td>\s*<td data-label="Hoàn thành">(\d+) .*?</td>\s*'
                       r'<td data-label="Quá hạn">(?:<span class="late">)?(\d+)', page, re.S)
    assert len(lines) >= 20
    for href, code, led, done, overdue in lines:
        assert "role=lead" in href
        listed = html.unescape(leader.get(href).get_data(as_text=True))
        summary = re.search(r'<p class="summary">(\d+) nhiệm vụ(.*?)</p>', listed)
        assert int(summary[1]) == int(led), href
        buckets = {label: int(n) for label, n in (part.rsplit(" ", 1) for part in
                                                   summary[2].removeprefix(": ").removesuffix(".").split("; ") if part)}
        assert buckets.get("hoàn thành đúng hạn", 0) + buckets.get("hoàn thành quá hạn", 0) == int(done), href
        assert buckets.get("chưa hoàn thành, quá hạn", 0) == int(overdue), href
        assert "Tình trạng theo báo cáo của chính" in listed
    every = re.search(r'<p class="summary">(\d+) nhiệm vụ', leader.get("/tasks?unit=stttt").get_data(as_text=True))
    supported = re.search(r'<p class="summary">(\d+) nhiệm vụ',
                          leader.get("/tasks?unit=stttt&role=support").get_data(as_text=True))
    led = next(int(n) for _, code, n, _, _ in lines if code == "stttt")
    assert int(every[1]) == led + int(supported[1]) and int(supported[1]) > 0


def test_todays_indicators_stay_those_of_the_latest_period_with_figures(login, played, session, monkeypatch):
    """A period just opened has no figures yet: today's view keeps showing the last ones given,
    rather than every indicator «chưa có số liệu»."""
    reviewer = login("snv-ra-soat")
    open_period(reviewer, "Quý IV/2022", "01/10/2022", "31/12/2022", "05/01/2023")
    task = session.exec(select(Task).where(Task.ref == "A.II.3")).one()
    indicator = session.exec(select(Indicator).where(Indicator.task_id == task.id).order_by(Indicator.position)).first()
    played["stttt"].post(f"/indicators/{indicator.id}/value", {"value": "40", "source": "Hệ thống một cửa điện tử"},
                         htmx=True)
    quarter = re.search(r'value="(\d+)"[^>]*>Kỳ Quý IV/2022', reviewer.get("/dashboard").get_data(as_text=True))[1]
    monkeypatch.setattr(clock, "today", lambda: date(2023, 1, 10))
    assert reviewer.post(f"/review/periods/{quarter}/close", {"confirmed": "yes"}).status_code == 303
    open_period(reviewer, "Quý I/2023", "01/01/2023", "31/03/2023", "05/04/2023")
    today = login("lanh-dao").get("/dashboard").get_data(as_text=True)
    assert "số liệu kỳ Quý IV/2022" in today and "số liệu kỳ Quý I/2023" not in today
