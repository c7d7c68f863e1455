"""Reporting periods and the review loop, played as the users would: Sở Nội vụ opens a
quarter, units submit, one report is returned and sent again, an extension is approved,
the period is closed and its figures stay as they stood."""

import html
import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from webapp.models import Period, PeriodReport, ReportChange, ReviewState, Task
from webapp.services import clock

from .factories import open_period, save_report

REVIEWER = "snv-ra-soat"


@pytest.fixture
def today(monkeypatch):
    """Set the day the app lives on (Vietnam's calendar)."""

    def set_day(day: date) -> None:
        monkeypatch.setattr(clock, "today", lambda: day)

    set_day(date(2022, 9, 20))
    return set_day


@pytest.fixture
def quarter(login, today):
    reviewer = login(REVIEWER)
    response = open_period(reviewer, "Quý III/2022", "01/07/2022", "30/09/2022", "05/10/2022")
    assert response.status_code == 303
    return reviewer


def copy_of(session, ref: str, unit_code: str) -> PeriodReport | None:
    session.rollback()
    from webapp.models import Unit

    return session.exec(
        select(PeriodReport).join(Task, PeriodReport.task_id == Task.id).join(Unit, PeriodReport.unit_id == Unit.id)
        .where(Task.ref == ref, Unit.code == unit_code)
    ).first()


def submit(client, ref: str, unit: str):
    return client.post(f"/tasks/{ref}/units/{unit}/submit", {"view": "unit"}, htmx=True)


def test_the_reviewer_opens_a_period_and_only_one_at_a_time(quarter, session):
    page = quarter.get("/review/periods").get_data(as_text=True)
    assert "Quý III/2022" in page and "Đang mở" in page
    again = open_period(quarter, "Quý IV/2022", "01/10/2022", "31/12/2022", "05/01/2023")
    assert "Đang có một kỳ báo cáo mở" in again.get_data(as_text=True)
    assert len(session.exec(select(Period)).all()) == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"ends_on": "01/06/2022"}, "Ngày kết thúc kỳ phải sau ngày bắt đầu."),
        ({"deadline": "31/13/2022"}, "Không có tháng 13: tháng là số từ 1 đến 12."),
        ({"deadline": "2022-13-31x"}, "Ngày không đúng dạng dd/mm/yyyy"),
        ({"label": ""}, "Hãy đặt tên kỳ"),
    ],
)
def test_a_period_with_bad_dates_is_refused_in_vietnamese(login, today, fields, message):
    reviewer = login(REVIEWER)
    form = {"label": "Quý III/2022", "starts_on": "01/07/2022", "ends_on": "30/09/2022", "deadline": "05/10/2022",
            **fields}
    response = open_period(reviewer, **form)
    assert message in response.get_data(as_text=True)


def test_a_new_period_starts_from_each_units_last_values(login, quarter, session):
    stttt = login("stttt")
    save_report(stttt, "B.8.1", "stttt", 0, status="in_progress", percent="60", result="Đã hướng dẫn 5 huyện")
    page = stttt.get("/my").get_data(as_text=True)
    assert "Đã hướng dẫn 5 huyện" in page  # nothing to retype
    assert submit(stttt, "B.8.1", "stttt").status_code == 200
    copy = copy_of(session, "B.8.1", "stttt")
    assert (copy.state, copy.percent, copy.result) == (ReviewState.SUBMITTED, 60, "Đã hướng dẫn 5 huyện")


def test_submit_return_resubmit_accept(login, quarter, session):
    stttt = login("stttt")
    save_report(stttt, "B.8.1", "stttt", 0, status="in_progress", percent="60", result="Đã hướng dẫn 5 huyện")
    submit(stttt, "B.8.1", "stttt")
    copy = copy_of(session, "B.8.1", "stttt")
    assert f'id="copy-{copy.id}"' in quarter.get("/review").get_data(as_text=True)

    refused = quarter.post(f"/review/reports/{copy.id}/return", {"comment": ""}, htmx=True)
    assert "Hãy ghi nhận xét khi trả lại báo cáo" in refused.get_data(as_text=True)
    returned = quarter.post(f"/review/reports/{copy.id}/return", {"comment": "Thiếu số liệu từng huyện"}, htmx=True)
    assert "Bị trả lại" in returned.get_data(as_text=True)

    row = stttt.get("/my").get_data(as_text=True)
    assert "Thiếu số liệu từng huyện" in row and "Gửi lại" in row
    # While the unit corrects it, the comment and the task it reports on stay in view.
    form = stttt.get("/tasks/B.8.1/units/stttt/edit?view=unit", htmx=True).get_data(as_text=True)
    assert "Sở Nội vụ trả lại báo cáo kỳ Quý III/2022" in form and "Thiếu số liệu từng huyện" in form
    task = session.exec(select(Task).where(Task.ref == "B.8.1")).one()
    assert f'<span class="ref">B.8.1</span> {task.content}</h2>' in form.replace("&#34;", '"')
    save_report(stttt, "B.8.1", "stttt", 1, status="in_progress", percent="70",
                result="Đã hướng dẫn 8 huyện: Đông Hưng 3 xã, Vũ Thư 4 xã…")
    submit(stttt, "B.8.1", "stttt")
    assert copy_of(session, "B.8.1", "stttt").state == ReviewState.SUBMITTED

    accepted = quarter.post(f"/review/reports/{copy.id}/accept", {"comment": ""}, htmx=True)
    assert "Đã chấp nhận" in accepted.get_data(as_text=True)
    copy = copy_of(session, "B.8.1", "stttt")
    assert (copy.state, copy.percent) == (ReviewState.ACCEPTED, 70)
    steps = [(c.field, c.new_value) for c in session.exec(
        select(ReportChange).where(ReportChange.period_id == copy.period_id).order_by(ReportChange.id))]
    assert [f for f, _ in steps] == ["submission", "review", "submission", "review"]
    assert steps[1][1] == "Trả lại (Quý III/2022): Thiếu số liệu từng huyện"
    history = login("lanh-dao").get("/tasks/B.8.1").get_data(as_text=True)
    assert "Gửi báo cáo kỳ Quý III/2022" in history and "Chấp nhận (Quý III/2022)" in history


