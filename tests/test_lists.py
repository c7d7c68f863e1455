"""The unit's home and the plan overview: grouping, filters, search, and a fixed query count."""

import re

from sqlalchemy import event
from sqlmodel import select

from webapp.extensions import db
from webapp.models import (
    Assignment,
    Plan,
    Report,
    ReportStatus,
    Role,
    Section,
    Task,
    Unit,
)
from webapp.services.periods import kept_standings

from .factories import save_report


def refs_in(page: str, unit: str) -> list[str]:
    return re.findall(rf'id="report-1958-qd-ubnd-([A-Z.IV0-9]+)-{unit}"', page)


def test_a_units_rows_are_grouped_by_section_lead_rows_first(login, session):
    page = login("vpubnd").get("/my").get_data(as_text=True)
    refs = refs_in(page, "vpubnd")
    a_one = [r for r in refs if r.startswith("A.I.")]
    roles = dict(session.exec(
        select(Task.ref, Assignment.role).join(Assignment).join(Unit).where(Unit.code == "vpubnd")).all())
    leads = [r for r in a_one if roles[r] == Role.LEAD]
    assert a_one == leads + [r for r in a_one if roles[r] == Role.SUPPORT]
    assert leads[:3] == ["A.I.2", "A.I.8", "A.I.9"] and "A.I.11" not in leads  # named as a supporter there
    sections = [r.rsplit(".", 1)[0] for r in refs]
    assert sections == sorted(sections, key=lambda s: ["A.I", "A.II", "A.III", *[f"B.{n}" for n in range(1, 9)]].index(s))
    assert page.count('<tr class="group">') == len(set(sections))


def test_filters_by_role_section_status_and_overdue(login, session):
    client = login("stttt")
    leads = refs_in(client.get("/my?role=lead").get_data(as_text=True), "stttt")
    supports = refs_in(client.get("/my?role=support").get_data(as_text=True), "stttt")
    assert "A.I.3" in leads and "A.I.1" in supports and not set(leads) & set(supports)
    assert set(refs_in(client.get("/my?section=B.8").get_data(as_text=True), "stttt")) == {"B.8.1", "B.8.2", "B.8.3"}
    waiting = refs_in(client.get("/my?status=waiting").get_data(as_text=True), "stttt")
    assert "A.I.4" in waiting and "B.8.1" not in waiting
    overdue = refs_in(client.get("/my?overdue=1").get_data(as_text=True), "stttt")
    assert "B.8.1" in overdue and "A.I.4" not in overdue  # due 31/12/2022 vs waiting for guidance


def test_search_ignores_diacritics(login):
    client = login("stttt")
    found = refs_in(client.get("/my?q=so+hoa").get_data(as_text=True), "stttt")
    assert "A.I.7" in found  # "Hướng dẫn triển khai quy trình số hóa…"
    assert "A.I.3" not in found
    assert refs_in(client.get("/my?q=SỐ+HÓA").get_data(as_text=True), "stttt") == found
    assert refs_in(client.get("/my?q=B.8.2").get_data(as_text=True), "stttt") == ["B.8.2"]


def test_filtering_through_htmx_returns_only_the_results(login):
    client = login("stttt")
    response = client.get("/my?role=lead&q=ket+noi", htmx=True)
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<section id="results"') and "<html" not in body
    page = client.get("/my").get_data(as_text=True)
    assert 'hx-push-url="true"' in page and 'hx-target="#results"' in page


def test_overview_shows_derived_row_status_and_who_reported(login, session):
    stttt, cat, skhdt = (session.exec(select(Unit).where(Unit.code == c)).one() for c in ("stttt", "cat", "skhdt"))
    task = session.exec(select(Task).where(Task.ref == "A.I.5")).one()  # three leads
    session.add(Report(task_id=task.id, unit_id=stttt.id, status=ReportStatus.DONE, percent=100, version=1))
    session.add(Report(task_id=task.id, unit_id=cat.id, status=ReportStatus.IN_PROGRESS, percent=50, version=1))
    session.commit()
    page = login("lanh-dao").get("/tasks?q=A.I.5").get_data(as_text=True)
    assert "2/3" in page  # two of the three leads have reported
    assert "Chờ hướng dẫn" in page  # one done, one under way, no date yet: the row waits (not done)
    blocked = Report(task_id=task.id, unit_id=skhdt.id, status=ReportStatus.BLOCKED, difficulties="Chưa có hướng dẫn",
                     version=1)
    session.add(blocked)
    session.commit()
    assert "Có vướng mắc" in login("lanh-dao").get("/tasks?q=A.I.5").get_data(as_text=True)


