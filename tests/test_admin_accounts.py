"""The administrator's accounts page: every fault of a form at once, each beside its field and in
the page's own words; the search over the accounts."""

import re

import pytest
from sqlmodel import func, select

from webapp.models import User

from .factories import UserClient

ADMIN = "quan-tri"
ERROR = re.compile(r'<p class="error" id="([\w-]+)-error">(.*?)</p>', re.S)


def field_errors(page: str) -> dict[str, str]:
    """Each field's message, as shown beside it: field id -> text."""
    return {field: text for field, text in ERROR.findall(page)}


def control(page: str, field_id: str) -> str:
    """The input or select of a field, as rendered."""
    return re.search(rf'<(?:input|select)\b[^>]*\bid="{field_id}"[^>]*>', page).group(0)


def summary(page: str) -> str:
    found = re.search(r'<div class="alert error error-summary".*?</div>', page, re.S)
    return found.group(0) if found else ""


def count_users(session) -> int:
    session.rollback()  # a new snapshot: what the app has committed since
    return session.exec(select(func.count(User.id))).one()


@pytest.mark.parametrize(("sent", "expected"), [
    # Faults the service finds (an existing username, a unit account without a unit, a bad
    # e-mail, a short password), all at once.
    ({"username": "stttt", "full_name": "", "role": "unit", "unit": "", "email": "khong-phai-email",
      "password": "ngan"},
     {"username": "Tên đăng nhập «stttt» đã có", "unit": "Tài khoản của đơn vị cần chọn đơn vị",
      "email": "không hợp lệ", "password": "ít nhất 8 ký tự"}),
    # Faults the form finds (no username, a role not offered) beside those of the service.
    ({"username": "", "full_name": "", "role": "sieu-quan-tri", "unit": "khong-co", "email": "a b@c",
      "password": "12345678"},
     {"username": "Hãy nhập tên đăng nhập", "role": "không có trong danh sách", "unit": "không có trong danh sách",
      "email": "không hợp lệ", "password": "quá dễ đoán"}),
])
def test_a_create_with_several_bad_fields_shows_every_message_beside_its_field(login, session, sent, expected):
    before = count_users(session)
    response = login(ADMIN).post("/admin/users", sent)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    errors = field_errors(page)
    assert set(errors) == set(expected), errors
    for field, words in expected.items():
        assert words in errors[field], (field, errors[field])
        # Tied to its field for a screen reader, and listed above the form with a link to it.
        tag = control(page, field)
        assert 'aria-invalid="true"' in tag and f"{field}-error" in re.search(r'aria-describedby="([^"]*)"', tag)[1]
        assert f'href="#{field}"' in summary(page)
    assert f"{len(expected)} chỗ cần sửa" in summary(page)
    assert count_users(session) == before


@pytest.mark.parametrize("sent", [
    {"username": "dau-moi-moi", "role": "unit", "unit": "", "email": "", "password": "Mat-khau-2026"},
    {"username": "dau-moi-moi", "role": "unit", "unit": "khong-co", "email": "", "password": "Mat-khau-2026"},
    {"username": "Đầu mối", "role": "admin", "unit": "", "email": "", "password": "Mat-khau-2026"},
    {"username": "dau-moi-moi", "role": "x", "unit": "", "email": "@ @", "password": ""},
])
def test_no_message_speaks_the_command_lines_words(login, sent):
    page = login(ADMIN).post("/admin/users", {"full_name": "", **sent}).get_data(as_text=True)
    messages = [*field_errors(page).values(), summary(page)]
    assert field_errors(page) and summary(page)
    for message in messages:
        assert "--" not in message and "flask" not in message and "unit," not in message, message


@pytest.mark.parametrize(("email", "accepted"), [
    ("abc@", False), ("@thaibinh.gov.vn", False), ("snv@thaibinh", False), ("snv@@thaibinh.gov.vn", False),
    ("snv@thaibinh.gov.vn", True), ("  Nguyen.Van.A@snv.thaibinh.gov.vn ", True),
])
def test_an_email_needs_a_name_and_a_domain_with_a_dot(login, session, email, accepted):
    admin = login(ADMIN)
    before = count_users(session)
    page = admin.post("/admin/users", {"username": "dau-moi-moi", "full_name": "", "role": "unit", "unit": "stttt",
                                       "email": email, "password": "Mat-khau-2026"}).get_data(as_text=True)
    if not accepted:
        assert "không hợp lệ" in field_errors(page)["email"]
        assert count_users(session) == before
        return
    assert count_users(session) == before + 1
    # The audit log names the role as the pages do, not as the code spells it.
    log = admin.get("/admin/audit").get_data(as_text=True)
    assert "tạo tài khoản dau-moi-moi (Đầu mối đơn vị)" in log