def test_a_report_changed_after_acceptance_is_sent_again_and_the_accepted_one_counts_until_then(login, quarter,
                                                                                                session):
    stttt = login("stttt")
    save_report(stttt, "B.8.1", "stttt", 0, status="in_progress", percent="40", result="Đã hướng dẫn 4 huyện")
    submit(stttt, "B.8.1", "stttt")
    copy = copy_of(session, "B.8.1", "stttt")
    quarter.post(f"/review/reports/{copy.id}/accept", {"comment": ""})
    again = submit(stttt, "B.8.1", "stttt").get_data(as_text=True)
    assert "đã được chấp nhận và chưa sửa gì từ đó" in again

    save_report(stttt, "B.8.1", "stttt", 1, status="in_progress", percent="45", result="Đã hướng dẫn 5 huyện")
    row = stttt.get("/my?q=B.8.1").get_data(as_text=True)
    assert "Đã chấp nhận · Quý III/2022: 40%" in row and "đã sửa sau khi gửi (tỷ lệ hoàn thành nay 45%; kết quả thực hiện): cần gửi lại" in row
    assert ">Gửi lại</button>" in row
    period_page = quarter.get(f"/review/periods/{copy.period_id}").get_data(as_text=True)
    workbook_before = quarter.get(f"/exports/report.xlsx?period={copy.period_id}").data

    submit(stttt, "B.8.1", "stttt")
    copy = copy_of(session, "B.8.1", "stttt")
    assert (copy.state, copy.percent, copy.accepted_values["percent"]) == (ReviewState.SUBMITTED, 45, 40)
    queue = quarter.get("/review").get_data(as_text=True)
    assert f'id="copy-{copy.id}"' in queue and "bản đã chấp nhận: 40%" in queue
    row = stttt.get("/my?q=B.8.1").get_data(as_text=True)
    assert "Đã gửi, chờ duyệt · Quý III/2022: 45%" in row and "đã chấp nhận trước đó: 40%" in row
    # Until the new version is accepted, the period's figures are those accepted.
    assert _figures(quarter.get(f"/review/periods/{copy.period_id}").get_data(as_text=True)) == _figures(period_page)
    assert _unit_sheet_values(quarter.get(f"/exports/report.xlsx?period={copy.period_id}").data, "B.8.1") == \
        _unit_sheet_values(workbook_before, "B.8.1") == [40, "Đã hướng dẫn 4 huyện"]

    quarter.post(f"/review/reports/{copy.id}/accept", {"comment": ""})
    assert _unit_sheet_values(quarter.get(f"/exports/report.xlsx?period={copy.period_id}").data, "B.8.1") == \
        [45, "Đã hướng dẫn 5 huyện"]
    assert copy_of(session, "B.8.1", "stttt").accepted_values is None


def _unit_sheet_values(workbook_bytes: bytes, ref: str) -> list:
    """The percent and result a unit's sheet of the official Excel report gives the row."""
    import io

    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(workbook_bytes))
    for sheet in workbook.worksheets[1:]:
        for row in sheet.iter_rows(min_row=4, values_only=True):
            if row[0] == ref:
                return [row[3], row[4]]
    return []


def test_accept_or_return_a_selection(login, quarter, session):
    for unit, ref in (("stttt", "B.8.1"), ("stc", "B.5.1"), ("skhdt", "B.4.1")):
        client = login(unit)
        save_report(client, ref, unit, 0, status="in_progress", percent="50")
        submit(client, ref, unit)
    ids = [copy_of(session, ref, unit).id for unit, ref in (("stttt", "B.8.1"), ("stc", "B.5.1"))]
    response = quarter.client.post("/review/reports", data={"copy": [str(i) for i in ids], "action": "accept",
                                                             "comment": "", "csrf_token": quarter.token})
    assert response.status_code == 303
    assert copy_of(session, "B.8.1", "stttt").state == ReviewState.ACCEPTED
    assert copy_of(session, "B.5.1", "stc").state == ReviewState.ACCEPTED
    assert copy_of(session, "B.4.1", "skhdt").state == ReviewState.SUBMITTED


def test_a_review_refused_because_made_elsewhere_has_the_page_count_again(login, quarter, session):
    """Accepted in one tab, then in another: the second is refused, and its page reads the
    queue's count again (queue-changed) rather than keep the one from before."""
    client = login("stttt")
    save_report(client, "B.8.1", "stttt", 0, status="in_progress", percent="50")
    submit(client, "B.8.1", "stttt")
    copy = copy_of(session, "B.8.1", "stttt").id
    first = quarter.post(f"/review/reports/{copy}/accept", {"comment": ""}, htmx=True)
    second = quarter.post(f"/review/reports/{copy}/accept", {"comment": ""}, htmx=True)
    assert first.headers["HX-Trigger"] == second.headers["HX-Trigger"] == "queue-changed"
    assert "Chỉ rà soát được báo cáo đã gửi và đang chờ duyệt." in second.get_data(as_text=True)


def test_not_submitted_and_returned_reports_count_as_not_reported(login, quarter, session):
    stttt, stc = login("stttt"), login("stc")
    save_report(stttt, "B.8.1", "stttt", 0, status="done", percent="100", result="Xong")
    submit(stttt, "B.8.1", "stttt")
    save_report(stc, "B.5.1", "stc", 0, status="in_progress", percent="40")
    submit(stc, "B.5.1", "stc")
    quarter.post(f"/review/reports/{copy_of(session, 'B.5.1', 'stc').id}/return", {"comment": "Bổ sung văn bản"})
    quarter.post(f"/review/reports/{copy_of(session, 'B.8.1', 'stttt').id}/accept", {"comment": ""})
    session.rollback()
    period = session.exec(select(Period)).one()
    page = quarter.get(f"/review/periods/{period.id}").get_data(as_text=True)
    # B.8.1 accepted: done on time; B.5.1 returned, everything else never sent: not reported.
    assert "1/1" in page  # B.8.1's one lead accepted
    from webapp.services.periods import NOT_REPORTED, period_standing

    standing = period_standing(session, period=period, today=date(2022, 9, 20))
    ids = {t.ref: t.id for t in session.exec(select(Task))}
    from webapp.models import Unit

    unit_id = {u.code: u.id for u in session.exec(select(Unit))}
    assert standing.leads[(ids["B.8.1"], unit_id["stttt"])].code == "done_on_time"
    assert standing.leads[(ids["B.5.1"], unit_id["stc"])].code == NOT_REPORTED
    assert standing.leads[(ids["B.4.1"], unit_id["skhdt"])].code == NOT_REPORTED


def test_a_closed_period_is_frozen(login, quarter, session, today):
    stttt = login("stttt")
    save_report(stttt, "B.8.1", "stttt", 0, status="in_progress", percent="60")
    submit(stttt, "B.8.1", "stttt")
    quarter.post(f"/review/reports/{copy_of(session, 'B.8.1', 'stttt').id}/accept", {"comment": ""})
    period = session.exec(select(Period)).one()
    before = quarter.get(f"/review/periods/{period.id}").get_data(as_text=True)
    assert quarter.post(f"/review/periods/{period.id}/close", {"confirmed": "yes"}).status_code == 303
    frozen = quarter.get(f"/review/periods/{period.id}").get_data(as_text=True)
    assert "đã đóng" in frozen

    # Later: the unit finishes the row, time passes, a new quarter opens.
    today(date(2022, 11, 15))
    save_report(stttt, "B.8.1", "stttt", 1, status="done", percent="100", result="Hoàn thành")
    open_period(quarter, "Quý IV/2022", "01/10/2022", "31/12/2022", "05/01/2023")
    again = quarter.get(f"/review/periods/{period.id}").get_data(as_text=True)
    assert _figures(again) == _figures(frozen) == _figures(before)
    assert submit(stttt, "B.8.1", "stttt").status_code == 200  # goes to the open quarter
    session.rollback()
    third_quarter = session.exec(select(PeriodReport).where(PeriodReport.period_id == period.id)
                                 .where(PeriodReport.state == ReviewState.ACCEPTED)).one()
    assert (third_quarter.percent, third_quarter.frozen_status) == (60, "pending")


