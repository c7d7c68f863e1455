"""A whole province, fast: each main page runs as many SQL statements for a small province as
for one several times its size — figures are gathered by a few set-wise queries, never a
query per row, unit, indicator or period — and long lists come a page at a time while their
counts cover every row."""

import re
from datetime import date

import pytest
from sqlalchemy import event, func
from sqlmodel import Session, select

from bench.province import LEADER, REVIEWER, build_province
from webapp.database import make_engine, writer
from webapp.extensions import db
from webapp.models import Assignment, Period, Role, Unit
from webapp.schema import upgrade
from webapp.services.periods import kept_standings

from .conftest import make_app
from .factories import UserClient

TODAY = date(2026, 11, 29)
SIZES = {"small": dict(tasks=40, units=20, periods=2), "larger": dict(tasks=160, units=60, periods=4)}


def _province(url: str, size: dict) -> str:
    engine = make_engine(url)
    upgrade(engine)
    try:
        with Session(writer(engine)) as session:
            build_province(session, seed=3, today=TODAY, **size)
    finally:
        engine.dispose()
    return url


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def provinces(request, databases):
    """The two sizes of province on one engine, built once for the module."""
    return {name: _province(databases.empty(request.param), size) for name, size in SIZES.items()}


class Counted:
    """The app on a province's database, counting the statements each request runs."""

    def __init__(self, url: str):
        self.app = make_app(url)
        self.statements = 0
        event.listen(db.engine(self.app), "before_cursor_execute", self._count)
        with Session(db.engine(self.app)) as session:
            self.closed = session.exec(select(Period.id).where(Period.closed_at.is_not(None))
                                       .order_by(Period.starts_on.desc())).first()
            self.busiest = session.exec(
                select(Unit.code).join(Assignment).where(Assignment.role == Role.LEAD)
                .group_by(Unit.id, Unit.code).order_by(func.count(Assignment.id).desc(), Unit.code)).first()
        self.clients = {}

    def _count(self, *args) -> None:
        self.statements += 1

    def client(self, username: str) -> UserClient:
        if username not in self.clients:
            client = UserClient(self.app.test_client())
            assert client.post("/login", data={"username": username, "password": "demo-1958"}).status_code == 303
            self.clients[username] = client
        return self.clients[username]

    def get(self, username: str, path: str):
        """The page, and the statements its second fetch ran (the first warms what is kept per app)."""
        client = self.client(username)
        client.get(path)
        self.app.extensions["fragments"].clear()  # a page as after a restart: nothing cached
        kept_standings(db.engine(self.app)).clear()
        self.statements = 0
        response = client.get(path)
        assert response.status_code == 200, path
        return response, self.statements

    def close(self) -> None:
        db.engine(self.app).dispose()


def pages(counted: Counted) -> dict[str, tuple[str, str]]:
    return {
        "dashboard": (LEADER, "/dashboard"),
        "dashboard of a closed period": (LEADER, f"/dashboard?period={counted.closed}"),
        "overview": (REVIEWER, "/tasks"),
        "overview, searched": (REVIEWER, "/tasks?q=thu+tuc"),
        "overview, second page": (REVIEWER, "/tasks?page=2"),
        "review desk": (REVIEWER, "/review"),
        "closed period": (REVIEWER, f"/review/periods/{counted.closed}"),
        "busiest unit's home": (counted.busiest, "/my"),
        "audit log": ("quan-tri", "/admin/audit"),
        "audit log of an account": ("quan-tri", "/admin/audit?username=snv"),
        "print view": (REVIEWER, "/exports/print"),
    }


def test_each_page_runs_as_many_statements_at_either_size(provinces):
    found = {}
    for name, url in provinces.items():
        counted = Counted(url)
        try:
            found[name] = {page: counted.get(*spec)[1] for page, spec in pages(counted).items()}
        finally:
            counted.close()
    assert found["small"] == found["larger"]
    assert max(found["larger"].values()) <= 40, found["larger"]


SUMMARY = re.compile(r'<p class="summary">(\d+) nhiệm vụ')
ROW = re.compile(r'<tr class="is-')


def test_long_lists_come_a_page_at_a_time_counting_every_row(provinces):
    counted = Counted(provinces["larger"])
    try:
        first, _ = counted.get(REVIEWER, "/tasks")
        html = first.get_data(as_text=True)
        assert SUMMARY.search(html).group(1) == "160"
        assert len(ROW.findall(html)) == 100 and "Trang 1/2 (1–100 trên 160)" in html
        second, _ = counted.get(REVIEWER, "/tasks?page=2")
        assert len(ROW.findall(second.get_data(as_text=True))) == 60
        # A page past the end shows the last; a page that is not a number, the first.
        assert "Trang 2/2" in counted.get(REVIEWER, "/tasks?page=99")[0].get_data(as_text=True)
        assert "Trang 1/2" in counted.get(REVIEWER, "/tasks?page=abc")[0].get_data(as_text=True)
        standing = counted.get(REVIEWER, f"/review/periods/{counted.closed}")[0].get_data(as_text=True)
        assert "<dt>Tổng số</dt><dd>160</dd>" in standing and "Trang 1/2" in standing
    finally:
        counted.close()


PAGER = re.compile(r"Trang (\d+)/(\d+) \((\d+)–(\d+) trên (\d+)\)")


