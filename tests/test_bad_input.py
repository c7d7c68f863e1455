"""The bad-input catalogue: everything a careless administrator or an attacker sends, and
what the app answers. Each case checks the message and that the database did not change,
on SQLite and on PostgreSQL."""

import io
import re
import zipfile

import pytest
from openpyxl import Workbook
from sqlalchemy import create_engine, text
from sqlmodel import select

from webapp.models import Indicator, IndicatorValue, Period, PeriodReport, Task, User, UserRole

from .factories import LEAD_FIELDS, open_period, save_report
from .test_import import SECOND_PLAN, csv_bytes, upload, xlsx_bytes

ADMIN, REVIEWER = "quan-tri", "snv-ra-soat"
TABLES = ("plan", "section", "task", "assignment", "report", "reportchange", "period", "periodreport", "unit",
          "unitgroupmember", "indicator", "indicatorvalue", '"user"', "planimport", "extension")


def state(database_url: str) -> dict:
    """What the database holds, in a form two moments can be compared by: every table's
    rows counted, and the values people type (reports, accounts, indicators) themselves."""
    engine = create_engine(database_url)
    with engine.connect() as db:
        found = {table: db.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() for table in TABLES}
        found["reports"] = db.execute(text(
            "SELECT task_id, unit_id, version, status, percent, result FROM report ORDER BY id")).all()
        found["users"] = db.execute(text(
            'SELECT username, role, unit_id, active, password_hash FROM "user" ORDER BY id')).all()
        found["figures"] = db.execute(text(
            "SELECT baseline_value FROM indicator ORDER BY id")).all()
        found["values"] = db.execute(text("SELECT value FROM indicatorvalue ORDER BY id")).all()
        found["members"] = db.execute(text(
            "SELECT group_id, unit_id FROM unitgroupmember ORDER BY group_id, unit_id")).all()
    engine.dispose()
    return found


def page_text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def refused(response, message: str, status: int | tuple = 200) -> None:
    statuses = status if isinstance(status, tuple) else (status,)
    body = page_text(response)
    assert response.status_code in statuses and message in body, (response.status_code, body[-800:])


# --- login: where to go afterwards ------------------------------------------------------------


@pytest.mark.parametrize("target", ["/%09/evil.example", "//evil.example", "/\\evil.example", "https://evil.example/",
                                    "/\r\nSet-Cookie: x=1", "/%2F%2Fevil.example", "javascript:alert(1)"])
def test_login_goes_only_to_a_path_of_this_site(client, target):
    from .factories import UserClient

    user = UserClient(client)
    response = user.post("/login", {"username": "stttt", "password": "demo-1958", "next": target})
    assert response.status_code == 303
    location = response.headers["Location"]
    assert "evil" not in location and "\r" not in location and not location.startswith("//")
    assert user.get(location).status_code in (200, 302)


def test_login_keeps_a_local_path_with_its_query(client):
    from .factories import UserClient

    response = UserClient(client).post("/login", {"username": "stttt", "password": "demo-1958",
                                                  "next": "/my?q=so%20hoa"})
    assert response.headers["Location"] == "/my?q=so%20hoa"


# --- control characters -----------------------------------------------------------------------


def test_a_nul_in_a_report_is_refused_whole(login, database_url):
    stttt = login("stttt")
    before = state(database_url)
    response = stttt.post("/tasks/B.8.1/units/stttt", {**LEAD_FIELDS, "status": "in_progress", "percent": "10",
                                                        "result": "Đã làm\x00 xong", "version": "0"}, htmx=True)
    refused(response, "ký tự điều khiển không hợp lệ", 400)
    assert "«result»" in page_text(response)
    assert state(database_url) == before


