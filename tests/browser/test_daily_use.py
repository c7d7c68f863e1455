"""Daily use without surprises, in a real browser: search then one click opens the form; Back
and Forward show current data and a search box that matches the list; the task column keeps
its width; an expired session gives the typed text back; forms that explain themselves; a
header that is one bar on a phone."""

import re

import pytest
from playwright.sync_api import expect

from .conftest import DESKTOP, PHONE, log_in, ready, settled
from .test_in_place_edit import ROW
from .test_review_loop import open_quarter

LONG_RESULT = ("Đã rà soát toàn bộ quy trình nội bộ giải quyết thủ tục hành chính của Sở, chuẩn hóa biểu mẫu, "
               "kết nối Cổng dịch vụ công với Hệ thống thông tin một cửa điện tử, tập huấn cho cán bộ "
               "tiếp nhận ở Bộ phận Một cửa và công khai kết quả trên Cổng thông tin điện tử của tỉnh. ") * 3


def open_form(page, row):
    row.get_by_role("link", name="Cập nhật").click()
    expect(row.locator("form.report-form")).to_be_visible()
    settled(page)


def save(page, row, percent: str, result: str, status: str = "in_progress") -> None:
    open_form(page, row)
    row.get_by_label("Tình trạng").select_option(status)
    row.get_by_label("Tỷ lệ hoàn thành (%)").fill(percent)
    row.get_by_label("Kết quả thực hiện").fill(result)
    row.get_by_role("button", name="Lưu").click()
    expect(row.locator("form.report-form")).to_have_count(0)
    settled(page)


@pytest.mark.parametrize("viewport", [DESKTOP], ids=["desktop"], indirect=True)
def test_after_a_search_one_click_opens_the_form(page, live_server):
    log_in(page, live_server, "stttt")
    for query in ("so hoa", "một cửa", "A.I"):
        page.get_by_label("Tìm").fill(query)
        settled(page)
        page.wait_for_timeout(400)  # the search's own delay has run out
        settled(page)
        row = page.locator("tr.report-row").filter(has=page.get_by_role("link", name="Cập nhật")).first
        row_id = row.get_attribute("id")
        row.get_by_role("link", name="Cập nhật").click()  # the search box loses focus here
        settled(page)
        expect(page.locator(f"#{re.escape(row_id)} form.report-form")).to_be_visible()
        page.locator(f"#{re.escape(row_id)}").get_by_role("link", name="Hủy").click()
        settled(page)


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"], indirect=True)
def test_a_click_right_after_typing_a_search_opens_the_form_and_the_search_follows(page, live_server):
    """«Cập nhật» tapped before the search's own delay has run out: the form opens and stays
    open (the search would have swapped the list over it); closed, the list is searched."""
    log_in(page, live_server, "stttt")
    row = page.locator(ROW)
    page.get_by_label("Tìm").fill("so hoa")
    row.get_by_role("link", name="Cập nhật").click()
    form = row.locator("form.report-form")
    expect(form).to_be_visible()
    page.wait_for_timeout(700)  # past the search's delay and its answer
    expect(form).to_be_visible()
    expect(page).not_to_have_url(re.compile(r"q=so"))
    row.get_by_role("link", name="Hủy").click()
    expect(page).to_have_url(re.compile(r"q=so(\+|%20)hoa"))
    settled(page)
    expect(page.locator("tr.report-row").first).to_contain_text(re.compile("số hóa", re.I))


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"], indirect=True)
def test_a_click_while_the_search_is_on_its_way_opens_the_form_and_the_search_follows(page, live_server):
    """On a slow network the search has already gone when «Cập nhật» is tapped: it is called
    back, the form opens and stays, and the search runs once the form is closed."""
    log_in(page, live_server, "stttt")
    row = page.locator(ROW)
    held = []  # the search's request, kept on its way until the form is asked for
    page.route(re.compile(r"/my\?q=so"), lambda route: held.append(route) if not held else route.continue_())
    page.get_by_label("Tìm").fill("so hoa")
    expect(page.locator("form.filters input[name=q].htmx-request")).to_have_count(1)
    row.get_by_role("link", name="Cập nhật").click()
    form = row.locator("form.report-form")
    expect(form).to_be_visible()
    held[0].continue_()  # its answer comes back now: called back, it swaps nothing
    page.wait_for_timeout(500)
    expect(form).to_be_visible()
    row.get_by_role("link", name="Hủy").click()
    expect(page).to_have_url(re.compile(r"q=so(\+|%20)hoa"))


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"], indirect=True)
def test_two_filters_changed_quickly_on_a_slow_network_leave_list_and_address_agreeing(page, live_server):
    """The second filter's list replaces the first one's request, which could otherwise come
    back last and put back a list that neither the filters nor the address say."""
    log_in(page, live_server, "stttt")
    page.locator("details.filter-more summary").click()
    page.context.new_cdp_session(page).send("Network.emulateNetworkConditions", {
        "offline": False, "latency": 400, "downloadThroughput": -1, "uploadThroughput": -1})
    page.locator("#filter-role").select_option("support")
    page.locator("#filter-overdue").select_option("1")
    expect(page).to_have_url(re.compile(r"role=support.*overdue=1"))
    page.wait_for_timeout(1500)  # every answer in
    settled(page)
    expect(page).to_have_url(re.compile(r"role=support.*overdue=1"))
    roles = page.locator("tr.report-row td[data-label='Vai trò']").all_inner_texts()
    assert roles and set(roles) == {"Phối hợp"}
    assert page.locator("tr.report-row.is-overdue").count() == len(roles)


