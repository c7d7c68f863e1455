"""The roles table of DESIGN.md as a matrix: every role against every view and endpoint.

A.I.3 is led by Sở Thông tin và Truyền thông (stttt) and supported by every department
through "Sở, ban, ngành", Sở Nội vụ (snv) among them; Công an tỉnh (cat) has no part in it.
Forged URLs, unit codes and form fields get 403 or 404 and change nothing.
"""

import pytest
from sqlmodel import select

from webapp.models import Report, ReportChange

LEAD, SUPPORT, OUTSIDER = "stttt", "snv", "cat"
ROLES = {"lead": LEAD, "support": SUPPORT, "outsider": OUTSIDER,
         "reviewer": "snv-ra-soat", "leader": "lanh-dao", "admin": "quan-tri"}

LEAD_FORM = {"version": "0", "status": "in_progress", "percent": "30", "result": "Đang rà soát", "evidence_number": "",
             "evidence_date": "", "difficulties": "", "proposals": "", "contribution_note": ""}
NOTE_FORM = {"version": "0", "contribution_note": "Đã góp ý quy trình"}

# (method, url, form) -> expected status for lead, support, outsider, reviewer, leader, admin
MATRIX = [
    ("GET", "/tasks", None, (403, 403, 403, 200, 200, 200)),
    ("GET", "/my", None, (200, 200, 200, 403, 403, 403)),
    ("GET", "/my/standing", None, (200, 200, 200, 403, 403, 403)),
    ("GET", "/tasks/A.I.3", None, (200, 200, 404, 200, 200, 200)),
    ("GET", "/tasks/A.I.3/units/stttt", None, (200, 200, 404, 200, 200, 200)),
    ("GET", "/tasks/A.I.3/units/snv", None, (200, 200, 404, 200, 200, 200)),
    ("GET", "/tasks/A.I.3/units/stttt/edit", None, (200, 403, 404, 403, 403, 403)),
    ("GET", "/tasks/A.I.3/units/snv/edit", None, (403, 200, 404, 403, 403, 403)),
    ("POST", "/tasks/A.I.3/units/stttt", LEAD_FORM, (303, 403, 404, 403, 403, 403)),
    ("POST", "/tasks/A.I.3/units/snv", NOTE_FORM, (403, 303, 404, 403, 403, 403)),
    # A supporter forging the lead's fields on its own report.
    ("POST", "/tasks/A.I.3/units/snv", {**NOTE_FORM, "status": "done", "percent": "100"}, (403, 403, 404, 403, 403, 403)),
    # A unit not on the row at all, and a unit that does not exist.
    ("GET", "/tasks/A.I.3/units/cat", None, (404, 404, 404, 404, 404, 404)),
    ("POST", "/tasks/A.I.3/units/cat", LEAD_FORM, (404, 404, 404, 404, 404, 404)),
    ("POST", "/tasks/A.I.3/units/nope", LEAD_FORM, (404, 404, 404, 404, 404, 404)),
    ("POST", "/tasks/Z.9/units/stttt", LEAD_FORM, (404, 404, 404, 404, 404, 404)),
    # Another unit's report on a row the user leads (stttt leads A.I.3, vpubnd supports it).
    ("POST", "/tasks/A.I.3/units/vpubnd", NOTE_FORM, (403, 403, 404, 403, 403, 403)),
]


def snapshot(session):
    session.rollback()  # a new snapshot: end the read transaction of the last look
    reports = [(r.task_id, r.unit_id, r.status, r.percent, r.result, r.contribution_note, r.version)
               for r in session.exec(select(Report).order_by(Report.id))]
    return reports, len(session.exec(select(ReportChange)).all())