def _figures(page: str) -> list[str]:
    import re

    return re.findall(r"<dt>([^<]+)</dt><dd>(\d+)</dd>", page)


def test_closing_shows_what_it_freezes_and_asks_and_the_latest_period_can_be_reopened(login, quarter, session,
                                                                                     today):
    stttt, stc = login("stttt"), login("stc")
    save_report(stttt, "B.8.1", "stttt", 0, status="in_progress", percent="60")
    submit(stttt, "B.8.1", "stttt")
    save_report(stc, "B.5.1", "stc", 0, status="in_progress", percent="40")
    submit(stc, "B.5.1", "stc")
    quarter.post(f"/review/reports/{copy_of(session, 'B.5.1', 'stc').id}/accept", {"comment": ""})
    cucthue = login("cucthue")
    save_report(cucthue, "B.5.2", "cucthue", 0, status="in_progress", percent="10")
    submit(cucthue, "B.5.2", "cucthue")
    quarter.post(f"/review/reports/{copy_of(session, 'B.5.2', 'cucthue').id}/return", {"comment": "Thiếu số liệu"})
    period = session.exec(select(Period)).one()
    assert f'href="/review/periods/{period.id}/close"' in quarter.get("/review/periods").get_data(as_text=True)
    asked = quarter.get(f"/review/periods/{period.id}/close").get_data(as_text=True)
    assert "Kỳ chưa kết thúc:</strong> còn 10 ngày" in asked  # today is 20/09/2022
    assert "1 báo cáo đang chờ duyệt" in asked and "B.8.1 · Sở Thông tin và Truyền thông" in asked
    # A report returned and not sent again is not counted either: said as plainly.
    returned = asked.split("1 báo cáo đã bị trả lại, đơn vị chưa gửi lại,</strong> sẽ không được tính", 1)[1]
    assert returned.split("</ul>", 1)[0].count("<li>") == 1 and "B.5.2 · Cục thuế tỉnh" in returned
    assert "đơn vị chưa gửi báo cáo nào" in asked and "Sở Tư pháp" in asked
    quarter.post(f"/review/periods/{period.id}/close", {})  # a post that skipped the question closes nothing
    session.rollback()
    assert session.get(Period, period.id).is_open

    quarter.post(f"/review/periods/{period.id}/close", {"confirmed": "yes"})
    session.rollback()
    assert not session.get(Period, period.id).is_open
    frozen = session.exec(select(PeriodReport).where(PeriodReport.period_id == period.id)).all()
    assert any(c.state == ReviewState.MISSING for c in frozen)
    page = quarter.get(f"/review/periods/{period.id}").get_data(as_text=True)
    assert "Lý do mở lại kỳ" in page and "Tải Excel" in page and "Bản in" in page
    no_reason = quarter.post(f"/review/periods/{period.id}/reopen", {"reason": " "}, follow_redirects=True)
    assert "Hãy nêu lý do mở lại kỳ" in no_reason.get_data(as_text=True)
    quarter.post(f"/review/periods/{period.id}/reopen", {"reason": "Đóng nhầm trước hạn"})
    session.rollback()
    reopened = session.get(Period, period.id)
    assert reopened.is_open and reopened.reopen_reason == "Đóng nhầm trước hạn"
    copies = session.exec(select(PeriodReport).where(PeriodReport.period_id == period.id)).all()
    assert {c.state for c in copies} == {ReviewState.SUBMITTED, ReviewState.ACCEPTED, ReviewState.RETURNED}  # the «not sent» marks go
    assert all(c.frozen_status == "" for c in copies)
    from webapp.models import AuditEvent, PeriodTaskStatus

    assert session.exec(select(PeriodTaskStatus).where(PeriodTaskStatus.period_id == period.id)).all() == []
    assert "Đóng nhầm trước hạn" in session.exec(select(AuditEvent).where(AuditEvent.event == "period_reopened")).one().detail
    # The pending report can now be reviewed; closing again freezes anew.
    quarter.post(f"/review/reports/{copy_of(session, 'B.8.1', 'stttt').id}/accept", {"comment": ""})
    today(date(2022, 10, 6))
    quarter.post(f"/review/periods/{period.id}/close", {"confirmed": "yes"})
    open_period(quarter, "Quý IV/2022", "01/10/2022", "31/12/2022", "05/01/2023")
    refused = quarter.post(f"/review/periods/{period.id}/reopen", {"reason": "Sửa số liệu"}, follow_redirects=True)
    assert "Chỉ mở lại được kỳ gần nhất" in refused.get_data(as_text=True)


def test_a_report_sent_as_done_then_reopened_says_its_status_changed(login, quarter, session):
    """Back from «Hoàn thành» after sending: the save goes through, and the row and the unit's
    home say the status changed (the day it was finished, gone with it, is no field to name)."""
    stttt = login("stttt")
    save_report(stttt, "B.8.1", "stttt", 0, status="done", percent="100", result="Đã ban hành")
    submit(stttt, "B.8.1", "stttt")
    save_report(stttt, "B.8.1", "stttt", 1, status="in_progress", percent="90", result="Đã ban hành")
    home = stttt.get("/my?q=B.8.1")
    assert home.status_code == 200
    assert "đã sửa sau khi gửi (tình trạng; tỷ lệ hoàn thành nay 90%): cần gửi lại" in home.get_data(as_text=True)
    assert quarter.get("/review/units/stttt").status_code == 200


def test_a_leads_note_changed_after_sending_is_named_as_its_form_names_it(login, quarter, session):
    stttt = login("stttt")
    save_report(stttt, "B.8.1", "stttt", 0, status="in_progress", percent="50", result="Đang làm")
    submit(stttt, "B.8.1", "stttt")
    save_report(stttt, "B.8.1", "stttt", 1, status="in_progress", percent="50", result="Đang làm",
                contribution_note="Chờ Bộ hướng dẫn")
    assert "đã sửa sau khi gửi (ghi chú): cần gửi lại" in stttt.get("/my?q=B.8.1").get_data(as_text=True)


