"""Evidence files in a real browser: a unit attaches several files in place, with a progress
bar, from a phone too; the reviewer opens them from the queue."""

import re

from playwright.sync_api import expect

from .conftest import AT_PHONE, log_in, settled
from .test_in_place_edit import ROW

PDF = b"%PDF-1.7\n" + b"0" * (3 * 1024 * 1024) + b"\n%%EOF\n"  # large enough for the bar to move
JPEG = b"\xff\xd8\xff\xe0" + b"\x01" * 4000


@AT_PHONE
def test_a_unit_attaches_files_in_place_and_the_reviewer_opens_them(page, live_server, shoot):
    log_in(page, live_server, "stttt")
    page.evaluate("window.__noReload = true")
    row = page.locator(ROW)
    row.get_by_role("link", name="Cập nhật").click()
    settled(page)
    page.evaluate("""() => {
        window.__progress = [];
        document.addEventListener("htmx:xhr:progress", () =>
            window.__progress.push(document.querySelector(".upload-progress").value)); }""")
    # The picker speaks Vietnamese whatever the browser's language, and names what was chosen.
    picker = row.locator(".file-picker")
    expect(picker.get_by_text("Chọn tệp…")).to_be_visible()
    expect(picker).to_contain_text("Chưa chọn tệp nào")
    with page.expect_file_chooser() as chooser:
        picker.get_by_text("Chọn tệp…").click()
    chooser.value.set_files([
        {"name": "Quyết định 125-QĐ.pdf", "mimeType": "application/pdf", "buffer": PDF},
        {"name": "Ảnh quầy một cửa.jpg", "mimeType": "image/jpeg", "buffer": JPEG},
    ])
    expect(picker).to_contain_text("Đã chọn 2 tệp: Quyết định 125-QĐ.pdf, Ảnh quầy một cửa.jpg")
    row.get_by_role("button", name="Tải lên").click()
    expect(row.locator(".evidence-files")).to_contain_text("Đã đính kèm 2 tệp")
    assert page.evaluate("window.__noReload === true"), "the files were attached in place"
    assert page.evaluate("window.__progress.length") > 0 and page.evaluate("Math.max(...window.__progress)") == 100
    expect(row.get_by_role("link", name="Quyết định 125-QĐ.pdf")).to_be_visible()
    # A bad file is refused in the same place, saying why.
    row.get_by_label(re.compile("Thêm tệp")).set_input_files(
        {"name": "trang.html", "mimeType": "text/html", "buffer": b"<html><script>alert(1)</script></html>"})
    row.get_by_role("button", name="Tải lên").click()
    expect(row.locator(".evidence-files .error")).to_contain_text("không phải là loại được nhận")
    # «Gỡ» asks first: cancelled, the file stays; confirmed, it goes.
    remove = row.get_by_role("button", name="Gỡ tệp Quyết định 125-QĐ.pdf")
    page.once("dialog", lambda dialog: dialog.dismiss())
    remove.click()
    page.wait_for_timeout(300)
    expect(row.get_by_role("link", name="Quyết định 125-QĐ.pdf")).to_be_visible()
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    remove.click()
    expect(row.get_by_role("link", name="Quyết định 125-QĐ.pdf")).to_have_count(0)
    assert asked == ["Gỡ tệp «Quyết định 125-QĐ.pdf» khỏi báo cáo?"]
    row.get_by_label("Tình trạng").select_option("in_progress")
    row.get_by_label("Tỷ lệ hoàn thành (%)").fill("40")
    row.get_by_role("button", name="Lưu").click()
    expect(row.locator("form.report-form")).to_have_count(0)
    expect(row.get_by_role("link", name="Ảnh quầy một cửa.jpg")).to_be_visible()
    shoot("evidence-attached")
    # The reviewer opens it as it was sent, from the task page.
    log_in(page, live_server, "snv-ra-soat")
    page.goto(f"{live_server}/tasks/A.I.3")
    link = page.get_by_role("link", name="Ảnh quầy một cửa.jpg").first
    answer = page.request.get(live_server + link.get_attribute("href"))
    assert answer.ok and answer.body() == JPEG
    assert answer.headers["content-disposition"].startswith("inline;")  # a photo may open in the browser
    assert answer.headers["x-content-type-options"] == "nosniff"