def test_overview_filters(login):
    client = login("snv-ra-soat")
    page = client.get("/tasks?unit=cat").get_data(as_text=True)
    assert re.findall(r'href="/tasks/([A-Z.IV0-9]+)\?plan=1958-qd-ubnd"', page) == ["A.I.1", "A.I.5", "A.I.13"]
    waiting = client.get("/tasks?status=waiting").get_data(as_text=True)
    assert "A.I.3" in waiting and "A.I.1" not in waiting
    assert "A.III.9" not in client.get("/tasks?section=A.I").get_data(as_text=True)


def count_queries(app, client, url: str) -> int:
    """The statements a page runs when nothing is kept from an earlier request."""
    statements = []
    engine = db.engine(app)
    app.extensions["fragments"].clear()
    kept_standings(db.engine(app)).clear()

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return len(statements)


def test_the_overview_runs_a_fixed_number_of_queries(app, login, session):
    client = login("lanh-dao")
    before = count_queries(app, client, "/tasks")
    # Twice the rows, more units and reports: the same number of queries.
    section = session.exec(select(Section).where(Section.code == "A.III")).one()
    units = session.exec(select(Unit)).all()
    for n in range(60):
        task = Task(plan_id=section.plan_id, section_id=section.id, ref=f"A.III.{100 + n}", position=100 + n,
                    content=f"Nhiệm vụ thêm {n}", lead_text="Sở, ban, ngành")
        session.add(task)
        session.flush()
        for unit in units:
            session.add(Assignment(task_id=task.id, unit_id=unit.id, role=Role.LEAD))
            session.add(Report(task_id=task.id, unit_id=unit.id, status=ReportStatus.IN_PROGRESS, version=1))
    session.get(Plan, section.plan_id).revision += 1  # as loading a plan does when rows change
    session.commit()
    assert count_queries(app, client, "/tasks") == before
    assert count_queries(app, client, "/tasks?status=overdue&q=nhiem+vu") == before


def test_the_overview_shows_a_save_at_once(login):
    leader = login("lanh-dao")
    before = leader.get("/tasks?q=B.8.1").get_data(as_text=True)
    assert "Chưa hoàn thành" in before and "0/1" in before
    login("stttt").post("/tasks/B.8.1/units/stttt", {
        "version": "0", "status": "done", "percent": "100", "result": "Đã hướng dẫn", "evidence_number": "",
        "evidence_date": "", "difficulties": "", "proposals": "", "contribution_note": ""})
    page = leader.get("/tasks?q=B.8.1").get_data(as_text=True)
    assert "Hoàn thành" in page and "1/1" in page


def test_a_tasks_history_comes_a_page_at_a_time(login):
    """A recurring row reported on for years has thousands of changes: the task page shows the
    newest 50 and «Xem thêm» brings the next ones in place."""
    unit = login("stttt")
    for version in range(60):
        save_report(unit, "A.I.3", "stttt", version, result=f"Lần cập nhật {version + 1}")
    reviewer = login("snv-ra-soat")
    page = reviewer.get("/tasks/A.I.3").get_data(as_text=True)
    assert page.count('<li><span class="when">') == 50
    assert "<ins>Lần cập nhật 60</ins>" in page and "<ins>Lần cập nhật 10</ins>" not in page
    more = re.search(r'hx-get="(/tasks/A\.I\.3\?history=50)"', page).group(1)
    total = int(re.search(r"\((\d+) thay đổi\)", page).group(1))
    assert f"Xem thêm {total - 50} thay đổi cũ hơn" in page
    rest = reviewer.get(more, htmx=True).get_data(as_text=True)
    assert "<html" not in rest and rest.count('<li><span class="when">') == min(50, total - 50)
    assert "<ins>Lần cập nhật 10</ins>" in rest
    # Without JavaScript the same link opens the page from there on.
    assert "<ins>Lần cập nhật 10</ins>" in reviewer.get(more).get_data(as_text=True)
    assert reviewer.get("/tasks/A.I.3?history=abc").status_code == 400


def test_a_filter_that_finds_nothing_offers_the_way_back(login):
    """The results are swapped without the filter bar, so the empty list itself offers «Bỏ lọc»."""
    unit = login("stttt").get("/my?q=khong-co-viec-nay", htmx=True).get_data(as_text=True)
    assert 'Không có nhiệm vụ nào khớp với bộ lọc. <a href="/my">Bỏ lọc</a>' in unit
    overview = login("snv-ra-soat").get("/tasks?q=khong-co-viec-nay", htmx=True).get_data(as_text=True)
    assert 'Không có nhiệm vụ nào khớp với bộ lọc. <a href="/tasks">Bỏ lọc</a>' in overview