def test_the_accounts_page_shows_every_fault_at_once_too(login, session):
    admin = login(ADMIN)
    me = session.exec(select(User).where(User.username == ADMIN)).one()
    page = admin.post(f"/admin/users/{me.id}", {"full_name": "Quản trị", "role": "leader", "unit": "",
                                                "email": "sai-dia-chi"}).get_data(as_text=True)
    errors = field_errors(page)
    assert "quản trị viên cuối cùng" in errors["role"] and "không hợp lệ" in errors["email"]
    stttt = session.exec(select(User).where(User.username == "stttt")).one()
    page = admin.post(f"/admin/users/{stttt.id}", {"full_name": "x" * 121, "role": "unit", "unit": "",
                                                   "email": ""}).get_data(as_text=True)
    errors = field_errors(page)
    assert "tối đa 120 ký tự" in errors["full_name"]
    assert errors["unit"] == "Tài khoản của đơn vị cần chọn đơn vị."
    assert "--" not in summary(page) and "2 chỗ cần sửa" in summary(page)
    session.rollback()
    assert session.get(User, stttt.id).unit_id is not None  # nothing saved


def test_the_creation_form_comes_before_the_list(login):
    page = login(ADMIN).get("/admin/users").get_data(as_text=True)
    assert page.index('id="username"') < page.index('<table class="rows view-users"')
    for field in ("username", "full_name", "role", "unit", "email", "password", "q"):
        assert f'<label for="{field}"' in page, field


def usernames(page: str) -> set[str]:
    return set(re.findall(r'<td data-label="Tên đăng nhập"><a href="/admin/users/\d+">([^<]+)</a>', page))


def test_the_search_ignores_diacritics_and_finds_by_name_unit_and_email(login):
    admin = login(ADMIN)
    everyone = usernames(admin.get("/admin/users").get_data(as_text=True))
    assert {"snv", "snv-ra-soat", "stttt", "lanh-dao", ADMIN} <= everyone
    # The unit's name, typed without its marks: Sở Nội vụ's two accounts, no one else.
    page = admin.get("/admin/users?q=so noi vu").get_data(as_text=True)
    assert usernames(page) == {"snv", "snv-ra-soat"}
    assert 'value="so noi vu"' in page and "2 trong" in page
    assert usernames(admin.get("/admin/users?q=LANH DAO").get_data(as_text=True)) == {"lanh-dao"}  # the full name
    assert usernames(admin.get("/admin/users?q=ra-soat").get_data(as_text=True)) == {"snv-ra-soat"}  # the username
    admin.post("/admin/users", {"username": "nguyen-thi-hoa", "full_name": "Nguyễn Thị Hoa", "role": "leader",
                                "unit": "", "email": "hoa.vp@thaibinh.gov.vn", "password": "Mat-khau-2026"})
    assert usernames(admin.get("/admin/users?q=hoa.vp@").get_data(as_text=True)) == {"nguyen-thi-hoa"}  # e-mail
    # Words never run from one field into the next.
    assert usernames(admin.get("/admin/users?q=hoa hoa.vp").get_data(as_text=True)) == set()
    none = admin.get("/admin/users?q=khong ai co ten nay").get_data(as_text=True)
    assert usernames(none) == set() and "Không có tài khoản nào khớp" in none


def test_a_username_is_one_whatever_its_capitals(app, login, session):
    """A unit's code is often written in capitals («STTTT»): it signs in to «stttt», and a new
    account cannot take «SNV-Ra-Soat» beside «snv-ra-soat»."""
    signed_in = UserClient(app.test_client()).post("/login", {"username": " STTTT ", "password": "demo-1958"})
    assert signed_in.status_code == 303
    before = count_users(session)
    page = login(ADMIN).post("/admin/users", {"username": "SNV-Ra-Soat", "full_name": "", "role": "reviewer",
                                              "unit": "", "email": "", "password": "Mat-khau-2026"})
    assert "Tên đăng nhập «snv-ra-soat» đã có" in field_errors(page.get_data(as_text=True))["username"]
    assert count_users(session) == before
