"""The review loop in a real browser: the reviewer opens a quarter, a unit submits, the
reviewer returns it with a comment, the unit corrects and resubmits, the reviewer accepts."""

import re

from playwright.sync_api import expect

from .conftest import DESKTOP, PHONE, log_in, new_page, screenshot, settled

ROW = "#report-1958-qd-ubnd-B\\.8\\.1-stttt"


def open_quarter(reviewer, live_server) -> None:
    """The reviewer opens «Quý IV/2026» from the periods page."""
    reviewer.goto(f"{live_server}/review/periods")
    reviewer.get_by_label("Tên kỳ").fill("Quý IV/2026")
    reviewer.get_by_label("Từ ngày").fill("01/10/2026")
    reviewer.get_by_label("Đến ngày").fill("31/12/2026")
    reviewer.get_by_label("Hạn gửi báo cáo").fill("05/01/2027")
    reviewer.get_by_role("button", name="Mở kỳ").click()


def save_and_send(unit):
    """The unit saves row B.8.1 in progress at 60 % and sends it for the open quarter."""
    row = unit.locator(ROW)
    row.get_by_role("link", name="Cập nhật").click()
    settled(unit)
    row.get_by_label("Tình trạng").select_option("in_progress")
    row.get_by_label("Tỷ lệ hoàn thành (%)").fill("60")
    row.get_by_role("button", name="Lưu").click()
    settled(unit)
    row.get_by_role("button", name="Gửi báo cáo").click()
    expect(row).to_contain_text("Đã gửi, chờ duyệt")
    return row


def test_submit_return_resubmit_accept(browser, live_server):
    """The reviewer at a desk, the unit on its phone."""
    reviewer, unit = new_page(browser, DESKTOP), new_page(browser, PHONE)

    log_in(reviewer, live_server, "snv-ra-soat")
    open_quarter(reviewer, live_server)
    expect(reviewer.locator("#flash")).to_contain_text("Đã mở kỳ báo cáo «Quý IV/2026»")
    screenshot(reviewer, "periods")

    log_in(unit, live_server, "stttt")
    expect(unit.locator(".reminders")).to_contain_text("Quý IV/2026")
    row = save_and_send(unit)

    reviewer.goto(f"{live_server}/review")
    queued = reviewer.locator("tr.queue-row", has_text="B.8.1")
    expect(queued).to_be_visible()
    screenshot(reviewer, "desk")
    queued.get_by_label("Nhận xét khi trả lại").fill("Bổ sung số huyện đã hướng dẫn")
    queued.get_by_role("button", name="Trả lại").click()
    expect(reviewer.locator("tr.queue-row", has_text="B.8.1")).to_contain_text("Bị trả lại")

    unit.reload()
    row = unit.locator(ROW)
    expect(row).to_contain_text("Bổ sung số huyện đã hướng dẫn")
    row.get_by_role("link", name="Cập nhật").click()
    settled(unit)
    row.get_by_label("Kết quả thực hiện").fill("Đã hướng dẫn 8/8 huyện, thành phố")
    row.get_by_role("button", name="Lưu").click()
    settled(unit)
    row.get_by_role("button", name="Gửi lại").click()
    expect(row).to_contain_text("Đã gửi, chờ duyệt")
    screenshot(unit, "unit-resubmitted", full_page=False)

    reviewer.goto(f"{live_server}/review")
    queued = reviewer.locator("tr.queue-row", has_text="B.8.1")
    expect(queued).to_contain_text("Đã hướng dẫn 8/8 huyện")
    queued.get_by_role("button", name="Chấp nhận").click()
    expect(reviewer.locator("tr.queue-row", has_text="B.8.1")).to_contain_text("Đã chấp nhận")

    unit.reload()
    expect(unit.locator(ROW)).to_contain_text("Đã chấp nhận")
    expect(unit.locator(ROW).get_by_role("button", name=re.compile("Gửi"))).to_have_count(0)
    reviewer.context.close()
    unit.context.close()


def test_accept_a_selection_in_place(browser, live_server):
    """The reviewer on a phone, the units at their desks."""
    units = {"stttt": "B.8.1", "stc": "B.5.1", "skhdt": "B.4.1"}
    reviewer = new_page(browser, PHONE)
    log_in(reviewer, live_server, "snv-ra-soat")
    open_quarter(reviewer, live_server)
    for code, ref in units.items():
        unit = new_page(browser, DESKTOP)
        log_in(unit, live_server, code)
        row = unit.locator(f"#report-1958-qd-ubnd-{ref.replace('.', chr(92) + '.')}-{code}")
        row.get_by_role("button", name="Gửi báo cáo").click()
        row.get_by_role("button", name="Vẫn gửi báo cáo trống").click()  # never filled in: it asks first
        settled(unit)
        unit.context.close()
    reviewer.goto(f"{live_server}/review")
    reviewer.evaluate("window.__noReload = true")
    console_errors = []
    reviewer.on("console", lambda message: message.type == "error" and console_errors.append(message.text))
    # Nothing ticked yet: the page says so, and nothing is sent (nor does htmx look for rows).
    reviewer.get_by_role("button", name="Chấp nhận các báo cáo đã chọn").click()
    expect(reviewer.locator("#flash")).to_contain_text("Hãy chọn ít nhất một báo cáo.")
    assert console_errors == []
    expect(reviewer.locator("tr.queue-row").get_by_role("button", name="Chấp nhận")).to_have_count(3)
    expect(reviewer.get_by_role("heading", name="Chờ duyệt (3)")).to_be_visible()
    waiting = reviewer.locator("#unit-lines td[data-label='Chờ duyệt']")
    assert sum(int(cell) for cell in waiting.all_inner_texts()) == 3
    for ref in ("B.8.1", "B.5.1"):
        reviewer.locator("tr.queue-row", has_text=ref).get_by_role("checkbox").check()
    reviewer.locator("#bulk-comment").fill("Đủ minh chứng")
    reviewer.get_by_role("button", name="Chấp nhận các báo cáo đã chọn").click()
    expect(reviewer.locator("tr.queue-row", has_text="B.8.1")).to_contain_text("Đã chấp nhận")
    expect(reviewer.locator("tr.queue-row", has_text="B.5.1")).to_contain_text("Đã chấp nhận")
    # Done with, the selection's warning and comment go: the next selection starts afresh.
    expect(reviewer.locator("#flash")).not_to_contain_text("Hãy chọn ít nhất một báo cáo.")
    expect(reviewer.locator("#bulk-comment")).to_have_value("")
    expect(reviewer.locator("tr.queue-row", has_text="B.4.1").get_by_role("button", name="Chấp nhận")).to_be_visible()
    # The count above the queue and the units' figures follow, read again with the page's filters.
    expect(reviewer.get_by_role("heading", name="Chờ duyệt (1)")).to_be_visible()
    expect(waiting.filter(has_text="1")).to_have_count(1)
    assert sum(int(cell) for cell in waiting.all_inner_texts()) == 1
    assert reviewer.evaluate("window.__noReload === true"), "the selection was reviewed in place"
    reviewer.context.close()