def test_a_units_page_for_a_closed_period_shows_what_it_sent_then_as_frozen(login, quarter, session, today):
    """/review/units/<unit>?period=<closed>: each report of the unit in that period, its review
    state, what counted and the status frozen, not the drafts written since."""
    stttt = login("stttt")
    save_report(stttt, "B.8.1", "stttt", 0, status="in_progress", percent="60", result="Đã hướng dẫn 5 huyện")
    submit(stttt, "B.8.1", "stttt")
    quarter.post(f"/review/reports/{copy_of(session, 'B.8.1', 'stttt').id}/accept", {"comment": ""})
    period = session.exec(select(Period)).one()
    today(date(2022, 10, 3))
    quarter.post(f"/review/periods/{period.id}/close", {"confirmed": "yes"})
    save_report(stttt, "B.8.1", "stttt", 1, status="done", percent="100", result="Đã hướng dẫn đủ 8 huyện")
    page = html.unescape(quarter.get(f"/review/units/stttt?period={period.id}").get_data(as_text=True))
    assert "kỳ Quý III/2022, đã đóng" in page
    row = page.split('href="/tasks/B.8.1', 1)[1].split("</tr>", 1)[0]
    assert "Đã chấp nhận" in row and "60%" in row and "Đã hướng dẫn 5 huyện" in row
    assert "Chưa hoàn thành, trong hạn" in row  # as frozen on 30/09/2022
    assert "Đã hướng dẫn đủ 8 huyện" not in page and "100%" not in page
    silent = html.unescape(quarter.get(f"/review/units/stc?period={period.id}").get_data(as_text=True))
    row = silent.split('href="/tasks/B.5.1', 1)[1].split("</tr>", 1)[0]
    assert "Không gửi" in row and "Không có (chưa được chấp nhận)" in row and "Chưa báo cáo" in row


def test_nothing_can_be_submitted_or_reviewed_in_a_closed_period(login, quarter, session):
    stttt = login("stttt")
    save_report(stttt, "B.8.1", "stttt", 0, status="in_progress", percent="20")
    submit(stttt, "B.8.1", "stttt")
    copy = copy_of(session, "B.8.1", "stttt")
    period = session.get(Period, copy.period_id)
    quarter.post(f"/review/periods/{period.id}/close", {"confirmed": "yes"})
    # The desk shows the closed period's report waiting, and no button that would be refused.
    desk = quarter.get(f"/review?period={period.id}").get_data(as_text=True)
    assert f'id="copy-{copy.id}"' in desk and "Kỳ đã đóng: các báo cáo được giữ như lúc đóng kỳ" in desk
    assert f"/review/reports/{copy.id}/accept" not in desk and 'id="bulk"' not in desk
    late = quarter.post(f"/review/reports/{copy.id}/accept", {"comment": ""}, htmx=True)
    assert "đã đóng" in late.get_data(as_text=True)
    assert f"/review/reports/{copy.id}/accept" not in late.get_data(as_text=True)
    assert copy_of(session, "B.8.1", "stttt").state == ReviewState.SUBMITTED
    assert "Chưa có kỳ báo cáo nào đang mở" in submit(stttt, "B.8.1", "stttt").get_data(as_text=True)


def test_an_approved_extension_moves_the_deadline_and_keeps_the_original_visible(login, quarter, session, today):
    today(date(2023, 2, 1))  # B.8.1 was due 31/12/2022
    stttt = login("stttt")
    save_report(stttt, "B.8.1", "stttt", 0, status="in_progress", percent="60")
    assert "quá hạn" in stttt.get("/my?q=B.8.1").get_data(as_text=True)

    asked = stttt.post("/tasks/B.8.1/units/stttt/extension", {"new_due_on": "30/06/2023",
                                                              "reason": "Chờ Bộ nâng cấp Cổng"})
    assert asked.status_code == 303
    assert "đề nghị gia hạn đến 30/06/2023, chờ duyệt" in stttt.get("/my?q=B.8.1").get_data(as_text=True)
    from webapp.models import Extension

    extension = session.exec(select(Extension)).one()
    quarter.post(f"/review/extensions/{extension.id}/approve", {"comment": "Đồng ý"})
    row = stttt.get("/my?q=B.8.1").get_data(as_text=True)
    assert "Chưa hoàn thành, trong hạn" in row and "30/06/2023" in row and "hạn gốc 31/12/2022" in row
    task = login("lanh-dao").get("/tasks/B.8.1").get_data(as_text=True)
    assert "Đồng ý gia hạn đến 30/06/2023" in task

    # The row's due date in force moved with its only lead's: the task page and its
    # supporting units say so, not «quá hạn» under a row that is within its time.
    assert "Hạn đang áp dụng: 30/06/2023 (gia hạn, hạn gốc 31/12/2022)" in task
    overview = re.sub(r"\s+", " ", login("lanh-dao").get("/tasks?q=B.8.1").get_data(as_text=True))
    assert "30/06/2023 <span class=\"days\">gia hạn, hạn gốc 31/12/2022</span>" in overview
    assert "quá hạn" not in task.split("Đơn vị phối hợp (", 1)[1].split("Lịch sử cập nhật", 1)[0]

    today(date(2023, 7, 2))
    assert "Chưa hoàn thành, quá hạn" in stttt.get("/my?q=B.8.1").get_data(as_text=True)


def test_a_supporting_units_row_stands_as_its_leads_make_it(login, app, session, today):
    """A supporting unit says nothing of the status: its row shows, counts and filters as the
    row stands by its leads' reports (DESIGN: one status on every page), not as its own blank
    report past the date would (overdue under a finished row). The data API says the same."""
    today(date(2022, 12, 20))  # B.8.1 is due 31/12/2022; Sở Tư pháp supports it
    save_report(login("stttt"), "B.8.1", "stttt", 0, status="done", percent="100", result="Xong")
    today(date(2023, 2, 1))
    stp = login("stp")
    home = stp.get("/my?q=B.8.1").get_data(as_text=True)
    row = home.split('id="report-1958-qd-ubnd-B.8.1-stp"', 1)[1].split("</tr>", 1)[0]
    assert "is-done_on_time" in row and "Hoàn thành đúng hạn" in row and "quá hạn" not in row
    assert "B.8.1" not in stp.get("/my?role=support&status=overdue").get_data(as_text=True)
    assert "B.8.1" in stp.get("/my?role=support&status=done_on_time").get_data(as_text=True)
    # A row its lead has not finished is overdue for its supporters too.
    assert "A.I.1" in stp.get("/my?role=support&status=overdue").get_data(as_text=True)
    # A row its lead says is blocked shows the flag on its supporters' rows, as it filters them.
    save_report(login("skhdt"), "B.4.2", "skhdt", 0, status="blocked", percent="30", difficulties="Chưa có kinh phí")
    blocked = login("stttt").get("/my?role=support&status=blocked").get_data(as_text=True)  # stttt supports B.4.2
    row = blocked.split('id="report-1958-qd-ubnd-B.4.2-stttt"', 1)[1].split("</tr>", 1)[0]
    assert "Có vướng mắc" in row
    from webapp.models import User
    from webapp.services import api_tokens

    token = api_tokens.issue(session, user=session.exec(select(User).where(User.username == "snv-ra-soat")).one(),
                             name="kiểm tra")
    [task] = [t for t in app.test_client().get("/api/v1/plans/1958-qd-ubnd/tasks",
                                               headers={"Authorization": f"Bearer {token}"}).get_json()
              if t["ref"] == "B.8.1"]
    assert {a["status"]["code"] for a in task["assignments"]} == {task["status"]["code"]} == {"done_on_time"}