@pytest.mark.parametrize("where", ["search", "login", "username"])
def test_a_nul_in_a_search_or_a_login_is_refused(client, login, database_url, where):
    from .factories import UserClient

    before = state(database_url)
    if where == "search":
        response = login("stttt").get("/my?q=s%00o")
    elif where == "login":
        response = UserClient(client).post("/login", {"username": "stttt\x00", "password": "demo-1958"})
    else:
        response = login(ADMIN).post("/admin/users", {"username": "moi\x00", "role": "leader", "unit": "",
                                                      "password": "mat-khau-dai-2024"})
    refused(response, "ký tự điều khiển không hợp lệ", 400)
    assert state(database_url) == before


# --- numbers ---------------------------------------------------------------------------------


@pytest.fixture
def indicator_in_open_period(login, session):
    reviewer = login(REVIEWER)
    open_period(reviewer, "Quý IV/2022", "01/10/2022", "31/12/2022", "05/01/2023")
    task = session.exec(select(Task).where(Task.ref == "A.II.3")).one()
    return session.exec(select(Indicator).where(Indicator.task_id == task.id).order_by(Indicator.position)).first()


@pytest.mark.parametrize(("value", "message"), [
    ("1e309", "Số liệu phải là một số"), ("inf", "Số liệu phải là một số"), ("nan", "Số liệu phải là một số"),
    ("-5", "không thể âm"), ("1" + "0" * 400, "Số liệu quá lớn"), ("150", "từ 0 đến 100"), ("²", "phải là một số"),
])
def test_an_indicator_figure_must_be_a_plausible_finite_number(login, database_url, indicator_in_open_period, value,
                                                               message):
    before = state(database_url)
    response = login("stttt").post(f"/indicators/{indicator_in_open_period.id}/value",
                                   {"value": value, "source": "Hệ thống một cửa"}, htmx=True)
    refused(response, message)
    response = login(REVIEWER).post(f"/indicators/{indicator_in_open_period.id}/baseline", {"baseline": value},
                                    follow_redirects=True)
    refused(response, message)
    assert state(database_url) == before


@pytest.mark.parametrize(("typed", "shown"), [("48,5", "48,5"), ("1.625", "1.625"), ("1.234.567,25", "1.234.567,25")])
def test_a_figure_comes_back_as_vietnamese_write_it_and_saves_again_as_itself(login, session, indicator_in_open_period,
                                                                             typed, shown):
    """The form's own hint says «12,5» and «1.600»: a saved figure is shown so (not «48.5», nor
    «1.23457e+06»), and the form filled with it saves the same figure again, unchanged."""
    indicator_in_open_period.unit_of_measure = "hồ sơ"  # not a percent: any size of figure
    session.add(indicator_in_open_period)
    session.commit()
    unit = login("stttt")
    url = f"/indicators/{indicator_in_open_period.id}/value"
    unit.post(url, {"value": typed, "source": "Hệ thống một cửa"}, htmx=True)
    session.rollback()
    saved = session.exec(select(IndicatorValue)).one().value
    page = unit.get("/indicators/mine").get_data(as_text=True)
    assert f'value="{shown}"' in page
    unit.post(url, {"value": shown, "source": "Hệ thống một cửa"}, htmx=True)
    session.rollback()
    assert session.exec(select(IndicatorValue)).one().value == saved
    detail = login(REVIEWER).get(f"/indicators/{indicator_in_open_period.id}").get_data(as_text=True)
    assert f"{shown} hồ sơ" in detail


def test_the_api_never_emits_an_infinite_figure(login, app, session, indicator_in_open_period):
    from webapp.services import api_tokens

    login("stttt").post(f"/indicators/{indicator_in_open_period.id}/value", {"value": "1e309", "source": "x"})
    token = api_tokens.issue(session, user=session.exec(select(User).where(User.username == REVIEWER)).one(),
                             name="kiểm tra")
    body = app.test_client().get("/api/v1/plans/1958-qd-ubnd/indicators",
                                 headers={"Authorization": f"Bearer {token}"}).get_data(as_text=True)
    assert "Infinity" not in body and "NaN" not in body


