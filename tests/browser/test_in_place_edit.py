"""What HTMX does in a real browser: edit in place, cancel, filter, and an expired session."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import AT_DESKTOP, AT_PHONE, log_in, ready, settled

ROW = "#report-1958-qd-ubnd-A\\.I\\.3-stttt"


def mark_page(page) -> None:
    """A flag that a full page load would wipe out."""
    page.evaluate("window.__noReload = true")


def still_same_page(page) -> bool:
    return page.evaluate("window.__noReload === true")


def test_a_unit_edits_a_row_in_place(page, live_server, shoot):
    log_in(page, live_server, "stttt")
    expect(page).to_have_url(re.compile(r"/my$"))
    shoot("my-rows")
    mark_page(page)
    row = page.locator(ROW)
    row.get_by_role("link", name="Cập nhật").click()
    expect(row.locator("form.report-form")).to_be_visible()
    settled(page)
    shoot("edit-row", full_page=False)
    row.get_by_label("Tình trạng").select_option("in_progress")
    row.get_by_label("Tỷ lệ hoàn thành (%)").fill("45")
    row.get_by_label("Kết quả thực hiện").fill("Đã rà soát 12 quy trình điện tử")
    row.get_by_role("button", name="Lưu").click()
    expect(row.locator("form.report-form")).to_have_count(0)
    expect(row).to_contain_text("45%")
    expect(row).to_contain_text("Đã rà soát 12 quy trình điện tử")
    expect(row).to_contain_text("Đang thực hiện")
    assert still_same_page(page), "the row was updated without a full page load"
    shoot("row-saved")


@AT_PHONE
def test_validation_errors_show_inside_the_row(page, live_server):
    log_in(page, live_server, "stttt")
    row = page.locator(ROW)
    row.get_by_role("link", name="Cập nhật").click()
    expect(row.locator("form.report-form")).to_be_visible()
    settled(page)
    row.get_by_label("Tỷ lệ hoàn thành (%)").fill("250")
    row.get_by_role("button", name="Lưu").click()
    expect(row).to_contain_text("Tỷ lệ hoàn thành là một số nguyên từ 0 đến 100.")
    expect(row.get_by_label("Tỷ lệ hoàn thành (%)")).to_have_value("250")


@AT_DESKTOP
def test_cancel_and_escape_restore_the_row(page, live_server):
    log_in(page, live_server, "stttt")
    row = page.locator(ROW)
    row.get_by_role("link", name="Cập nhật").click()
    settled(page)
    row.get_by_role("link", name="Hủy").click()
    expect(row.locator("form.report-form")).to_have_count(0)
    settled(page)
    row.get_by_role("link", name="Cập nhật").click()
    settled(page)
    row.get_by_label("Kết quả thực hiện").press("Escape")
    expect(row.locator("form.report-form")).to_have_count(0)
    expect(row.get_by_role("link", name="Cập nhật")).to_be_focused()


@AT_PHONE
def test_a_supporter_sees_no_status_field(page, live_server, shoot):
    log_in(page, live_server, "snv")
    row = page.locator("#report-1958-qd-ubnd-A\\.I\\.3-snv")
    row.get_by_role("link", name="Cập nhật").click()
    settled(page)
    expect(row.get_by_label("Ý kiến, kết quả phối hợp")).to_be_visible()
    expect(row.locator("select[name=status]")).to_have_count(0)
    expect(row.locator("input[name=percent]")).to_have_count(0)
    row.get_by_label("Ý kiến, kết quả phối hợp").fill("Đã cử cán bộ đầu mối phối hợp")
    row.get_by_role("button", name="Lưu").click()
    expect(row).to_contain_text("Đã cử cán bộ đầu mối phối hợp")
    shoot("supporter-saved", full_page=False)


def test_search_and_filters_update_the_list_and_the_url(page, live_server):
    log_in(page, live_server, "stttt")
    mark_page(page)
    page.get_by_label("Tìm").fill("so hoa")
    expect(page).to_have_url(re.compile(r"q=so(\+|%20)hoa"))
    expect(page.locator("#report-1958-qd-ubnd-A\\.I\\.7-stttt")).to_be_visible()
    expect(page.locator(ROW)).to_have_count(0)
    assert still_same_page(page)
    page.go_back()
    expect(page.locator(ROW)).to_be_visible()
    ready(page)
    page.go_forward()
    expect(page.locator(ROW)).to_have_count(0)
    expect(page.locator("body > header")).to_be_visible()  # a whole page, never a bare fragment


@AT_DESKTOP
def test_a_reviewer_and_a_leader_see_the_whole_plan(page, live_server, shoot):
    log_in(page, live_server, "snv-ra-soat")
    expect(page).to_have_url(re.compile(r"/review$"))  # the reviewer starts at the desk
    page.goto(f"{live_server}/tasks")
    expect(page.locator("#results")).to_contain_text("58 nhiệm vụ")
    shoot("overview")
    log_in(page, live_server, "lanh-dao")
    page.goto(f"{live_server}/tasks/A.I.5")
    expect(page.get_by_role("heading", name=re.compile("Nhiệm vụ A.I.5"))).to_be_visible()
    expect(page.get_by_role("link", name="Cập nhật")).to_have_count(0)  # read only
    shoot("task-page")


@AT_PHONE
def test_an_expired_session_goes_to_the_login_page_not_into_the_row(page, live_server):
    log_in(page, live_server, "stttt")
    page.context.clear_cookies()
    page.locator(ROW).get_by_role("link", name="Cập nhật").click()
    expect(page).to_have_url(re.compile(r"/login\?next=/my"))
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    expect(page.locator("tr form.report-form")).to_have_count(0)


@AT_PHONE
@pytest.mark.parametrize(("user", "paths"), [
    ("stttt", ("/my", "/tasks/A.I.3", "/tasks/B.8.1/units/stttt/extension")),
    ("snv-ra-soat", ("/tasks", "/review", "/review/periods", "/review/units/stttt", "/tasks/A.I.4")),
])
def test_no_page_scrolls_sideways_on_a_phone(page, live_server, viewport, user, paths):
    log_in(page, live_server, user)
    for path in paths:
        page.goto(live_server + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= viewport["width"], f"{path} is {width}px wide"
        small = page.evaluate("""() => [...document.querySelectorAll('a, button, select, input, textarea, summary')]
            .filter(e => e.offsetParent !== null && !e.classList.contains('skip'))
            .filter(e => e.getBoundingClientRect().height < 44).map(e => e.outerHTML.slice(0, 80))""")
        assert small == [], f"every tap target on {path} is at least 44px tall"