@pytest.mark.parametrize("viewport", [DESKTOP], ids=["desktop"], indirect=True)
def test_back_and_forward_show_current_data_and_the_search_asked(page, live_server):
    log_in(page, live_server, "stttt")
    page.get_by_label("Tìm").fill("so hoa")
    expect(page).to_have_url(re.compile(r"q=so"))
    settled(page)
    row = page.locator("tr.report-row").first
    row_id = row.get_attribute("id")
    save(page, row, "35", "Đã phát sóng chuyên mục cải cách hành chính")
    page.get_by_label("Tìm").fill("")
    expect(page).not_to_have_url(re.compile(r"q=so"))
    settled(page)
    page.go_back()  # to the search: the box says what the list shows
    expect(page.get_by_label("Tìm")).to_have_value("so hoa")
    expect(page.locator(f"#{re.escape(row_id)}")).to_contain_text("35%")
    ready(page)
    page.go_back()  # to the list before the search, shown with the save made since
    expect(page.get_by_label("Tìm")).to_have_value("")
    expect(page.locator(f"#{re.escape(row_id)}")).to_contain_text("35%")
    ready(page)
    page.go_forward()
    expect(page.get_by_label("Tìm")).to_have_value("so hoa")
    ready(page)
    # Leaving for another page and coming back shows the saved values too.
    page.locator(f"#{re.escape(row_id)} a.ref").click()
    page.wait_for_load_state("networkidle")
    page.go_back()
    expect(page.locator(f"#{re.escape(row_id)}")).to_contain_text("Đã phát sóng chuyên mục cải cách hành chính")
    expect(page.locator(f"#{re.escape(row_id)}")).to_contain_text("35%")