def _lines(html: str, table_class: str) -> int:
    """The rows of a table's body."""
    body = html.split(f'class="rows {table_class}"', 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return body.count("<tr")


def _pager_of(html: str, section_id: str) -> tuple[int, ...]:
    """(page, pages, first, last, total) of the pager inside a section."""
    section = html.split(f'<section id="{section_id}"', 1)[1].split("</section>", 1)[0]
    return tuple(int(n) for n in PAGER.search(section).groups())


def test_the_dashboard_and_the_desk_show_their_units_a_page_at_a_time(provinces, monkeypatch):
    """The dashboard's and the desk's unit tables and the dashboard's rows needing attention
    come a page at a time (here 20 units a page instead of 50, for a province of 60 units),
    each list with its own page in the URL and swapped alone by htmx."""
    monkeypatch.setattr("webapp.dashboard.routes.UNIT_LINES_PAGE_SIZE", 20)
    monkeypatch.setattr("webapp.review.routes.DESK_UNITS_PAGE_SIZE", 20)
    counted = Counted(provinces["larger"])
    try:
        with Session(db.engine(counted.app)) as session:
            leading = session.exec(select(func.count(func.distinct(Assignment.unit_id)))
                                   .where(Assignment.role == Role.LEAD)).one()
            assigned = session.exec(select(func.count(func.distinct(Assignment.unit_id)))).one()
        for who, path, table, total in ((LEADER, "/dashboard", "view-unit-progress", leading),
                                        (REVIEWER, "/review", "view-units", assigned)):
            pages = -(-total // 20)
            assert pages >= 3
            first = counted.get(who, path)[0].get_data(as_text=True)
            assert _lines(first, table) == 20 and _pager_of(first, "unit-lines") == (1, pages, 1, 20, total)
            last = counted.get(who, f"{path}?units_page={pages}")[0].get_data(as_text=True)
            assert _lines(last, table) == total - 20 * (pages - 1)
            assert _pager_of(last, "unit-lines") == (pages, pages, 20 * (pages - 1) + 1, total, total)
            swapped = counted.client(who).get(f"{path}?units_page=2",
                                              headers={"HX-Request": "true", "HX-Target": "unit-lines"})
            fragment = swapped.get_data(as_text=True)
            assert "<html" not in fragment and fragment.count('<section id="unit-lines"') == 1
            assert _lines(fragment, table) == 20 and _pager_of(fragment, "unit-lines")[0] == 2
        board = counted.get(LEADER, "/dashboard")[0].get_data(as_text=True)
        needing = int(re.search(r"Cần chú ý \((\d+)\)", board).group(1))
        assert needing > 20
        attention = board.split('<section id="attention"', 1)[1].split("</section>", 1)[0]
        assert attention.count("<li>") == 20 and _pager_of(board, "attention")[-1] == needing
        swapped = counted.client(LEADER).get("/dashboard?attention_page=2",
                                             headers={"HX-Request": "true", "HX-Target": "attention"})
        fragment = swapped.get_data(as_text=True)
        assert "<html" not in fragment and fragment.count("<li>") == min(20, needing - 20)
    finally:
        counted.close()


# Tables that grow with the province: a page must reach their rows through an index.
GROWING = {"report", "assignment", "periodreport", "periodtaskstatus", "reportchange", "auditevent", "attachment",
           "periodattachment", "indicatorvalue", "extension", "task"}


def _scanned(plan: dict) -> set[str]:
    """The growing tables a query plan reads whole."""
    found = set()
    if plan.get("Node Type") == "Seq Scan" and plan.get("Relation Name") in GROWING:
        found.add(plan["Relation Name"])
    for child in plan.get("Plans", ()):
        found |= _scanned(child)
    return found


@pytest.mark.parametrize("provinces", ["postgresql"], indirect=True)
def test_every_statement_of_the_main_pages_finds_its_rows_by_an_index(provinces):
    """On PostgreSQL (EXPLAIN's plans are its own), with sequential scans priced out, every
    statement the main pages run still reaches the growing tables through an index."""
    counted = Counted(provinces["larger"])
    seen = []
    event.listen(db.engine(counted.app), "before_cursor_execute",
                 lambda conn, cursor, statement, parameters, *rest: seen.append((statement, parameters)))
    try:
        for spec in pages(counted).values():
            counted.get(*spec)
        selects = {(statement, repr(parameters)): (statement, parameters) for statement, parameters in seen
                   if statement.lstrip().upper().startswith("SELECT")}
        assert len(selects) > 30
        raw = db.engine(counted.app).raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute("SET enable_seqscan = off")
            scans = {}
            for statement, parameters in selects.values():
                cursor.execute("EXPLAIN (FORMAT JSON) " + statement, parameters)
                tables = _scanned(cursor.fetchone()[0][0]["Plan"])
                if tables:
                    scans[statement[:160]] = tables
        finally:
            raw.close()
        assert not scans, scans
    finally:
        counted.close()


def test_a_closed_periods_figures_counted_by_the_database_are_those_frozen(provinces):
    """The closed period's page counts with GROUP BY what closing froze, row by row and lead by lead."""
    from webapp.services.periods import frozen_standing, period_figures

    engine = make_engine(provinces["larger"])
    try:
        with Session(engine) as session:
            closed = session.exec(select(Period).where(Period.closed_at.is_not(None))).all()
            assert len(closed) == 4
            for period in closed:
                standing = frozen_standing(session, period=period)
                figures = period_figures(session, period=period, today=TODAY, number=2, size=50)
                assert figures.row_counts == standing.row_counts() and figures.rows.total == 160
                assert figures.lead_counts == standing.lead_counts() and figures.leads == len(standing.leads)
                assert [row.task.id for row in figures.rows.items] == [row.task.id for row in standing.rows[50:100]]
                assert [row.status for row in figures.rows.items] == [row.status for row in standing.rows[50:100]]
    finally:
        engine.dispose()