@pytest.mark.parametrize("percent", ["²", "١٠", "1e2", "101", "-1"])
def test_a_percent_that_is_not_a_plain_number_is_a_form_error(login, database_url, percent):
    before = state(database_url)
    response = login("stttt").post("/tasks/B.8.1/units/stttt", {**LEAD_FIELDS, "status": "in_progress",
                                                                 "percent": percent, "version": "0"}, htmx=True)
    refused(response, "Tỷ lệ hoàn thành là một số nguyên từ 0 đến 100")
    assert state(database_url) == before


@pytest.mark.parametrize("url", ["/review?period=²", "/dashboard?period=²", "/review?period=99999999999999999999",
                                 "/dashboard?period=-1", "/exports/report.xlsx?period=1.5"])
def test_an_id_in_a_query_string_that_is_not_one_is_a_400(login, url):
    refused(login(REVIEWER).get(url), "phải là mã số hợp lệ", 400)


def test_a_queue_filter_that_is_not_offered_is_a_400(login):
    refused(login(REVIEWER).get("/review?state=bogus"), "Không có trạng thái «bogus» để lọc", 400)


@pytest.mark.parametrize(("who", "url", "message"), [
    ("stttt", "/my?status=bogus", "Không có lựa chọn «bogus» ở «Tình trạng»"),
    ("stttt", "/my?role=chu-tri", "Không có lựa chọn «chu-tri» ở «Vai trò»"),
    (REVIEWER, "/tasks?section=Z.9", "Không có lựa chọn «Z.9» ở «Mục»"),
    (REVIEWER, "/tasks?unit=khong-co", "Không có lựa chọn «khong-co» ở «Đơn vị»"),
    (REVIEWER, "/tasks?overdue=yes", "Không có lựa chọn «yes» ở «Thời hạn»"),
])
def test_a_list_filter_that_is_not_offered_is_a_400_not_an_empty_list(login, who, url, message):
    refused(login(who).get(url), message, 400)


@pytest.mark.parametrize("copy", ["²", "99999999999999999999", "abc"])
def test_a_review_of_a_copy_that_is_not_one_is_a_400(login, database_url, copy):
    before = state(database_url)
    response = login(REVIEWER).post("/review/reports", {"action": "accept", "copy": copy, "comment": ""})
    refused(response, "Mã báo cáo không hợp lệ", 400)
    assert state(database_url) == before


@pytest.mark.parametrize("member", ["²", "99999999", "abc"])
def test_a_group_member_that_is_not_a_unit_changes_nothing(login, database_url, member):
    before = state(database_url)
    response = login(ADMIN).post("/admin/groups/sbn", {"member": ["1", member]}, follow_redirects=True)
    refused(response, "có đơn vị không tồn tại")
    assert state(database_url) == before


# --- accounts --------------------------------------------------------------------------------


def test_creating_an_existing_username_is_refused_and_the_account_stays(login, database_url):
    before = state(database_url)
    response = login(ADMIN).post("/admin/users", {"username": "stttt", "role": "admin", "unit": "",
                                                  "password": "mat-khau-moi-2024"})
    refused(response, "Tên đăng nhập «stttt» đã có")
    assert state(database_url) == before
    assert login("stttt").get("/my").status_code == 200  # same role, same password


def test_the_last_administrator_stays_one(login, session, database_url):
    admin = login(ADMIN)
    me = session.exec(select(User).where(User.username == ADMIN)).one()
    before = state(database_url)
    response = admin.post(f"/admin/users/{me.id}", {"username": ADMIN, "full_name": "Quản trị", "role": "leader",
                                                     "unit": "", "email": ""})
    refused(response, "quản trị viên cuối cùng")
    assert state(database_url) == before
    # With a second administrator, the first may step down; the second is then the last one.
    admin.post("/admin/users", {"username": "quan-tri-2", "role": "admin", "unit": "", "password": "mat-khau-dai-2024"})
    second = login("quan-tri-2", "mat-khau-dai-2024")
    second.post("/account/password", {"current": "mat-khau-dai-2024", "new": "mat-khau-rieng-2024",
                                      "repeat": "mat-khau-rieng-2024"})
    second.forget_token()
    session.rollback()
    other = session.exec(select(User).where(User.username == "quan-tri-2")).one()
    response = second.post(f"/admin/users/{me.id}/active", {}, follow_redirects=True)
    assert "đã ngừng" in page_text(response)
    response = second.post(f"/admin/users/{other.id}", {"username": "quan-tri-2", "full_name": "Quản trị 2",
                                                         "role": "reviewer", "unit": "snv", "email": ""})
    refused(response, "quản trị viên cuối cùng")
    session.rollback()
    assert session.get(User, other.id).role == UserRole.ADMIN


