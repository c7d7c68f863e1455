"""Several plans at once, as a province follows them: a new plan moves no one's pages; a unit
sees its rows of every plan in one list, with a filter, counts and reminders across plans; the
reviewer's queue shows every plan or one; the daily digest covers every plan."""

import re
from datetime import date

import pytest
from sqlmodel import select

from webapp.models import PeriodReport, Plan, User
from webapp.services import clock

from .factories import open_period, save_report
from .test_import import SECOND_PLAN, upload, xlsx_bytes

ADMIN, REVIEWER = "quan-tri", "snv-ra-soat"
SECOND = "15-kh-ubnd"  # the code of 15/KH-UBND, issued 10/01/2023: newer than plan 1958


@pytest.fixture
def today(monkeypatch):
    monkeypatch.setattr(clock, "today", lambda: date(2023, 6, 20))


@pytest.fixture
def two_plans(login, session, today):
    """Users at work on plan 1958 when the administrator imports a second plan."""
    reviewer, stttt = login(REVIEWER), login("stttt")
    admin = login(ADMIN)
    preview = upload(admin, "ke-hoach.xlsx", xlsx_bytes(SECOND_PLAN), number="15/KH-UBND")
    assert admin.post(preview.headers["Location"], {"action": "commit"}).status_code == 303
    session.rollback()
    assert session.exec(select(Plan).where(Plan.code == SECOND)).one()
    return reviewer, stttt


def test_importing_a_plan_moves_no_ones_pages(login, session, two_plans):
    reviewer, _ = two_plans
    assert "Kế hoạch số 1958/QĐ-UBND" in reviewer.get("/tasks").get_data(as_text=True)
    assert reviewer.get("/tasks/A.I.21").status_code == 200
    again = login(REVIEWER)  # the next day: a new session, the same plan
    assert "Kế hoạch số 1958/QĐ-UBND" in again.get("/tasks").get_data(as_text=True)
    # Only the user's own choice moves them, and it is kept on the account.
    again.post("/plan", {"plan": SECOND})
    assert "Kế hoạch số 15/KH-UBND" in login(REVIEWER).get("/tasks").get_data(as_text=True)
    session.rollback()
    chosen = session.exec(select(User).where(User.username == REVIEWER)).one().plan_id
    assert chosen == session.exec(select(Plan.id).where(Plan.code == SECOND)).one()
    # Any page about another plan says so in its address, and its links stay on that plan.
    other = reviewer.get(f"/tasks?plan={SECOND}").get_data(as_text=True)
    assert "Kế hoạch số 15/KH-UBND" in other and f'href="/tasks/A.I.1?plan={SECOND}"' in other
    # The header's choice of plan names the plan the page shows, not the account's own.
    administrators = login(ADMIN).get(f"/tasks?plan={SECOND}").get_data(as_text=True)
    choice = re.search(r'<select id="plan-choice".*?</select>', administrators, re.S)[0]
    assert re.findall(r'<option value="([^"]+)" selected>', choice) == [SECOND]


def test_a_units_home_lists_the_rows_of_every_plan(login, session, two_plans):
    reviewer, stttt = two_plans
    open_period(reviewer, "Quý II/2023", "01/04/2023", "30/06/2023", "05/07/2023")
    reviewer.post(f"/review/periods?plan={SECOND}", {"kind": "quarter", "label": "Quý II/2023 (KH 15)",
                                                    "starts_on": "01/04/2023", "ends_on": "30/06/2023",
                                                    "deadline": "10/07/2023"})
    page = stttt.get("/my").get_data(as_text=True)
    assert "Kế hoạch số 15/KH-UBND" in page and "Kế hoạch số 1958/QĐ-UBND" in page
    assert f'id="report-{SECOND}-A.I.1-stttt"' in page and 'id="report-1958-qd-ubnd-B.8.1-stttt"' in page
    assert "Quý II/2023 (KH 15)</strong> của Kế hoạch số 15/KH-UBND" in page  # both periods reminded
    assert 'name="plan"' in page  # the plan filter
    only = stttt.get(f"/my?plan={SECOND}").get_data(as_text=True)
    assert f'id="report-{SECOND}-A.I.1-stttt"' in only and 'id="report-1958-qd-ubnd-' not in only

    # A row of the other plan is edited and sent in place, on the same page.
    save_report(stttt, "A.I.1", "stttt", 0, plan=SECOND, status="in_progress", percent="35",
                result="Đã số hóa 3 quy trình")
    stttt.post(f"/tasks/A.I.1/units/stttt/submit?plan={SECOND}", {"view": "unit"}, htmx=True)
    session.rollback()
    copy = session.exec(select(PeriodReport)).one()
    assert (copy.percent, copy.state.value) == (35, "submitted")
    # Sending all covers every plan's open period; blank rows are listed, not sent.
    save_report(stttt, "B.8.1", "stttt", 0, status="in_progress", percent="60")
    asked = stttt.get("/my/submit").get_data(as_text=True)
    assert "Sẽ gửi 1 báo cáo" in asked and "KH 1958/QĐ-UBND" in asked


def test_the_queue_shows_every_plan_or_one_with_names_states_and_pages(login, session, two_plans, monkeypatch):
    reviewer, stttt = two_plans
    open_period(reviewer, "Quý II/2023", "01/04/2023", "30/06/2023", "05/07/2023")
    reviewer.post(f"/review/periods?plan={SECOND}", {"kind": "quarter", "label": "Quý II/2023 (KH 15)",
                                                    "starts_on": "01/04/2023", "ends_on": "30/06/2023",
                                                    "deadline": "10/07/2023"})
    save_report(stttt, "A.I.1", "stttt", 0, plan=SECOND, status="in_progress", percent="35")
    stttt.post(f"/tasks/A.I.1/units/stttt/submit?plan={SECOND}", {})
    for ref in ("B.8.1", "A.II.3"):
        save_report(stttt, ref, "stttt", 0, status="in_progress", percent="50")
        stttt.post(f"/tasks/{ref}/units/stttt/submit", {})
    every = reviewer.get("/review").get_data(as_text=True)
    assert "Chờ duyệt (3)" in every and "KH 15/KH-UBND · Quý II/2023 (KH 15)" in every
    assert "Sở Thông tin và Truyền thông" in every and "Đang thực hiện" in every  # the name and the status
    assert 'data-select-all' in every
    one = reviewer.get(f"/review?plan={SECOND}").get_data(as_text=True)
    assert "Chờ duyệt (1)" in one
    from webapp.services import queue

    monkeypatch.setattr(queue, "PAGE_SIZE", 2)
    first = reviewer.get("/review").get_data(as_text=True)
    assert "Trang 1/2" in first and first.count('class="queue-row') == 2
    second = reviewer.get("/review?page=2", htmx=True).get_data(as_text=True)
    assert second.lstrip().startswith("<section") and second.count('class="queue-row') == 1
    session.rollback()
    copy = session.exec(select(PeriodReport).order_by(PeriodReport.id)).first()
    reviewer.post(f"/review/reports/{copy.id}/accept", {"comment": ""})
    accepted = reviewer.get("/review?state=accepted&unit=stttt").get_data(as_text=True)
    assert "Đã chấp nhận (1)" in accepted and f'id="copy-{copy.id}"' in accepted
    assert "Đã chấp nhận (0)" in reviewer.get("/review?state=accepted&unit=snv").get_data(as_text=True)