@pytest.mark.parametrize("who", list(ROLES))
def test_permission_matrix(login, session, who):
    client = login(ROLES[who])
    column = list(ROLES).index(who)
    for method, url, form, expected in MATRIX:
        want = expected[column]
        before = snapshot(session)
        if method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, form)
        assert response.status_code == want, f"{who} {method} {url}: {response.status_code}, expected {want}"
        if method == "POST" and want in (403, 404):
            assert snapshot(session) == before, f"{who} {method} {url} changed the database"
        if method == "POST" and want == 303:
            session.rollback()  # the save went through; later rows start from there


@pytest.mark.parametrize("url", ["/my", "/tasks", "/tasks/A.I.3", "/tasks/A.I.3/units/stttt",
                                 "/tasks/A.I.3/units/stttt/edit"])
def test_every_page_asks_to_log_in_first(client, url):
    response = client.get(url)
    assert response.status_code == 303
    assert response.headers["Location"].startswith("/login?next=")


def test_an_anonymous_post_changes_nothing(client, session):
    before = snapshot(session)
    response = client.post("/tasks/A.I.3/units/stttt", data=LEAD_FORM)
    assert response.status_code in (303, 400)
    assert snapshot(session) == before


def test_a_post_without_the_csrf_token_is_refused(login, session):
    client = login(LEAD)
    before = snapshot(session)
    plain = client.post("/tasks/A.I.3/units/stttt", LEAD_FORM, csrf=False)
    assert plain.status_code == 400 and "Phiên làm việc đã hết hạn" in plain.get_data(as_text=True)
    # An HTMX step loads its page again, with a fresh token (a row's form typed in comes back
    # with its text, kept in the tab); any other step also says it was not done.
    htmx = client.post("/tasks/A.I.3/units/stttt", LEAD_FORM, htmx=True, csrf=False,
                       headers={"HX-Current-URL": "http://localhost/my?q=A.I.3"})
    assert htmx.headers["HX-Redirect"] == "/my?q=A.I.3"
    assert "Biểu mẫu đã cũ" not in client.get("/my?q=A.I.3").get_data(as_text=True)
    sent = client.post("/tasks/A.I.3/units/stttt/submit", {}, htmx=True, csrf=False,
                       headers={"HX-Current-URL": "http://localhost/my"})
    assert sent.headers["HX-Redirect"] == "/my"
    assert "Biểu mẫu đã cũ (phiên làm việc đã đổi) nên thao tác vừa rồi chưa được thực hiện" in \
        client.get("/my").get_data(as_text=True)
    assert snapshot(session) == before


def test_the_token_in_the_htmx_header_is_accepted(login):
    client = login(LEAD)
    response = client.post("/tasks/A.I.3/units/stttt", LEAD_FORM, htmx=True)
    assert response.status_code == 200 and "Đang rà soát" in response.get_data(as_text=True)


def test_a_supporter_sees_no_status_field(login):
    client = login(SUPPORT)
    form = client.get("/tasks/A.I.3/units/snv/edit", htmx=True).get_data(as_text=True)
    assert 'name="contribution_note"' in form
    for lead_field in ("status", "percent", "result", "evidence_number"):
        assert f'name="{lead_field}"' not in form


def test_a_unit_sees_only_its_own_rows(login):
    page = login(OUTSIDER).get("/my").get_data(as_text=True)
    # Công an tỉnh leads A.I.5 and A.I.13 and supports A.I.1; nothing else.
    for ref in ("A.I.1", "A.I.5", "A.I.13"):
        assert f'id="report-1958-qd-ubnd-{ref}-cat"' in page
    assert page.count('class="report-row') == 3