@pytest.mark.parametrize("viewport", [DESKTOP], ids=["desktop"], indirect=True)
def test_the_task_column_keeps_its_width_whatever_the_results(page, live_server, shoot):
    log_in(page, live_server, "stttt")
    width = "el => el.getBoundingClientRect().width"
    table = page.locator("table.rows").first
    before = page.locator(f"{ROW} td.cell-task").evaluate(width)
    assert before >= 0.3 * table.evaluate(width), "the task text keeps most of the width"
    editable = page.locator("tr.report-row").filter(has=page.get_by_role("link", name="Cập nhật"))
    for row_id in editable.evaluate_all("rows => rows.slice(1, 5).map(r => r.id)"):
        save(page, page.locator(f"#{re.escape(row_id)}"), "30", LONG_RESULT)
    after = page.locator(f"{ROW} td.cell-task").evaluate(width)
    assert abs(after - before) <= 1, f"the task column went from {before}px to {after}px"
    folded = page.locator("td.cell-result details.fold").first
    expect(folded).to_be_visible()  # a long result folds as a long task text does
    assert page.evaluate("document.documentElement.scrollHeight") < 25_000
    shoot("my-rows-with-results")


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"], indirect=True)
def test_an_expired_session_gives_the_typed_text_back_after_login(page, live_server):
    log_in(page, live_server, "stttt")
    row = page.locator(ROW)
    open_form(page, row)
    row.get_by_label("Tình trạng").select_option("in_progress")
    row.get_by_label("Tỷ lệ hoàn thành (%)").fill("55")
    row.get_by_label("Kết quả thực hiện").fill("Văn bản gõ trước khi phiên hết hạn")
    page.context.clear_cookies()  # the session ends while the unit writes
    row.get_by_role("button", name="Lưu").click()
    expect(page).to_have_url(re.compile(r"/login"))
    page.get_by_label("Tên đăng nhập").fill("stttt")
    page.get_by_label("Mật khẩu").fill("demo-1958")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page).to_have_url(re.compile(r"/my"))
    form = page.locator(f"{ROW} form.report-form")
    expect(form).to_be_visible()
    expect(form.get_by_label("Kết quả thực hiện")).to_have_value("Văn bản gõ trước khi phiên hết hạn")
    expect(form.get_by_label("Tỷ lệ hoàn thành (%)")).to_have_value("55")
    expect(form.locator(".unsaved-notice")).to_be_in_viewport()
    form.get_by_role("button", name="Lưu").click()
    expect(page.locator(ROW)).to_contain_text("Văn bản gõ trước khi phiên hết hạn")
    page.reload()  # saved: nothing is given back a second time
    expect(page.locator(f"{ROW} form")).to_have_count(0)
    expect(page.locator(ROW)).to_contain_text("55%")


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"], indirect=True)
def test_signing_in_again_in_another_tab_gives_the_typed_text_back(page, live_server):
    """The form's token belongs to the session that drew it: signed out and in again in a
    second tab, the first tab's save cannot go through; its page loads again with the text
    typed back in the form, instead of a message that asked to reload and lost it."""
    log_in(page, live_server, "stttt")
    row = page.locator(ROW)
    open_form(page, row)
    row.get_by_label("Kết quả thực hiện").fill("Gõ trong thẻ thứ nhất")
    other = page.context.new_page()
    other.goto(f"{live_server}/logout")
    other.get_by_role("button", name="Đăng xuất").click()
    log_in(other, live_server, "stttt")
    other.close()
    row.get_by_role("button", name="Lưu").click()
    form = page.locator(f"{ROW} form.report-form")
    expect(form.locator(".unsaved-notice")).to_contain_text("đăng nhập lại ở thẻ khác")
    expect(form.get_by_label("Kết quả thực hiện")).to_have_value("Gõ trong thẻ thứ nhất")
    form.get_by_role("button", name="Lưu").click()
    expect(page.locator(ROW)).to_contain_text("Gõ trong thẻ thứ nhất")
    expect(page.locator(f"{ROW} form")).to_have_count(0)


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"], indirect=True)
def test_a_text_at_its_limit_says_so(page, live_server):
    """A paste past the field's limit is cut by the browser without a word: the field says so."""
    log_in(page, live_server, "stttt")
    row = page.locator(ROW)
    open_form(page, row)
    field = row.get_by_label("Kết quả thực hiện")
    limit = field.evaluate("field => field.maxLength")
    field.fill("x" * limit)
    expect(row.locator("[data-limit-note]")).to_contain_text(f"Đã đủ {limit:,} ký tự".replace(",", "."))
    field.fill("Ngắn thôi")
    expect(row.locator("[data-limit-note]")).to_have_count(0)