# --- periods ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("dates", "message"), [
    (("01/08/2022", "31/10/2022", "05/11/2022"), "trùng thời gian với kỳ «Quý III/2022»"),
    (("01/01/2019", "31/03/2019", "05/04/2019"), "trước ngày ban hành kế hoạch"),
    (("01/01/2040", "31/03/2040", "05/04/2040"), "quá xa"),
    (("01/10/2022", "31/12/2022", "05/01/2025"), "hơn một năm"),
])
def test_a_period_that_overlaps_or_is_implausible_is_refused(login, database_url, monkeypatch, dates, message):
    from datetime import date

    from webapp.services import clock

    monkeypatch.setattr(clock, "today", lambda: date(2022, 11, 15))
    reviewer = login(REVIEWER)
    open_period(reviewer, "Quý III/2022", "01/07/2022", "30/09/2022", "05/10/2022")
    period = reviewer.get("/review/periods").get_data(as_text=True)
    period_id = re.search(r'/review/periods/(\d+)/close', period).group(1)
    reviewer.post(f"/review/periods/{period_id}/close", {"confirmed": "yes"})
    before = state(database_url)
    response = open_period(reviewer, "Kỳ mới", *dates)
    refused(reviewer.get("/review/periods") if response.status_code == 303 else response, message)
    assert state(database_url) == before


# --- import files ----------------------------------------------------------------------------


