"""A return with a file in a real browser: the reviewer returns a report in place with a PDF,
and the unit finds the file beside the comment on its row."""

import re

from playwright.sync_api import expect

from .conftest import AT_DESKTOP, PHONE, log_in, new_page, settled, watch_csp
from .test_review_loop import ROW, open_quarter, save_and_send

PDF = b"%PDF-1.7\n" + b"0" * 20_000 + b"\n%%EOF\n"
NAME = "Mẫu báo cáo có đánh dấu.pdf"


@AT_DESKTOP
def test_a_report_returned_in_place_with_a_pdf_shows_it_to_the_unit(browser, page, live_server, shoot):
    """The reviewer at a desk, the unit on its phone."""
    reviewer, unit = page, new_page(browser, PHONE)
    broken = watch_csp(unit)
    log_in(reviewer, live_server, "snv-ra-soat")
    open_quarter(reviewer, live_server)

    log_in(unit, live_server, "stttt")
    row = save_and_send(unit)

    reviewer.goto(f"{live_server}/review")
    reviewer.evaluate("window.__noReload = true")
    queued = reviewer.locator("tr.queue-row", has_text="B.8.1")
    queued.get_by_label("Nhận xét khi trả lại").fill("Làm lại theo mẫu gửi kèm")
    queued.get_by_label(re.compile("Tệp gửi kèm")).set_input_files(
        {"name": NAME, "mimeType": "application/pdf", "buffer": PDF})
    queued.get_by_role("button", name="Trả lại").click()
    returned = reviewer.locator("tr.queue-row", has_text="B.8.1")
    expect(returned).to_contain_text("Bị trả lại")
    expect(returned.get_by_role("link", name=NAME)).to_be_visible()
    assert reviewer.evaluate("window.__noReload === true"), "returned in place"
    shoot("review-file-returned")

    unit.reload()
    row = unit.locator(ROW)
    expect(row).to_contain_text("Làm lại theo mẫu gửi kèm")
    link = row.get_by_role("link", name=NAME)
    expect(link).to_be_visible()
    answer = unit.request.get(live_server + link.get_attribute("href"))
    assert answer.ok and answer.body() == PDF
    assert answer.headers["content-disposition"].startswith("inline;")
    # The form the unit corrects the report in keeps the comment and its file in view.
    row.get_by_role("link", name="Cập nhật").click()
    settled(unit)
    expect(row.locator(".returned-comment").get_by_role("link", name=NAME)).to_be_visible()
    unit.context.close()
    assert broken == [], f"the unit's page broke its Content-Security-Policy: {broken}"