def test_a_refused_extension_changes_nothing(login, quarter, session, today):
    today(date(2023, 2, 1))
    stttt = login("stttt")
    save_report(stttt, "B.8.1", "stttt", 0, status="in_progress", percent="60")
    stttt.post("/tasks/B.8.1/units/stttt/extension", {"new_due_on": "30/06/2023", "reason": "Chờ Bộ"})
    from webapp.models import Extension

    extension = session.exec(select(Extension)).one()
    no_reason = quarter.post(f"/review/extensions/{extension.id}/refuse", {"comment": ""}, follow_redirects=True)
    assert "Hãy nêu lý do không đồng ý gia hạn." in no_reason.get_data(as_text=True)
    quarter.post(f"/review/extensions/{extension.id}/refuse", {"comment": "Không có căn cứ"})
    assert "Chưa hoàn thành, quá hạn" in stttt.get("/my?q=B.8.1").get_data(as_text=True)


def test_an_extension_must_move_the_date_later_and_give_a_reason(login, quarter):
    stttt = login("stttt")
    early = stttt.post("/tasks/B.8.1/units/stttt/extension", {"new_due_on": "01/01/2022", "reason": "x"})
    assert "Hạn mới phải sau hạn hiện tại (31/12/2022)." in early.get_data(as_text=True)
    no_reason = stttt.post("/tasks/B.8.1/units/stttt/extension", {"new_due_on": "30/06/2023", "reason": ""})
    assert "Hãy nêu lý do xin gia hạn." in no_reason.get_data(as_text=True)


def test_work_finished_gets_no_extension(login, quarter, session, today):
    """A later date given to work already finished would turn a late finish into an early one:
    a finished report cannot ask, and a request its unit finished since cannot be approved."""
    from webapp.models import Extension

    today(date(2023, 2, 1))  # B.8.1 was due 31/12/2022
    stttt = login("stttt")
    save_report(stttt, "B.8.1", "stttt", 0, status="done", percent="100", result="Xong muộn")
    asked = stttt.post("/tasks/B.8.1/units/stttt/extension", {"new_due_on": "30/06/2023", "reason": "Muộn"})
    assert "Báo cáo của đơn vị đã là «Hoàn thành»: không cần gia hạn." in asked.get_data(as_text=True)
    session.rollback()
    assert session.exec(select(Extension)).all() == []
    save_report(stttt, "B.8.1", "stttt", 1, status="in_progress", percent="90", result="Chưa xong")
    assert stttt.post("/tasks/B.8.1/units/stttt/extension", {"new_due_on": "30/06/2023",
                                                              "reason": "Chờ ký"}).status_code == 303
    save_report(stttt, "B.8.1", "stttt", 2, status="done", percent="100", result="Đã ký")
    session.rollback()
    extension = session.exec(select(Extension)).one()
    refused = quarter.post(f"/review/extensions/{extension.id}/approve", {"comment": ""}, follow_redirects=True)
    assert "đã báo cáo «Hoàn thành» B.8.1 sau khi đề nghị" in refused.get_data(as_text=True)
    assert "Hoàn thành quá hạn" in stttt.get("/my?q=B.8.1").get_data(as_text=True)


def test_an_extension_asks_for_a_date_still_ahead_and_one_request_at_a_time(login, quarter, session, today):
    today(date(2023, 3, 1))  # B.8.1 was due 31/12/2022: a date after it but already past is no extension
    stttt = login("stttt")
    past = stttt.post("/tasks/B.8.1/units/stttt/extension", {"new_due_on": "15/02/2023", "reason": "Chờ Bộ"})
    assert "Hạn mới (15/02/2023) đã qua" in past.get_data(as_text=True)
    assert stttt.post("/tasks/B.8.1/units/stttt/extension",
                      {"new_due_on": "30/06/2023", "reason": "Chờ Bộ"}).status_code == 303
    page = stttt.get("/tasks/B.8.1/units/stttt/extension?view=unit").get_data(as_text=True)
    assert "Đơn vị đã đề nghị gia hạn đến <strong>30/06/2023</strong>" in page
    assert 'name="new_due_on"' not in page  # the pending request stands where a new one would be asked
    second = stttt.post("/tasks/B.8.1/units/stttt/extension", {"new_due_on": "30/09/2023", "reason": "Lâu hơn"})
    assert "đang chờ Sở Nội vụ duyệt: chưa gửi được đề nghị khác" in second.get_data(as_text=True)
    from webapp.models import Extension

    session.rollback()
    assert len(session.exec(select(Extension)).all()) == 1


def test_a_yearly_row_gets_one_status_per_year(login, today):
    today(date(2022, 11, 1))
    stttt = login("stttt")  # B.8.3: "Năm 2021 và các năm tiếp theo"
    save_report(stttt, "B.8.3", "stttt", 0, status="done", percent="100", result="Đã giám sát an toàn thông tin 2022")
    row = stttt.get("/my?q=B.8.3").get_data(as_text=True)
    assert "Thường xuyên, định kỳ" in row and '<span class="said">Hoàn thành</span>' in row
    today(date(2023, 3, 1))
    row = stttt.get("/my?q=B.8.3").get_data(as_text=True)
    assert '<span class="said">Chưa thực hiện</span>' in row and "31/12/2023" in row  # the 2023 round starts anew


def test_a_row_waiting_for_guidance_is_waiting_not_overdue_until_the_reviewer_sets_a_date(login, today):
    today(date(2024, 1, 1))
    stttt = login("stttt")
    page = stttt.get("/my?status=waiting").get_data(as_text=True)
    assert 'id="report-1958-qd-ubnd-A.I.4-stttt"' in page
    assert 'id="report-1958-qd-ubnd-A.I.4-stttt"' not in stttt.get("/my?overdue=1").get_data(as_text=True)
    reviewer = login(REVIEWER)
    assert "Đặt hoặc sửa hạn của nhiệm vụ" in reviewer.get("/tasks/A.I.4").get_data(as_text=True)
    reviewer.post("/tasks/A.I.4/due", {"due_on": "30/11/2023"})
    assert 'id="report-1958-qd-ubnd-A.I.4-stttt"' in stttt.get("/my?overdue=1").get_data(as_text=True)


def test_the_desk_counts_each_unit(login, quarter, session):
    stttt = login("stttt")
    save_report(stttt, "B.8.1", "stttt", 0, status="in_progress", percent="50")
    submit(stttt, "B.8.1", "stttt")
    page = quarter.get("/review").get_data(as_text=True)
    assert "Chờ duyệt (1)" in page
    link = re.search(r'href="(/review/units/stttt\?[^"]*period=\d+[^"]*)"', page)[1]
    unit_page = quarter.get(html.unescape(link)).get_data(as_text=True)
    assert 'id="report-1958-qd-ubnd-B.8.1-stttt"' in unit_page and "Đã gửi, chờ duyệt" in unit_page