def test_a_file_sent_after_the_session_ended_keeps_the_typed_text_too(page, live_server):
    """Not the save but «Tải lên» meets the ended session: the text typed in the row's form comes
    back after login all the same, and leaving for the login page asks nothing."""
    log_in(page, live_server, "stttt")
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.accept()))
    row = page.locator(ROW)
    open_form(page, row)
    row.get_by_label("Kết quả thực hiện").fill("Gõ rồi mới đính kèm tệp")
    row.locator(".file-picker input[type=file]").set_input_files(
        {"name": "bien-ban.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.7\n0\n%%EOF\n"})
    page.context.clear_cookies()
    row.get_by_role("button", name="Tải lên").click()
    expect(page).to_have_url(re.compile(r"/login"))
    assert asked == []
    page.get_by_label("Tên đăng nhập").fill("stttt")
    page.get_by_label("Mật khẩu").fill("demo-1958")
    page.get_by_role("button", name="Đăng nhập").click()
    form = page.locator(f"{ROW} form.report-form")
    expect(form.get_by_label("Kết quả thực hiện")).to_have_value("Gõ rồi mới đính kèm tệp")


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"], indirect=True)
def test_forms_explain_themselves(page, live_server):
    log_in(page, live_server, "stttt")
    row = page.locator(ROW)
    open_form(page, row)
    expect(row.get_by_label("Ghi chú")).to_be_visible()  # a lead's own note
    row.get_by_label("Tình trạng").select_option("done")
    expect(row.get_by_label("Tỷ lệ hoàn thành (%)")).to_have_value("100")
    row.get_by_label("Kết quả thực hiện").fill("Đã hoàn thành")
    row.get_by_label("Ngày văn bản").fill("31/02/2022")
    row.get_by_role("button", name="Lưu").click()
    expect(row).to_contain_text("Không có ngày 31/02/2022: tháng 2/2022 chỉ có 28 ngày.")
    # The success message of an extension request is in view where the page opens.
    page.goto(f"{live_server}/tasks/B.8.1/units/stttt/extension?view=unit")
    page.get_by_label("Đề nghị gia hạn đến ngày").fill("31/12/2030")
    page.get_by_label("Lý do").fill("Chờ hướng dẫn của Bộ")
    page.get_by_role("button", name="Gửi đề nghị").click()
    expect(page.get_by_text("Đã gửi đề nghị gia hạn")).to_be_in_viewport()


@pytest.mark.parametrize("viewport", [PHONE], ids=["phone"], indirect=True)
def test_the_header_is_one_bar_with_a_menu_on_a_phone(page, live_server, shoot):
    log_in(page, live_server, "stttt")
    header = page.locator("body > header")
    assert header.evaluate("el => el.getBoundingClientRect().height") <= 64
    expect(page.get_by_role("link", name="Đăng xuất")).to_be_hidden()
    page.get_by_text("Menu", exact=True).click()
    expect(page.get_by_role("link", name="Việc của đơn vị")).to_be_visible()
    expect(page.get_by_role("link", name="Đăng xuất")).to_be_visible()
    shoot("header-menu", full_page=False)
    page.get_by_role("link", name="Chỉ tiêu").click()
    expect(page).to_have_url(re.compile(r"/indicators/mine"))


@pytest.mark.parametrize("viewport", [DESKTOP], ids=["desktop"], indirect=True)
def test_a_unit_does_its_round_with_the_keyboard_alone(page, live_server):
    """Sign in, find a row, open it, write, save, send: Tab, typing, Enter and Escape only."""
    page.goto(f"{live_server}/login")
    expect(page.get_by_label("Tên đăng nhập")).to_be_focused()  # the login page starts there
    page.keyboard.type("stttt")
    page.keyboard.press("Tab")
    page.keyboard.type("demo-1958")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/my$"))
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Bỏ qua, đến nội dung chính")).to_be_focused()
    page.keyboard.press("Enter")  # to the content, past the header
    search = page.get_by_label("Tìm")
    for _ in range(30):
        page.keyboard.press("Tab")
        if search.evaluate("el => el === document.activeElement"):
            break
    expect(search).to_be_focused()
    page.keyboard.type("so hoa")
    settled(page)
    page.wait_for_timeout(400)
    settled(page)
    row = page.locator("#report-1958-qd-ubnd-A\\.I\\.7-stttt")
    edit = row.get_by_role("link", name="Cập nhật")
    for _ in range(40):
        page.keyboard.press("Tab")
        if edit.evaluate("el => el === document.activeElement"):
            break
    expect(edit).to_be_focused()
    page.keyboard.press("Enter")
    expect(row.get_by_label("Tình trạng")).to_be_focused()  # the form opens on its first field
    settled(page)
    page.keyboard.press("Escape")  # and closes again, the focus back on «Cập nhật»
    expect(row.get_by_role("link", name="Cập nhật")).to_be_focused()
    settled(page)
    page.keyboard.press("Enter")
    expect(row.get_by_label("Tình trạng")).to_be_focused()
    settled(page)
    page.keyboard.press("Tab")
    expect(row.get_by_label("Tỷ lệ hoàn thành (%)")).to_be_focused()
    page.keyboard.press("End")
    for _ in range(3):
        page.keyboard.press("Backspace")
    page.keyboard.type("40")
    page.keyboard.press("Tab")
    page.keyboard.type("Đã số hóa 40% hồ sơ")
    save_button = row.get_by_role("button", name="Lưu")
    for _ in range(12):
        page.keyboard.press("Tab")
        if save_button.evaluate("el => el === document.activeElement"):
            break
    page.keyboard.press("Enter")
    expect(row).to_contain_text("Đã số hóa 40% hồ sơ")
    expect(row).to_contain_text("40%")


