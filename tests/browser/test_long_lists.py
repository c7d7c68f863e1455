"""Long lists a page at a time, in a real browser: the page is named in the URL, Back goes back
to the page before, a new search starts again at the first page, the counts cover every row,
and a row on a later page is edited in place like any other — each at the width its person
mostly uses."""

import re

from playwright.sync_api import expect

from webapp.dashboard import routes as dashboard_routes
from webapp.services import rows
from webapp.units import routes as unit_routes

from .conftest import AT_DESKTOP, AT_PHONE, log_in, ready, settled
from .test_daily_use import save

ROW_REF = "table.rows tbody tr:not(.group) a.ref"


@AT_DESKTOP
def test_the_overview_pages_keep_their_place_and_their_counts(page, live_server, monkeypatch, shoot):
    monkeypatch.setattr(rows, "OVERVIEW_PAGE_SIZE", 20)  # plan 1958's 58 rows: three pages
    log_in(page, live_server, "snv-ra-soat")
    page.goto(f"{live_server}/tasks")
    ready(page)
    summary = page.locator("#results .summary")
    expect(summary).to_contain_text("58 nhiệm vụ")
    pager = page.get_by_role("navigation", name="Trang của danh sách")
    expect(pager).to_contain_text("Trang 1/3 (1–20 trên 58)")
    first_refs = page.locator(ROW_REF).all_inner_texts()
    assert len(first_refs) == 20
    pager.get_by_role("link", name="Trang sau →").click()
    settled(page)
    expect(page).to_have_url(re.compile(r"page=2"))
    expect(pager).to_contain_text("Trang 2/3 (21–40 trên 58)")
    expect(summary).to_contain_text("58 nhiệm vụ")  # the counts still cover every row
    expect(summary).to_be_focused()  # the new page is read from its top
    second_refs = page.locator(ROW_REF).all_inner_texts()
    assert len(second_refs) == 20 and not set(second_refs) & set(first_refs)
    shoot("overview-page-2")
    page.go_back()
    ready(page)
    expect(pager).to_contain_text("Trang 1/3")
    assert page.locator(ROW_REF).all_inner_texts() == first_refs
    page.go_forward()
    ready(page)
    expect(pager).to_contain_text("Trang 2/3")
    # A new search starts from the first page of what it finds.
    page.get_by_label("Tìm").fill("một cửa")
    settled(page)
    expect(page).not_to_have_url(re.compile(r"page="))
    found = int(re.match(r"(\d+)", summary.inner_text()).group(1))
    assert 0 < found < 58
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@AT_PHONE
def test_a_row_on_a_later_page_of_a_units_home_saves_in_place(page, live_server, monkeypatch):
    monkeypatch.setattr(unit_routes, "HOME_PAGE_SIZE", 20)  # the unit's 52 rows: three pages
    log_in(page, live_server, "stttt")
    page.goto(f"{live_server}/my?page=2")
    ready(page)
    pager = page.get_by_role("navigation", name="Trang của danh sách")
    expect(pager).to_contain_text("Trang 2/3 (21–40 trên 52)")
    expect(page.locator("#results .summary")).to_contain_text("52 nhiệm vụ")
    row_id = page.locator("tr.report-row", has=page.get_by_role("link", name="Cập nhật")).first.get_attribute("id")
    save(page, page.locator(f"[id='{row_id}']"), "45", "Đã làm xong phần việc của trang hai")
    expect(page.locator(f"[id='{row_id}']")).to_contain_text("Đã làm xong phần việc của trang hai")
    expect(page).to_have_url(re.compile(r"page=2"))
    expect(pager).to_contain_text("Trang 2/3")
    page.reload()
    ready(page)
    expect(page.locator(f"[id='{row_id}']")).to_contain_text("Đã làm xong phần việc của trang hai")
    pager.get_by_role("link", name="← Trang trước").click()
    settled(page)
    expect(pager).to_contain_text("Trang 1/3 (1–20 trên 52)")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@AT_PHONE
def test_the_dashboards_unit_table_turns_its_pages_alone(page, live_server, monkeypatch, shoot):
    """Two lists on one page: turning the units' page swaps only their table, in place (the
    address names neither list's page, so it never names one and not the other), the rows
    needing attention stay as they were, and the keyboard goes to the new page's heading."""
    monkeypatch.setattr(dashboard_routes, "UNIT_LINES_PAGE_SIZE", 5)
    log_in(page, live_server, "lanh-dao")
    page.goto(f"{live_server}/dashboard")
    ready(page)
    units = page.locator("#unit-lines")
    pager = units.get_by_role("navigation", name="Trang của bảng đơn vị")
    expect(pager).to_contain_text(re.compile(r"Trang 1/\d+ \(1–5 trên \d+\)"))
    first = units.locator("tbody tr").all_inner_texts()
    attention = page.locator("#attention").inner_html()
    pager.get_by_role("link", name="Trang sau →").click()
    settled(page)
    expect(pager).to_contain_text(re.compile(r"Trang 2/\d+ \(6–10 trên \d+\)"))
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    assert units.locator("tbody tr").count() == 5 and units.locator("tbody tr").all_inner_texts() != first
    assert page.locator("#attention").inner_html() == attention
    expect(page.locator("#units-title")).to_be_focused()
    shoot("dashboard-units-page-2")
    page.reload()
    ready(page)
    expect(pager).to_contain_text("Trang 1/")
    assert units.locator("tbody tr").all_inner_texts() == first
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