def test_sending_all_asks_first_and_never_sends_a_report_never_filled_in(login, quarter, session):
    skhdt = login("skhdt")  # leads A.I.18, B.4.1, B.4.2 and, with the group, more
    save_report(skhdt, "B.4.1", "skhdt", 0, status="in_progress", percent="30", result="Đã dự thảo")
    save_report(skhdt, "B.4.2", "skhdt", 0, status="not_started", percent="0", result="Chưa bố trí vốn")
    page = skhdt.get("/my/submit").get_data(as_text=True)
    assert "Sẽ gửi 2 báo cáo" in page and "chưa có nội dung" in page and "A.I.18" in page
    assert session.exec(select(PeriodReport)).all() == []  # asking sends nothing
    stale = skhdt.post("/my/submit", {"count": "5"}, follow_redirects=True).get_data(as_text=True)
    assert "vừa thay đổi" in stale and session.exec(select(PeriodReport)).all() == []
    response = skhdt.post("/my/submit", {"count": "2"})
    assert response.status_code == 303
    session.rollback()
    sent = session.exec(select(PeriodReport)).all()
    assert sorted(copy.task_id for copy in sent) == sorted(
        session.exec(select(Task.id).where(Task.ref.in_(["B.4.1", "B.4.2"])).order_by(Task.id)).all())
    assert all(c.state == ReviewState.SUBMITTED for c in sent)
    again = skhdt.post("/my/submit", {"count": "0"}, follow_redirects=True).get_data(as_text=True)
    assert "Không có báo cáo nào cần gửi" in again
    session.rollback()
    assert len(session.exec(select(PeriodReport)).all()) == 2


def test_a_single_empty_report_asks_before_it_is_sent(login, quarter, session):
    stttt = login("stttt")
    asked = submit(stttt, "B.8.1", "stttt").get_data(as_text=True)
    assert "Báo cáo này chưa có nội dung" in asked and 'name="blank" value="confirmed"' in asked
    assert copy_of(session, "B.8.1", "stttt") is None
    page = stttt.post("/tasks/B.8.1/units/stttt/submit", {"view": "unit"}).get_data(as_text=True)  # without JavaScript
    assert "<!doctype html>" in page.lower() and "Vẫn gửi báo cáo trống" in page
    stttt.post("/tasks/B.8.1/units/stttt/submit", {"view": "unit", "blank": "confirmed"}, htmx=True)
    assert copy_of(session, "B.8.1", "stttt").state == ReviewState.SUBMITTED


def test_a_full_quarter_played_through(login, session, today):
    """The check of the issue: Quý III/2022 opened, three units submit, one is returned and
    resubmitted, one lead's extension is approved, the period is closed, and its figures stay
    the same after further edits in the next period."""
    reviewer = login(REVIEWER)
    open_period(reviewer, "Quý III/2022", "01/07/2022", "30/09/2022", "05/10/2022")
    today(date(2022, 9, 28))
    plays = {"stttt": ("B.8.1", "in_progress", "60"), "stp": ("B.2.1", "done", "100"),
             "skhdt": ("B.4.2", "in_progress", "30")}
    clients = {}
    for unit, (ref, status, percent) in plays.items():
        clients[unit] = login(unit)
        save_report(clients[unit], ref, unit, 0, status=status, percent=percent, result=f"Kết quả của {unit}")
        assert submit(clients[unit], ref, unit).status_code == 200
    skhdt_copy = copy_of(session, "B.4.2", "skhdt")
    reviewer.post(f"/review/reports/{skhdt_copy.id}/return", {"comment": "Nêu rõ số huyện đã kết nối"})
    save_report(clients["skhdt"], "B.4.2", "skhdt", 1, status="in_progress", percent="40",
                result="Đã kết nối 3/8 huyện")
    submit(clients["skhdt"], "B.4.2", "skhdt")
    for unit, (ref, _, _) in plays.items():
        reviewer.post(f"/review/reports/{copy_of(session, ref, unit).id}/accept", {"comment": ""})

    # Sở Tài nguyên và Môi trường asks more time for B.6.1 (due 31/12/2022); it is approved.
    stnmt = login("stnmt")
    stnmt.post("/tasks/B.6.1/units/stnmt/extension", {"new_due_on": "30/06/2023", "reason": "Chờ Bộ TN&MT"})
    from webapp.models import Extension

    session.rollback()
    extension = session.exec(select(Extension)).one()
    reviewer.post(f"/review/extensions/{extension.id}/approve", {"comment": ""})

    session.rollback()
    period = session.exec(select(Period)).one()
    assert reviewer.post(f"/review/periods/{period.id}/close", {"confirmed": "yes"}).status_code == 303
    closed = reviewer.get(f"/review/periods/{period.id}").get_data(as_text=True)
    figures = _figures(closed)
    assert ("Hoàn thành đúng hạn", "1") in figures  # B.2.1
    assert ("Thường xuyên, định kỳ", "22") in figures  # the yearly rows, whatever they said

    today(date(2023, 1, 10))
    open_period(reviewer, "Quý IV/2022", "01/10/2022", "31/12/2022", "05/01/2023")
    save_report(clients["stttt"], "B.8.1", "stttt", 1, status="done", percent="100", result="Hoàn thành")
    save_report(clients["skhdt"], "B.4.2", "skhdt", 2, status="blocked", difficulties="Chưa có kinh phí")
    assert _figures(reviewer.get(f"/review/periods/{period.id}").get_data(as_text=True)) == figures


def test_the_reviewer_names_the_units_of_related_bodies_and_a_refresh_keeps_them(login, session, database_url):
    reviewer = login(REVIEWER)
    # A.I.18: supported by "Các cơ quan có liên quan", no one in particular.
    assert "Chỉ định thêm đơn vị" in reviewer.get("/tasks/A.I.18").get_data(as_text=True)
    assert login("sxd").get("/tasks/A.I.18").status_code == 404
    response = reviewer.post("/tasks/A.I.18/assignments", {"unit": "sxd", "role": "support"})
    assert response.status_code == 303
    assert 'id="report-1958-qd-ubnd-A.I.18-sxd"' in login("sxd").get("/my").get_data(as_text=True)
    again = reviewer.post("/tasks/A.I.18/assignments", {"unit": "sxd", "role": "support"}, follow_redirects=True)
    assert "Giá trị không có trong danh sách để chọn." in again.get_data(as_text=True)  # already on the row
    assert login("stttt").post("/tasks/A.I.18/assignments", {"unit": "sct", "role": "support"}).status_code in (403, 404)
    from webapp.database import make_engine
    from webapp.services.plans import PlanSource, load_plan

    engine = make_engine(database_url)
    load_plan(engine, PlanSource.read())  # refreshing plan 1958 keeps the named unit
    engine.dispose()
    assert 'id="report-1958-qd-ubnd-A.I.18-sxd"' in login("sxd").get("/my").get_data(as_text=True)
    assert "Được chỉ định phối hợp nhiệm vụ A.I.18" in reviewer.get("/tasks/A.I.18").get_data(as_text=True)