@pytest.fixture
def review_loop(session):
    """An open quarter with B.8.1 submitted by its lead (stttt) and an extension asked for."""
    from datetime import date

    from webapp.models import PeriodKind, Plan, Task, Unit, User
    from webapp.services.deadlines import request_extension
    from webapp.services.periods import open_period, submit

    user = {u.username: u for u in session.exec(select(User))}
    plan = session.exec(select(Plan)).one()
    period = open_period(session, plan=plan, kind=PeriodKind.QUARTER, label="Quý IV/2022",
                         starts_on=date(2022, 10, 1), ends_on=date(2022, 12, 31), deadline=date(2023, 1, 5),
                         user=user["snv-ra-soat"], today=date(2022, 11, 1))
    task = session.exec(select(Task).where(Task.ref == "B.8.1")).one()
    stttt = session.exec(select(Unit).where(Unit.code == "stttt")).one()
    copy = submit(session, period=period, task=task, unit=stttt, user=user["stttt"])
    extension = request_extension(session, task=task, unit=stttt, user=user["stttt"], new_due_on=date(2023, 6, 30),
                                  reason="Chờ hướng dẫn của Bộ", today=date(2022, 11, 1))
    return {"period": period.id, "copy": copy.id, "extension": extension.id}


PERIOD_FORM = {"kind": "quarter", "label": "Quý I/2023", "starts_on": "01/01/2023", "ends_on": "31/03/2023",
               "deadline": "05/04/2023"}

# Columns as in MATRIX: lead (stttt), support (snv), outsider (cat), reviewer, leader, admin.
REVIEW_MATRIX = [
    ("GET", "/review", None, (403, 403, 403, 200, 200, 200)),
    ("GET", "/review/periods", None, (403, 403, 403, 200, 200, 200)),
    ("GET", "/review/units/stttt", None, (403, 403, 403, 200, 200, 200)),
    ("GET", "/review/periods/{period}", None, (403, 403, 403, 200, 200, 200)),
    ("POST", "/tasks/B.8.1/units/stttt/submit", {"blank": "confirmed"}, (303, 403, 404, 403, 403, 403)),
    ("POST", "/tasks/B.8.1/units/snv/submit", {"blank": "confirmed"}, (403, 403, 404, 403, 403, 403)),
    ("POST", "/tasks/B.8.1/units/stttt/extension", {"new_due_on": "31/07/2023", "reason": "Lý do"},
     (200, 403, 404, 403, 403, 403)),  # the lead is told an extension is already waiting
    ("POST", "/my/submit", {}, (303, 303, 303, 403, 403, 403)),
    ("POST", "/review/reports/{copy}/return", {"comment": "Bổ sung"}, (403, 403, 403, 303, 403, 403)),
    ("POST", "/review/extensions/{extension}/approve", {"comment": ""}, (403, 403, 403, 303, 403, 403)),
    ("POST", "/tasks/A.I.4/due", {"due_on": "31/12/2023"}, (403, 403, 404, 303, 403, 403)),
    ("POST", "/review/periods/{period}/close", {"confirmed": "yes"}, (403, 403, 403, 303, 403, 303)),
    ("POST", "/review/periods", PERIOD_FORM, (403, 403, 403, 303, 403, 303)),
]


@pytest.mark.parametrize("who", list(ROLES))
def test_permission_matrix_of_periods_and_review(login, session, review_loop, who):
    client = login(ROLES[who])
    column = list(ROLES).index(who)
    for method, url, form, expected in REVIEW_MATRIX:
        url = url.format(**review_loop)
        want = expected[column]
        before = review_snapshot(session)
        response = client.get(url) if method == "GET" else client.post(url, form)
        assert response.status_code == want, f"{who} {method} {url}: {response.status_code}, expected {want}"
        if method == "POST" and want in (403, 404):
            assert review_snapshot(session) == before, f"{who} {method} {url} changed the database"


def review_snapshot(session):
    from webapp.models import Extension, Period, PeriodReport, Task

    session.rollback()
    return (
        snapshot(session),
        [(p.id, p.closed_at) for p in session.exec(select(Period))],
        [(c.id, c.state, c.review_comment) for c in session.exec(select(PeriodReport))],
        [(e.id, e.state) for e in session.exec(select(Extension))],
        [(t.id, t.set_due_on) for t in session.exec(select(Task))],
    )