def _far_cell_xlsx() -> bytes:
    """A few kilobytes whose one stray cell sits on the sheet's last row."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["STT", "Nội dung công việc", "Đơn vị chủ trì thực hiện", "Đơn vị phối hợp", "Thời gian thực hiện",
                  "Sản phẩm"])
    for row in SECOND_PLAN:
        sheet.append(row)
    sheet["A1048576"] = "x"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _zip_bomb_xlsx() -> bytes:
    """A real workbook with a part that unpacks to 40 MB of zeros (a few dozen kilobytes packed)."""
    source = zipfile.ZipFile(io.BytesIO(xlsx_bytes(SECOND_PLAN)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, source.read(item))
        target.writestr("xl/media/padding.bin", b"\x00" * (40 * 1024 * 1024))
    return out.getvalue()


def _many_rows_csv() -> bytes:
    rows = [SECOND_PLAN[0], SECOND_PLAN[1]] + [[str(n), f"Việc {n}", "Sở Nội vụ", "", "Năm 2023", ""]
                                              for n in range(1, 2100)]
    return csv_bytes(rows)


def _long_cell_csv(length: int):
    return lambda: csv_bytes([SECOND_PLAN[0], SECOND_PLAN[1],
                              ["2", "Việc " + "rất dài " * (length // 8), "Sở Nội vụ", "", "Năm 2023", ""]])


@pytest.mark.parametrize(("filename", "make", "message"), [
    ("xa.xlsx", _far_cell_xlsx, "có dữ liệu ở dòng 1048576, sau"),
    # A whole text pasted into one cell: past the CSV reader's own limit, and past the appendix's.
    ("o-rat-dai.csv", _long_cell_csv(200_000), "Tệp CSV không đọc được từ dòng 4: có một ô quá dài"),
    ("o-dai.csv", _long_cell_csv(20_000), "tệp CSV, dòng 4: có một ô dài 20.005 ký tự"),
    ("bom.xlsx", _zip_bomb_xlsx, "giải nén ra 40.0 MB, vượt giới hạn"),
    ("dai.csv", _many_rows_csv, "một kế hoạch nhập được tối đa 2.000 dòng"),
])
def test_an_import_file_beyond_the_limits_is_refused_with_a_message(login, database_url, filename, make, message):
    data = make()
    assert len(data) < 1024 * 1024  # small on the wire
    before = state(database_url)
    refused(upload(login(ADMIN), filename, data), message)
    assert state(database_url) == before


def test_a_request_past_the_size_limit_says_the_limit_and_the_way_back(app, login, database_url):
    app.config["MAX_CONTENT_LENGTH"] = 100 * 1024  # small: a test body this size stays in memory
    before = state(database_url)
    refused(upload(login(ADMIN), "lon.csv", b"x" * (200 * 1024)),
            "Dữ liệu gửi lên vượt giới hạn 100 KB của một lần gửi. Hãy quay lại trang trước", 413)
    assert state(database_url) == before


def test_the_row_limit_is_configurable(app, login, database_url):
    app.config["IMPORT_MAX_ROWS"] = 5
    before = state(database_url)
    refused(upload(login(ADMIN), "a.xlsx", xlsx_bytes(SECOND_PLAN)), "tối đa 5 dòng")
    assert state(database_url) == before


# --- downloads named after a period -------------------------------------------------------------


@pytest.mark.parametrize("label", ["Năm 2027", "Quý III/2022 – đợt 2", "6 tháng đầu năm 2022"])
def test_downloads_named_after_a_period_in_vietnamese(login, session, label, monkeypatch):
    from datetime import date
    from urllib.parse import unquote

    from webapp.services import clock

    monkeypatch.setattr(clock, "today", lambda: date(2022, 11, 15))
    reviewer = login(REVIEWER)
    open_period(reviewer, label, "01/10/2022", "31/12/2022", "05/01/2023")
    period = session.exec(select(Period)).one()
    for url in ("/exports/report.xlsx", "/exports/report.docx", "/exports/reports.csv"):
        response = reviewer.get(f"{url}?period={period.id}")
        assert response.status_code == 200, url
        disposition = response.headers["Content-Disposition"]
        assert disposition.isascii()
        fallback = re.search(r'filename="([^"]+)"', disposition).group(1)
        assert re.fullmatch(r"[a-z0-9-]+\.(xlsx|docx|csv)", fallback)
        utf8 = unquote(re.search(r"filename\*=UTF-8''(\S+)", disposition).group(1))
        assert label.replace("/", "-") in utf8 and "/" not in utf8


# --- CSV files a spreadsheet opens -------------------------------------------------------------


def test_a_formula_planted_through_a_failed_login_stays_text_in_the_audit_csv(client, login):
    from .factories import UserClient

    UserClient(client).post("/login", {"username": '=HYPERLINK("http://evil.example","x")', "password": "x"})
    UserClient(client).post("/login", {"username": "@SUM(1+1)", "password": "x"})
    body = login(ADMIN).get("/admin/audit.csv").get_data(as_text=True)
    assert "'=HYPERLINK(" in body and "'@SUM(1+1)" in body
    assert not re.search(r"(^|,)[=+@]", body, flags=re.MULTILINE)


def test_every_csv_the_commands_write_is_inert_and_imports_back(runner, tmp_path):
    import csv

    exported = tmp_path / "plan.csv"
    assert runner.invoke(args=["export-plan", "--format", "csv", "-o", str(exported)]).exit_code == 0
    cells = [c for row in csv.reader(io.StringIO(exported.read_text(encoding="utf-8-sig"))) for c in row]
    assert any(c.startswith("'- ") for c in cells)  # B.I.2's «- Bảo hiểm xã hội tỉnh;» is a bulleted cell
    assert not any(c.startswith(("=", "+", "-", "@", "\t", "\r")) for c in cells)
    for command in (["export-assignments", "--format", "csv"], ["list-units"]):
        output = runner.invoke(args=command).output
        assert not re.search(r"(^|,)[=+\-@]", output, flags=re.MULTILINE), command
    from webapp.services.reading import read_appendix

    again = read_appendix("plan.csv", exported.read_bytes())
    assert any(t.lead.startswith("- Bảo hiểm xã hội tỉnh;") for t in again.tasks)


def test_a_report_exported_as_csv_keeps_formulas_inert(login, database_url):
    stttt = login("stttt")
    save_report(stttt, "B.8.1", "stttt", 0, status="in_progress", percent="10", result="=1+1", proposals="+84 912")
    body = login(REVIEWER).get("/exports/reports.csv").get_data(as_text=True)
    assert "'=1+1" in body and "'+84 912" in body


# --- the reviewer's other forms ----------------------------------------------------------------


def test_a_copy_of_another_plan_or_none_at_all_is_not_reviewed(login, session, database_url):
    reviewer = login(REVIEWER)
    open_period(reviewer, "Quý IV/2022", "01/10/2022", "31/12/2022", "05/01/2023")
    login("stttt").post("/tasks/B.8.1/units/stttt/submit", {"blank": "confirmed"})
    session.rollback()
    copy = session.exec(select(PeriodReport)).one()
    before = state(database_url)
    refused(reviewer.post("/review/reports", {"action": "accept", "copy": [str(copy.id), "2147483000"]}),
            "Không tìm thấy", 404)
    assert state(database_url) == before


# --- restoring a backup ------------------------------------------------------------------------


def _foreign_sqlite(path):
    import sqlite3

    with sqlite3.connect(path) as other:
        other.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        other.execute("INSERT INTO notes (body) VALUES ('không phải dữ liệu của ứng dụng')")
    return path


def _backup_without_plan(runner, tmp_path, empty_database_url):
    """A real backup of this app's schema, but of a database that holds no plan."""
    from webapp.database import make_engine
    from webapp.schema import upgrade
    from webapp.services import backup

    engine = make_engine(empty_database_url)
    upgrade(engine)
    engine.dispose()
    return backup.backup(empty_database_url, tmp_path / "empty-backups")