def test_the_live_standing_kept_between_requests_is_the_one_derived_afresh(app, login, quarter, session, today,
                                                                           monkeypatch):
    """The dashboard's figures come from a standing each process keeps and brings up to date
    after each change, deriving again only the rows whose reports changed: after a save, an
    extension asked and approved, a blocked row and a row done, it equals a standing derived
    afresh from the database, row by row and lead by lead."""
    from webapp.extensions import db
    from webapp.models import Extension, Plan
    from webapp.services import periods

    derived_again = []
    derive = periods._live_standing
    monkeypatch.setattr(periods, "_live_standing", lambda *args, **kwargs: (
        derived_again.append(kwargs.get("task_ids")), derive(*args, **kwargs))[1])

    def kept_equals_fresh() -> None:
        assert login("lanh-dao").get("/dashboard").status_code == 200
        with app.app_context():
            db_session = db.session()
            plan = db_session.exec(select(Plan)).one()
            kept = periods.live_standing(db_session, plan=plan, today=clock.today())
            fresh = derive(db_session, plan=plan, today=clock.today())
            assert [(r.task.id, r.status, r.leads, r.reported) for r in kept.rows] == \
                   [(r.task.id, r.status, r.leads, r.reported) for r in fresh.rows]
            assert {k: (v.code, v.due_on, v.overdue, v.report) for k, v in kept.leads.items()} == \
                   {k: (v.code, v.due_on, v.overdue, v.report) for k, v in fresh.leads.items()}

    today(date(2023, 2, 1))
    kept_equals_fresh()
    assert derived_again[-1] is None  # the first time: every row
    b81 = session.exec(select(Task.id).where(Task.ref == "B.8.1")).one()
    stttt = login("stttt")
    save_report(stttt, "B.8.1", "stttt", 0, status="in_progress", percent="60")
    derived_again.clear()
    kept_equals_fresh()
    assert derived_again == [{b81}]  # after a save, its row alone
    stttt.post("/tasks/B.8.1/units/stttt/extension", {"new_due_on": "30/06/2023", "reason": "Chờ Bộ nâng cấp Cổng"})
    session.rollback()
    quarter.post(f"/review/extensions/{session.exec(select(Extension)).one().id}/approve", {"comment": "Đồng ý"})
    kept_equals_fresh()
    save_report(login("skhdt"), "B.4.2", "skhdt", 0, status="blocked", percent="30", difficulties="Chưa có kinh phí")
    kept_equals_fresh()
    save_report(stttt, "B.8.1", "stttt", 1, status="done", percent="100", result="Đã nâng cấp Cổng")
    kept_equals_fresh()
    board = login("lanh-dao").get("/dashboard").get_data(as_text=True)
    assert "Chưa có kinh phí" in board
    today(date(2023, 2, 2))  # a new day: every row again
    derived_again.clear()
    kept_equals_fresh()
    assert derived_again[0] is None


def test_an_extension_decided_twice_at_once_is_decided_once(app, login, quarter, session, today):
    """Two reviewers open the same request; the second decision, sent after the first was
    saved, is refused with a message instead of overwriting it."""
    from sqlmodel import Session

    from webapp.extensions import db
    from webapp.models import Extension, ExtensionState, User
    from webapp.services.deadlines import DeadlineError, decide_extension

    today(date(2023, 2, 1))
    login("stttt").post("/tasks/B.8.1/units/stttt/extension", {"new_due_on": "30/06/2023", "reason": "Chờ Bộ"})
    engine = db.engine(app)
    with Session(engine, expire_on_commit=False) as first, Session(engine, expire_on_commit=False) as second:
        reviewer = first.exec(select(User).where(User.username == REVIEWER)).one()
        seen_first = first.exec(select(Extension)).one()
        seen_second = second.exec(select(Extension)).one()  # both see it waiting
        decide_extension(first, extension=seen_first, user=reviewer, approve=True, comment="Đồng ý")
        with pytest.raises(DeadlineError, match="đã được xử lý"):
            decide_extension(second, extension=seen_second, user=second.get(User, reviewer.id), approve=False,
                             comment="Không có căn cứ")
    session.rollback()
    assert session.exec(select(Extension)).one().state == ExtensionState.APPROVED


def test_the_queues_next_page_goes_on_after_the_last_report_shown_though_some_were_accepted_in_place(
        login, quarter, monkeypatch):
    """Reports accepted in place leave the waiting list: the next page continues after the last
    report the reviewer saw, instead of skipping those that moved up into the first page."""
    from webapp.services import queue

    monkeypatch.setattr(queue, "PAGE_SIZE", 2)
    sent = [("stttt", "A.I.3"), ("vpubnd", "A.I.8"), ("snv", "A.I.1"), ("skhdt", "A.I.18"), ("stc", "A.I.19")]
    for unit, ref in sent:
        assert login(unit).post(f"/tasks/{ref}/units/{unit}/submit", {"view": "unit", "blank": "confirmed"}
                                ).status_code == 303
    first = quarter.get("/review").get_data(as_text=True)
    shown = re.findall(r'<tr id="copy-(\d+)"', first)
    assert len(shown) == 2 and "Trang 1/3 (1–2 trên 5)" in first
    for copy_id in shown:
        assert quarter.post(f"/review/reports/{copy_id}/accept", {"comment": ""}, htmx=True).status_code == 200
    following = html.unescape(re.search(r'rel="next" href="([^"]+)"', first).group(1))
    second = quarter.get(following).get_data(as_text=True)
    assert [ref for _, ref in sent[2:4]] == re.findall(r'<tr id="copy-\d+".*?>(A\.I\.\d+)<', second, re.S)
    assert "Trang 1/2 (1–2 trên 3)" in second
    last = quarter.get(html.unescape(re.search(r'rel="next" href="([^"]+)"', second).group(1))).get_data(as_text=True)
    assert re.findall(r'<tr id="copy-\d+".*?>(A\.I\.\d+)<', last, re.S) == ["A.I.19"] and 'rel="next"' not in last
    assert "Trang 2/2 (3–3 trên 3)" in last


