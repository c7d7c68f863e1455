"""The administrator's accounts page in a real browser, at phone and desktop width: it never
scrolls sideways, a refused creation shows each message beside its field, the search works."""

import re

from playwright.sync_api import expect

from .conftest import log_in

NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"
# What sticks out past the right edge, to say why the page scrolls sideways.
STICKING_OUT = """() => [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
    .map(e => `${e.tagName.toLowerCase()}.${e.className} «${(e.textContent || '').trim().slice(0, 40)}»`)"""


def no_sideways_scroll(page) -> None:
    assert page.evaluate(NO_SIDEWAYS_SCROLL), page.evaluate(STICKING_OUT)


def test_the_accounts_page_reads_at_every_width(page, live_server, shoot):
    log_in(page, live_server, "quan-tri")
    expect(page).to_have_url(re.compile(r"/admin$"))  # the administrator starts at administration
    no_sideways_scroll(page)
    shoot("admin-home")
    page.get_by_role("link", name=re.compile("^Tài khoản")).click()
    expect(page).to_have_url(re.compile(r"/admin/users$"))
    expect(page.get_by_role("heading", name="Tạo tài khoản")).to_be_visible()
    no_sideways_scroll(page)
    shoot("admin-users")

    # Several faults at once: each beside its field, listed above the form, focused first.
    page.get_by_label("Tên đăng nhập").fill("stttt")
    page.get_by_label("Vai trò").select_option("unit")
    page.get_by_label("E-mail nhận nhắc việc").fill("khong-phai-email")
    page.get_by_label("Mật khẩu ban đầu").fill("ngan")
    page.get_by_role("button", name="Tạo tài khoản").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("4 chỗ cần sửa")
    for label, message in (("Tên đăng nhập", "Tên đăng nhập «stttt» đã có"),
                           ("Đơn vị", "Tài khoản của đơn vị cần chọn đơn vị."),
                           ("E-mail nhận nhắc việc", "không hợp lệ"),
                           ("Mật khẩu ban đầu", "ít nhất 8 ký tự")):
        field = page.get_by_label(label, exact=True)
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(field).to_have_accessible_description(re.compile(re.escape(message)))
        expect(page.locator(".field", has=field).locator(".error")).to_contain_text(message)
    expect(page.locator("main")).not_to_contain_text("--")
    no_sideways_scroll(page)
    shoot("admin-users-errors", full_page=False)

    # The link in the summary leads to its field.
    summary.get_by_role("link", name=re.compile("^Đơn vị")).click()
    expect(page.get_by_label("Đơn vị", exact=True)).to_be_focused()

    # The search, without typing diacritics.
    page.get_by_label("Tìm tài khoản").fill("so noi vu")
    page.get_by_role("button", name="Tìm", exact=True).click()
    expect(page).to_have_url(re.compile(r"/admin/users\?q=so\+noi\+vu#accounts$"))
    expect(page.get_by_role("heading", name="Danh sách tài khoản")).to_be_in_viewport()  # past the creation form
    names = page.locator('td[data-label="Tên đăng nhập"]')
    expect(names).to_have_text(["snv", "snv-ra-soat"])
    no_sideways_scroll(page)
    shoot("admin-users-search")


def test_a_plan_file_over_the_limit_is_refused_as_it_is_chosen(page, live_server):
    """Before a long upload the server would turn away: the field says the file's size and the
    limit, and lets go of the file; the plan's number typed beside it stays."""
    log_in(page, live_server, "quan-tri")
    page.goto(f"{live_server}/admin/plans")
    page.get_by_label("Số hiệu kế hoạch").fill("15/KH-UBND")
    field = page.get_by_label(re.compile("^Tệp phụ lục"))
    field.set_input_files({"name": "phu-luc.xlsx", "mimeType": "application/octet-stream",
                           "buffer": b"x" * (6 * 1024 * 1024)})
    error = page.locator("[data-size-error]")
    expect(error).to_have_text("«phu-luc.xlsx» nặng 6 MB: quá giới hạn 5 MB một tệp. Hãy chọn tệp nhỏ hơn.")
    assert field.evaluate("input => input.files.length") == 0
    expect(page.get_by_label("Số hiệu kế hoạch")).to_have_value("15/KH-UBND")
    # A file within the limit takes the message away.
    field.set_input_files({"name": "phu-luc.csv", "mimeType": "text/csv", "buffer": b"STT,Noi dung\n"})
    expect(error).to_have_count(0)
    no_sideways_scroll(page)


def test_back_after_looking_again_at_a_mapped_preview_asks_nothing(page, live_server):
    """«Xem lại» answers with a page of its own: Back to it shows the preview with the choices
    made, not the browser's «Confirm Form Resubmission»."""
    log_in(page, live_server, "quan-tri")
    page.goto(f"{live_server}/admin/plans")
    page.get_by_label("Số hiệu kế hoạch").fill("88/KH-UBND")
    page.get_by_label(re.compile("^Tệp phụ lục")).set_input_files({
        "name": "phu-luc.csv", "mimeType": "text/csv",
        "buffer": "STT,Nội dung,Chủ trì,Phối hợp,Thời gian,Sản phẩm\n1,Rà soát quy trình,Ban Chỉ đạo 89,,2026,Báo cáo\n"
                  .encode("utf-8-sig")})
    page.get_by_role("button", name="Xem trước").click()
    page.locator("select[name='map-0']").select_option("unit:stttt")
    page.get_by_role("button", name="Xem lại").click()
    expect(page.locator("select[name='map-0']")).to_have_value("unit:stttt")
    preview = page.url
    page.goto(f"{live_server}/admin")
    page.go_back()
    expect(page).to_have_url(preview)
    expect(page.locator("select[name='map-0']")).to_have_value("unit:stttt")
    expect(page.get_by_text("Đã gán cả 1 cụm từ chưa khớp.")).to_be_visible()