@pytest.mark.parametrize("case", ["empty file", "foreign file", "no plan"])
def test_a_restore_of_anything_but_a_backup_of_this_app_is_refused(runner, database_url, tmp_path, case,
                                                                      engine_kind, databases):
    if case == "empty file":
        file = tmp_path / "trong.sqlite3"
        file.write_bytes(b"")
        message = "trống"
    elif case == "foreign file":
        file = _foreign_sqlite(tmp_path / "khac.sqlite3")
        message = "PostgreSQL" if engine_kind == "postgresql" else "không phải bản sao lưu của ứng dụng này"
    else:
        file = _backup_without_plan(runner, tmp_path, databases.empty(engine_kind))
        message = "không có kế hoạch nào"
    before = state(database_url)
    result = runner.invoke(args=["restore", str(file), "--yes"])
    assert result.exit_code != 0 and message in result.output, result.output
    assert "Đã phục hồi" not in result.output
    assert state(database_url) == before


def test_a_restore_keeps_the_live_data_aside_first(runner, login, database_url, tmp_path, app):
    from pathlib import Path

    made = runner.invoke(args=["backup", str(tmp_path / "backups")])
    [file] = (tmp_path / "backups").iterdir()
    save_report(login("stttt"), "B.8.1", "stttt", 0, status="in_progress", percent="35", result="Sau sao lưu")
    live = state(database_url)
    result = runner.invoke(args=["restore", str(file), "--yes"])
    assert made.exit_code == 0 and result.exit_code == 0, result.output
    kept = Path(re.search(r"được giữ ở (\S+)", result.output).group(1))
    assert kept.parent == Path(app.instance_path) / "backups" and kept.name.startswith("before-restore-")
    assert kept.stat().st_mode & 0o777 == 0o600 and kept.parent.stat().st_mode & 0o777 == 0o700
    assert state(database_url) != live  # the backup's data is back…
    again = runner.invoke(args=["restore", str(kept), "--yes"])
    assert again.exit_code == 0 and state(database_url) == live  # …and the copy aside brings today's back