def test_a_finished_row_accepted_stays_accepted_in_the_next_period_unless_changed(login, quarter, session, today):
    """A lead's report accepted as «Hoàn thành» counts as accepted in the next period too, with
    the files it was accepted with and a note saying so: a finished task is not sent again.
    A row changed since, a recurring row (yearly), and a row accepted unfinished are sent anew.
    The task's history gets no line for it (a row with tens of leads would be flooded)."""
    from webapp.models import PeriodAttachment

    from .test_evidence import PDF, upload

    stttt = login("stttt")
    done = {"status": "done", "percent": "100", "result": "Đã ban hành", "evidence_number": "12/QĐ-STTTT",
            "evidence_date": "15/09/2022"}
    for ref in ("B.8.1", "A.II.3", "A.I.7"):
        save_report(stttt, ref, "stttt", 0, **done)
    save_report(stttt, "A.II.4", "stttt", 0, status="in_progress", percent="40", result="Đang làm")
    upload(stttt, [(PDF, "Quyết định 12.pdf")], url="/tasks/B.8.1/units/stttt")
    for ref in ("B.8.1", "A.II.3", "A.I.7", "A.II.4"):
        submit(stttt, ref, "stttt")
        quarter.post(f"/review/reports/{copy_of(session, ref, 'stttt').id}/accept", {"comment": ""})
    save_report(stttt, "A.II.3", "stttt", 1, **{**done, "result": "Đã ban hành, bổ sung phụ lục"})  # changed since
    third = session.exec(select(Period)).one()
    assert quarter.post(f"/review/periods/{third.id}/close", {"confirmed": "yes"}).status_code == 303

    today(date(2022, 10, 3))
    opened = open_period(quarter, "Quý IV/2022", "01/10/2022", "31/12/2022", "05/01/2023")
    said = quarter.get(opened.headers["Location"]).get_data(as_text=True)
    assert "1 báo cáo chủ trì đã hoàn thành và được chấp nhận ở kỳ trước được giữ «Đã chấp nhận»" in said
    session.rollback()
    fourth = session.exec(select(Period).where(Period.label == "Quý IV/2022")).one()
    kept = session.exec(select(PeriodReport).where(PeriodReport.period_id == fourth.id)).all()
    assert len(kept) == 1 and kept[0].task_id == copy_of(session, "B.8.1", "stttt").task_id
    assert (kept[0].state, kept[0].result) == (ReviewState.ACCEPTED, "Đã ban hành")
    assert "được chấp nhận ở kỳ Quý III/2022" in kept[0].review_comment
    assert len(session.exec(select(PeriodAttachment).where(PeriodAttachment.period_report_id == kept[0].id)).all()) == 1
    history = html.unescape(stttt.get("/tasks/B.8.1").get_data(as_text=True))
    assert "Quý IV/2022" not in history.split('id="history"')[1]
    # The unit has nothing to send for it; the others wait to be sent.
    home = re.sub(r"\s+", " ", html.unescape(stttt.get("/my").get_data(as_text=True)))
    row = re.search(r'id="report-1958-qd-ubnd-B\.8\.1-stttt".*?</tr>', home)[0]
    assert "Đã chấp nhận · Quý IV/2022" in row
    again = html.unescape(submit(stttt, "B.8.1", "stttt").get_data(as_text=True))
    assert "đã được chấp nhận và chưa sửa gì" in again


def test_a_file_added_or_removed_after_acceptance_is_a_change_to_send_again(login, quarter, session, today):
    """Evidence is part of what a unit reports: a file added to, or removed from, a report
    accepted for the period marks its row «cần gửi lại», lets the unit send it (the copy then
    carries the files as they are; what was accepted counts until then, its files too, in the
    official report), and keeps a finished row from being carried accepted into the next period."""
    from webapp.models import Attachment, PeriodAttachment

    from .test_evidence import PDF, upload

    def row_of(ref):
        home = re.sub(r"\s+", " ", html.unescape(stttt.get("/my").get_data(as_text=True)))
        return re.search(rf'id="report-1958-qd-ubnd-{re.escape(ref)}-stttt".*?</tr>', home)[0]

    def sent_with(ref):
        session.rollback()
        return sorted(a.file_name for a in session.exec(
            select(Attachment).join(PeriodAttachment, PeriodAttachment.attachment_id == Attachment.id)
            .where(PeriodAttachment.period_report_id == copy_of(session, ref, "stttt").id)))

    stttt = login("stttt")
    done = {"status": "done", "percent": "100", "result": "Đã ban hành", "evidence_number": "12/QĐ-STTTT",
            "evidence_date": "15/09/2022"}
    def official_report_says(ref):
        sheet = load_workbook(io.BytesIO(quarter.get(f"/exports/report.xlsx?period={third.id}").data))["Báo cáo"]
        row = next(r for r in sheet.iter_rows(values_only=True) if r[0] == ref_stt[ref])
        return str(row[6])

    third = session.exec(select(Period)).one()
    ref_stt = {ref: session.exec(select(Task.stt).where(Task.ref == ref)).one() for ref in ("B.8.1",)}
    for ref in ("B.8.1", "A.II.3"):
        save_report(stttt, ref, "stttt", 0, **done)
        if ref == "B.8.1":
            upload(stttt, [(PDF + b"% draft\n", "Bản thảo.pdf")], url="/tasks/B.8.1/units/stttt")
        submit(stttt, ref, "stttt")
        quarter.post(f"/review/reports/{copy_of(session, ref, 'stttt').id}/accept", {"comment": ""})
    assert "cần gửi lại" not in row_of("B.8.1")

    upload(stttt, [(PDF, "Quyết định 12 (bản ký).pdf")], url="/tasks/B.8.1/units/stttt")
    assert "đã sửa sau khi gửi (tệp minh chứng): cần gửi lại" in row_of("B.8.1")  # says what changed
    assert submit(stttt, "B.8.1", "stttt").status_code == 200
    assert copy_of(session, "B.8.1", "stttt").state == ReviewState.SUBMITTED
    assert copy_of(session, "B.8.1", "stttt").accepted_values["result"] == "Đã ban hành"  # still counts meanwhile
    assert sent_with("B.8.1") == ["Bản thảo.pdf", "Quyết định 12 (bản ký).pdf"]
    # Waiting for review, the version accepted before counts, with the files it was accepted with.
    assert "Tệp minh chứng: Bản thảo.pdf" in official_report_says("B.8.1")
    assert "bản ký" not in official_report_says("B.8.1")
    quarter.post(f"/review/reports/{copy_of(session, 'B.8.1', 'stttt').id}/accept", {"comment": ""})
    assert "cần gửi lại" not in row_of("B.8.1")
    assert "Tệp minh chứng: Bản thảo.pdf; Quyết định 12 (bản ký).pdf" in official_report_says("B.8.1")

    # Removed after acceptance: a change too.
    file_id = session.exec(select(Attachment.id).where(Attachment.file_name == "Quyết định 12 (bản ký).pdf")).one()
    stttt.post(f"/tasks/B.8.1/units/stttt/files/{file_id}/remove", {"view": "unit"}, htmx=True)
    assert "cần gửi lại" in row_of("B.8.1")
    # A file added to the other finished row: it is not kept accepted into the next period.
    upload(stttt, [(PDF, "Phụ lục.pdf")], url="/tasks/A.II.3/units/stttt")
    assert quarter.post(f"/review/periods/{third.id}/close", {"confirmed": "yes"}).status_code == 303
    today(date(2022, 10, 3))
    open_period(quarter, "Quý IV/2022", "01/10/2022", "31/12/2022", "05/01/2023")
    session.rollback()
    fourth = session.exec(select(Period).where(Period.label == "Quý IV/2022")).one()
    assert session.exec(select(PeriodReport).where(PeriodReport.period_id == fourth.id)).all() == []


def test_the_queue_shows_what_the_unit_proposes_beside_its_difficulties(login, quarter, session):
    skhdt = login("skhdt")
    save_report(skhdt, "B.4.2", "skhdt", 0, status="blocked", percent="30", difficulties="Chưa có kinh phí",
                proposals="Đề nghị bổ sung kinh phí năm 2023")
    submit(skhdt, "B.4.2", "skhdt")
    desk = html.unescape(quarter.get("/review").get_data(as_text=True))
    assert "<strong>Vướng mắc:</strong> Chưa có kinh phí" in desk
    assert "<strong>Đề xuất:</strong> Đề nghị bổ sung kinh phí năm 2023" in desk
