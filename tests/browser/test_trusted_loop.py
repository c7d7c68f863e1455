"""The review loop that can be trusted, in a real browser: sending several asks and leaves
reports never filled in; a change after acceptance goes back to the queue; closing asks and
can be undone; every headline figure is the sum of its buckets; a unit sees the rows of two
plans in one list."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from webapp.extensions import db

from ..conftest import load_1958, make_app
from ..factories import UserClient
from ..test_import import SECOND_PLAN, upload, xlsx_bytes
from .conftest import AT_PHONE, DESKTOP, PHONE, log_in, new_page, screenshot, serve, settled
from .test_review_loop import open_quarter


@pytest.fixture
def two_plans_server(databases):
    """Plan 1958 and a second plan imported by the administrator, served."""
    app = make_app(databases.with_plan("sqlite", load_1958))
    admin = UserClient(app.test_client())
    admin.post("/login", {"username": "quan-tri", "password": "demo-1958"})
    admin.forget_token()
    preview = upload(admin, "ke-hoach.xlsx", xlsx_bytes(SECOND_PLAN), number="15/KH-UBND")
    assert admin.post(preview.headers["Location"], {"action": "commit"}).status_code == 303
    server = serve(app)
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    db.engine(app).dispose()


def _fill_row(page, row, percent: str, result: str) -> None:
    row.get_by_role("link", name="Cập nhật").click()
    settled(page)
    row.get_by_label("Tình trạng").select_option("in_progress")
    row.get_by_label("Tỷ lệ hoàn thành (%)").fill(percent)
    row.get_by_label("Kết quả thực hiện").fill(result)
    row.get_by_role("button", name="Lưu").click()
    settled(page)


def test_sending_all_asks_and_leaves_reports_never_filled_in(browser, live_server):
    reviewer, unit = new_page(browser, DESKTOP), new_page(browser, PHONE)
    log_in(reviewer, live_server, "snv-ra-soat")
    open_quarter(reviewer, live_server)
    log_in(unit, live_server, "skhdt")
    _fill_row(unit, unit.locator("#report-1958-qd-ubnd-B\\.4\\.1-skhdt"), "30", "Đã dự thảo kế hoạch vốn")
    unit.get_by_role("link", name="Gửi báo cáo kỳ…").click()
    expect(unit.get_by_role("heading", name="Sẽ gửi 1 báo cáo")).to_be_visible()
    expect(unit.locator("body")).to_contain_text("chưa có nội dung: không gửi")
    screenshot(unit, "send-all")
    unit.get_by_role("button", name="Gửi 1 báo cáo").click()
    expect(unit.locator("#flash")).to_contain_text("Đã gửi 1 báo cáo.")
    expect(unit.locator("#flash")).to_contain_text("chưa có nội dung không được gửi")
    # One row sent on its own while empty: the row asks first.
    blank = unit.locator("#report-1958-qd-ubnd-B\\.4\\.2-skhdt")
    blank.get_by_role("button", name="Gửi báo cáo").click()
    expect(blank).to_contain_text("Báo cáo này chưa có nội dung")
    blank.get_by_role("button", name="Vẫn gửi báo cáo trống").click()
    expect(blank).to_contain_text("Đã gửi, chờ duyệt")
    reviewer.goto(f"{live_server}/review")
    expect(reviewer.get_by_role("heading", name="Chờ duyệt (2)")).to_be_visible()
    reviewer.context.close()
    unit.context.close()


def test_a_change_after_acceptance_goes_back_to_the_queue(browser, live_server):
    reviewer, unit = new_page(browser, PHONE), new_page(browser, DESKTOP)
    log_in(reviewer, live_server, "snv-ra-soat")
    open_quarter(reviewer, live_server)
    log_in(unit, live_server, "stttt")
    row = unit.locator("#report-1958-qd-ubnd-B\\.8\\.1-stttt")
    _fill_row(unit, row, "40", "Đã hướng dẫn 4 huyện")
    row.get_by_role("button", name="Gửi báo cáo").click()
    expect(row).to_contain_text("Đã gửi, chờ duyệt")
    reviewer.goto(f"{live_server}/review")
    reviewer.locator("tr.queue-row", has_text="B.8.1").get_by_role("button", name="Chấp nhận").click()
    expect(reviewer.locator("tr.queue-row", has_text="B.8.1")).to_contain_text("Đã chấp nhận")

    unit.reload()
    row = unit.locator("#report-1958-qd-ubnd-B\\.8\\.1-stttt")
    _fill_row(unit, row, "45", "Đã hướng dẫn 5 huyện")
    expect(row).to_contain_text("Đã chấp nhận · Quý IV/2026: 40%")
    expect(row).to_contain_text("đã sửa sau khi gửi (tỷ lệ hoàn thành nay 45%; kết quả thực hiện): cần gửi lại")
    screenshot(unit, "changed-after-acceptance", full_page=False)
    row.get_by_role("button", name="Gửi lại").click()
    expect(row).to_contain_text("đã chấp nhận trước đó: 40%")

    reviewer.goto(f"{live_server}/review")
    queued = reviewer.locator("tr.queue-row", has_text="B.8.1")
    expect(queued).to_contain_text("bản đã chấp nhận: 40%")
    queued.get_by_role("button", name="Chấp nhận").click()
    expect(reviewer.locator("tr.queue-row", has_text="B.8.1")).to_contain_text("Đã chấp nhận")
    reviewer.context.close()
    unit.context.close()


def test_closing_asks_and_can_be_undone(browser, live_server):
    reviewer, unit = new_page(browser, DESKTOP), new_page(browser, PHONE)
    log_in(reviewer, live_server, "snv-ra-soat")
    open_quarter(reviewer, live_server)
    log_in(unit, live_server, "stttt")
    row = unit.locator("#report-1958-qd-ubnd-B\\.8\\.1-stttt")
    _fill_row(unit, row, "50", "Đang triển khai")
    row.get_by_role("button", name="Gửi báo cáo").click()
    expect(row).to_contain_text("Đã gửi, chờ duyệt")

    reviewer.goto(f"{live_server}/review/periods")
    reviewer.get_by_role("link", name="Đóng kỳ và chốt số liệu…").click()
    expect(reviewer.get_by_role("heading", name=re.compile(r"Đóng kỳ Quý IV.2026"))).to_be_visible()
    expect(reviewer.locator("main")).to_contain_text("1 báo cáo đang chờ duyệt")
    if date.today() < date(2026, 12, 31):
        expect(reviewer.locator("main")).to_contain_text("Kỳ chưa kết thúc")
    screenshot(reviewer, "close-period")
    reviewer.get_by_role("button", name="Đóng kỳ và chốt số liệu").click()
    expect(reviewer.locator("#flash")).to_contain_text("Đã đóng kỳ «Quý IV/2026»")
    reviewer.get_by_label("Lý do mở lại kỳ").fill("Đóng nhầm khi còn báo cáo chờ duyệt")
    reviewer.get_by_role("button", name="Mở lại kỳ").click()
    expect(reviewer.locator("#flash")).to_contain_text("Đã mở lại kỳ «Quý IV/2026»")
    reviewer.goto(f"{live_server}/review")
    expect(reviewer.locator("tr.queue-row", has_text="B.8.1")).to_be_visible()
    reviewer.context.close()
    unit.context.close()


def _pairs(labels: list[str], numbers: list[str]) -> dict[str, int]:
    return {label.strip(): int(number.strip()) for label, number in zip(labels, numbers)}


def test_every_headline_figure_is_the_sum_of_its_buckets(browser, demo_server):
    """The dashboard (today and two periods), the print report and the period page agree."""
    page = new_page(browser, DESKTOP)
    log_in(page, demo_server, "snv-ra-soat")
    page.goto(f"{demo_server}/dashboard")
    periods = page.locator("#period option").evaluate_all("options => options.map(o => o.value).filter(Boolean)")
    for query in ("", f"?period={periods[0]}", f"?period={periods[4]}"):
        page.goto(f"{demo_server}/dashboard{query}")
        total, done, overdue, _ = [int(n) for n in page.locator(".glance .number").all_inner_texts()[:4]]
        legend = page.locator("#toan-bo-cap .legend")
        buckets = _pairs(legend.locator("dt").all_inner_texts(), legend.locator("dd").all_inner_texts())
        assert sum(buckets.values()) == total, query
        assert buckets["Hoàn thành đúng hạn"] + buckets["Hoàn thành quá hạn"] == done, query
        assert buckets["Chưa hoàn thành, quá hạn"] == overdue > 0 and done > 0, query  # a record, not an empty plan
        page.goto(f"{demo_server}/exports/print{query}")
        printed = dict(line.rsplit(": ", 1) for line in page.locator(".print-report > ul").first
                       .locator("li").all_inner_texts())
        assert {label: int(n) for label, n in printed.items()} == buckets, query
        if query:
            page.goto(f"{demo_server}/review/periods/{query.split('=')[1]}")
            figures = page.locator(".counts section").first.locator("dl.figures")
            standing = _pairs(figures.locator("dt").all_inner_texts(), figures.locator("dd").all_inner_texts())
            assert standing.pop("Tổng số") == total and standing == buckets, query
    page.context.close()


@AT_PHONE
def test_a_unit_sees_two_plans_in_one_list(page, two_plans_server):
    log_in(page, two_plans_server, "stttt")
    expect(page.get_by_role("heading", name=re.compile(r"Kế hoạch số 15.KH-UBND"))).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile(r"Kế hoạch số 1958.QĐ-UBND"))).to_be_visible()
    screenshot(page, "two-plans-home")
    if not page.locator("#filter-plan").is_visible():  # folded on a phone
        page.locator("details.filter-more summary").click()
    page.locator("#filter-plan").select_option(label="KH 15/KH-UBND")
    settled(page)
    expect(page.locator("#report-15-kh-ubnd-A\\.I\\.1-stttt")).to_be_visible()
    expect(page.locator("[id^=report-1958-qd-ubnd-]")).to_have_count(0)
    # A row of the new plan is edited in place, without leaving the combined list.
    _fill_row(page, page.locator("#report-15-kh-ubnd-A\\.I\\.1-stttt"), "20", "Đã số hóa 2 quy trình")
    expect(page.locator("#report-15-kh-ubnd-A\\.I\\.1-stttt")).to_contain_text("20%")