def test_the_reminders_and_counts_follow_a_row_saved_or_sent_in_place(page, live_server):
    """A row saved or sent in place changes what the page says of all the rows at once: the
    overdue row done leaves «quá hạn», the counts follow, one report less waits to be sent; no
    reload."""
    log_in(page, live_server, "snv-ra-soat")
    open_quarter(page, live_server)
    log_in(page, live_server, "stttt")
    page.evaluate("window.__noReload = true")
    reminders, summary = page.locator("#reminders"), page.locator("#rows-summary")
    overdue = reminders.locator("li.late").filter(has_text="nhiệm vụ chủ trì quá hạn")
    late_count = int(re.match(r"\d+", overdue.inner_text())[0])
    ref = overdue.locator("a").first.inner_text()
    expect(summary).to_contain_text(f"({late_count} quá hạn)")
    row = page.locator(f"tr[id$='-{ref}-stttt']")
    save(page, row, "100", "Đã ban hành quyết định, có biên bản nghiệm thu.", status="done")
    expect(reminders).not_to_contain_text(f"quá hạn: {ref}")
    expect(summary).not_to_contain_text(f"({late_count} quá hạn)")

    def waiting() -> str:  # «N báo cáo chủ trì chưa gửi…» and «… cần gửi lại: refs»
        return " ".join(reminders.locator("li").filter(has_text=re.compile("chưa gửi|cần gửi lại")).all_inner_texts())

    before = waiting()
    assert "chưa gửi" in before
    row.get_by_role("button", name=re.compile("^Gửi")).click()
    expect(reminders).not_to_contain_text(before)  # one report fewer waits to be sent
    # A file attached to the report sent makes it one to send again: the reminders say so at once.
    open_form(page, row)
    row.locator(".file-picker input[type=file]").set_input_files(
        {"name": "bien-ban.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.7\n0\n%%EOF\n"})
    row.get_by_role("button", name="Tải lên").click()
    expect(reminders.locator("li").filter(has_text="cần gửi lại")).to_contain_text(ref)
    assert page.evaluate("window.__noReload === true"), "all of it in place"


def test_leaving_a_row_typed_in_and_not_saved_asks_first(page, live_server):
    """A link, Back or a reload with a row's form typed in asks before the text is lost; once
    saved, or never typed in, the page is left without a question."""
    log_in(page, live_server, "stttt")
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    row = page.locator(ROW)
    open_form(page, row)
    page.goto(f"{live_server}/my")  # opened, nothing typed: no question
    assert asked == []
    row = page.locator(ROW)
    open_form(page, row)
    row.get_by_label("Kết quả thực hiện").fill("Đang soạn dở")
    page.evaluate("window.location.href = '/tasks/A.I.3'")
    page.wait_for_timeout(500)
    assert asked == ["beforeunload"] and page.url.endswith("/my")  # stayed, the text still there
    expect(row.get_by_label("Kết quả thực hiện")).to_have_value("Đang soạn dở")
    row.get_by_role("button", name="Lưu").click()
    expect(row.locator("form.report-form")).to_have_count(0)
    page.goto(f"{live_server}/tasks/A.I.3")
    assert asked == ["beforeunload"]
    # A file chosen and not sent holds the page too, and says which button sends it.
    page.goto(f"{live_server}/my")
    row = page.locator(ROW)
    open_form(page, row)
    row.locator(".file-picker input[type=file]").set_input_files(
        {"name": "bien-ban.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.7\n0\n%%EOF\n"})
    expect(row.locator(".file-chosen")).to_have_text("Đã chọn 1 tệp: bien-ban.pdf. Bấm «Tải lên» để gửi tệp.")
    page.evaluate("window.location.href = '/tasks/A.I.3'")
    page.wait_for_timeout(500)
    assert asked == ["beforeunload", "beforeunload"] and page.url.endswith("/my")
