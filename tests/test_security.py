"""Hardening, point by point (OWASP ASVS 5.0 level 2 where it applies)."""

import logging
import re
from datetime import timedelta

import pytest
from sqlmodel import select

from webapp.fragment_cache import fragments
from webapp.models import AuditEvent
from webapp.services import clock

from .conftest import make_app
from .factories import LEAD_FIELDS, UserClient, save_report

PAYLOADS = ['<script>alert("x")</script>', '" onmouseover="alert(1)', "javascript:alert(1)", "<img src=x onerror=alert(1)>"]


def test_security_headers_on_every_page(client, login):
    for response in (client.get("/login"), login("stttt").get("/my"), client.get("/healthz")):
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
        assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert "Strict-Transport-Security" not in response.headers  # plain HTTP
    assert login("stttt").get("/my").headers["Cache-Control"] == "no-store"


def test_hsts_and_secure_cookies_over_https(app):
    client = app.test_client()
    page = client.get("/login", base_url="https://plans.example").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/login", base_url="https://plans.example",
                           data={"csrf_token": token, "username": "stttt", "password": "demo-1958"})
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_no_page_carries_inline_script():
    from pathlib import Path

    for template in Path("templates").rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), template
        assert not re.search(r"\son[a-z]+=", text), template  # no inline event handlers
        assert "style=" not in text, template


def failed_login(client: UserClient, username: str, address: str = "127.0.0.1"):
    return client.post("/login", {"username": username, "password": "sai-mat-khau"},
                       environ_overrides={"REMOTE_ADDR": address})


def test_logins_are_throttled_per_account_across_every_worker(database_url, login):
    # Two app processes sharing the database, as two gunicorn workers do.
    first, second = make_app(database_url), make_app(database_url)
    for n in range(5):
        worker = first if n % 2 else second
        assert failed_login(UserClient(worker.test_client()), "stttt").status_code == 401
    locked = UserClient(first.test_client()).post("/login", {"username": "stttt", "password": "demo-1958"})
    assert locked.status_code == 429 and "tạm thời bị chặn" in locked.get_data(as_text=True)
    # Another account from the same address still logs in.
    assert login("snv").get("/my").status_code == 200
    # An unknown account is answered the same way: nothing tells which accounts exist.
    for _ in range(5):
        failed_login(UserClient(first.test_client()), "khong-ton-tai")
    unknown = failed_login(UserClient(first.test_client()), "khong-ton-tai")
    assert unknown.status_code == 429
    from webapp.extensions import db

    for app in (first, second):
        db.engine(app).dispose()


def test_logins_are_throttled_per_address(app, monkeypatch):
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 6
    for n in range(6):
        failed_login(UserClient(app.test_client()), f"nguoi-{n}", "10.0.0.7")
    blocked = UserClient(app.test_client()).post("/login", {"username": "stttt", "password": "demo-1958"},
                                                 environ_overrides={"REMOTE_ADDR": "10.0.0.7"})
    assert blocked.status_code == 429
    elsewhere = UserClient(app.test_client()).post("/login", {"username": "stttt", "password": "demo-1958"},
                                                   environ_overrides={"REMOTE_ADDR": "10.0.0.8"})
    assert elsewhere.status_code == 303
    later = clock.now() + timedelta(minutes=16)
    monkeypatch.setattr(clock, "now", lambda: later)
    again = UserClient(app.test_client()).post("/login", {"username": "stttt", "password": "demo-1958"},
                                               environ_overrides={"REMOTE_ADDR": "10.0.0.7"})
    assert again.status_code == 303  # the lock lasts 15 minutes


def test_a_password_change_makes_a_copied_session_useless(login, app):
    client = login("stttt")
    stolen = client.client.get_cookie("session").value
    assert client.post("/account/password", {"current": "demo-1958", "new": "Mat-khau-moi-9",
                                             "repeat": "Mat-khau-moi-9"}).status_code == 303
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    assert thief.get("/my").status_code == 303
    client.forget_token()
    assert client.get("/my").status_code == 200  # the user's own session carries on


def test_sessions_expire_after_inactivity_and_after_twelve_hours(login, monkeypatch):
    start = clock.now()
    client = login("stttt")
    monkeypatch.setattr(clock, "now", lambda: start + timedelta(minutes=59))
    assert client.get("/my").status_code == 200
    monkeypatch.setattr(clock, "now", lambda: start + timedelta(minutes=59 + 61))
    assert client.get("/my").status_code == 303  # an hour idle
    page = client.get("/login").get_data(as_text=True)  # says why, once
    assert "Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại." in page and "Vui lòng đăng nhập để tiếp tục" not in page
    monkeypatch.setattr(clock, "now", lambda: start)
    client = login("stttt")
    for minutes in range(50, 12 * 60, 50):  # busy all day long
        moment = start + timedelta(minutes=minutes)
        monkeypatch.setattr(clock, "now", lambda moment=moment: moment)
        assert client.get("/my").status_code == 200, minutes
    monkeypatch.setattr(clock, "now", lambda: start + timedelta(hours=12, minutes=5))
    assert client.get("/my").status_code == 303  # at most 12 hours after login


def test_the_session_cookie_is_sent_again_only_when_it_changes(login, monkeypatch):
    start = clock.now()
    client = login("stttt")
    assert "Set-Cookie" in client.get("/my").headers  # the first form after the login: a new CSRF token
    monkeypatch.setattr(clock, "now", lambda: start + timedelta(seconds=30))
    assert "Set-Cookie" not in client.get("/my").headers
    monkeypatch.setattr(clock, "now", lambda: start + timedelta(minutes=2))
    assert "Set-Cookie" in client.get("/my").headers  # the activity, noted at most once a minute


def test_a_new_session_at_login(app):
    client = UserClient(app.test_client())
    with client.client.session_transaction() as before:
        before["planted"] = "by someone else"
    client.post("/login", {"username": "stttt", "password": "demo-1958"})
    with client.client.session_transaction() as after:
        assert "planted" not in after and "login_at" in after


def test_wrong_user_and_wrong_password_take_the_same_path(app, monkeypatch):
    import webapp.services.accounts as accounts

    checks = []
    real = accounts.check_password_hash
    monkeypatch.setattr(accounts, "check_password_hash", lambda *a: checks.append(1) or real(*a))
    failed_login(UserClient(app.test_client()), "stttt")
    failed_login(UserClient(app.test_client()), "khong-co-ai")
    assert len(checks) == 2  # a hash is checked for an unknown user too


def test_passwords_are_never_logged(login, runner, caplog, session):
    caplog.set_level(logging.DEBUG)
    secret = "Bi-mat-khong-ghi-9"
    runner.invoke(args=["create-user", "--username", "nguoi-moi", "--password", secret, "--role", "leader"])
    client = login("nguoi-moi", secret)
    client.post("/account/password", {"current": secret, "new": secret + "x", "repeat": secret + "x"})
    failed_login(UserClient(client.client.application.test_client()), "nguoi-moi")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert secret not in logged
    session.rollback()
    assert not any(secret in (e.detail or "") for e in session.exec(select(AuditEvent)))


def test_a_request_too_large_is_refused(login, app):
    app.config["MAX_CONTENT_LENGTH"] = 10_000
    response = login("stttt").post("/tasks/B.8.1/units/stttt", {"version": "0", "result": "x" * 20_000})
    assert response.status_code == 413 and "Dữ liệu gửi lên quá lớn" in response.get_data(as_text=True)


def test_an_error_page_reveals_nothing_of_the_code(database_url, monkeypatch):
    app = make_app(database_url)
    app.config.update(TESTING=False, PROPAGATE_EXCEPTIONS=False)
    import webapp.units.routes as unit_routes

    def broken(*args, **kwargs):
        raise RuntimeError("sqlite:///secret/path password=xyz")

    monkeypatch.setattr(unit_routes, "unit_rows", broken)
    client = UserClient(app.test_client())
    client.post("/login", {"username": "stttt", "password": "demo-1958"})
    response = client.get("/my")
    body = response.get_data(as_text=True)
    assert response.status_code == 500 and "Lỗi hệ thống" in body
    assert "Traceback" not in body and "secret" not in body and "RuntimeError" not in body
    from webapp.extensions import db

    db.engine(app).dispose()


@pytest.mark.parametrize("payload", PAYLOADS)
def test_user_text_is_escaped_in_pages_and_partials(login, session, payload):
    stttt = login("stttt")
    fields = {"result": payload, "evidence_number": payload[:100], "difficulties": payload, "proposals": payload,
              "contribution_note": payload, "status": "blocked", "percent": "10"}
    partial = save_report(stttt, "B.8.1", "stttt", 0, **fields).get_data(as_text=True)
    snv = login("snv")
    snv_partial = snv.post("/tasks/B.8.1/units/snv", {"version": "0", "contribution_note": payload},
                           htmx=True).get_data(as_text=True)
    stttt.post("/tasks/B.8.1/units/stttt/extension", {"new_due_on": "30/06/2023", "reason": payload})
    admin = login("quan-tri")
    admin.post("/admin/units/sct", {"code": "sct", "name": payload, "short_name": payload[:50], "kind": "department",
                                    "parent": "", "aliases": ""})
    pages = [partial, snv_partial, stttt.get("/my").get_data(as_text=True),
             # A unit's home is kept once rendered (under the data stamp), whole and its rows alone,
             # with a search typed into the URL: asked again, it must come back as escaped.
             stttt.get("/my").get_data(as_text=True),
             stttt.get("/my", query_string={"q": payload}, htmx=True).get_data(as_text=True),
             stttt.get("/my", query_string={"q": payload}, htmx=True).get_data(as_text=True),
             stttt.get("/tasks/B.8.1").get_data(as_text=True),
             login("snv-ra-soat").get("/review").get_data(as_text=True),
             # The overview's cached fragments are marked safe once rendered: the text in them, and
             # a search typed into the URL, must have been escaped by then.
             login("snv-ra-soat").get("/tasks").get_data(as_text=True),
             login("snv-ra-soat").get("/tasks", query_string={"q": payload, "page": "2"}).get_data(as_text=True),
             login("lanh-dao").get("/dashboard").get_data(as_text=True),
             login("lanh-dao").get("/exports/print").get_data(as_text=True),
             admin.get("/admin/units").get_data(as_text=True)]
    for page in pages:
        for raw in ('<script>alert("x")</script>', '" onmouseover="alert(1)', "<img src=x onerror=alert(1)>"):
            assert raw not in page
        assert 'href="javascript:' not in page
    assert "&lt;script&gt;" in pages[2] or "&#34; onmouseover=&#34;" in pages[2] or "javascript:alert(1)" in pages[2] \
        or "&lt;img" in pages[2]


def test_only_an_escaping_template_is_kept_as_safe_html(app):
    """A kept fragment is marked safe HTML: a template that does not escape what it shows (not
    HTML) is refused before anything is rendered or kept."""
    with app.test_request_context():
        with pytest.raises(ValueError, match="does not escape"):
            fragments().rendered(("plain text",), "mail/reminder.txt", lambda: {"text": "<script>"})
        assert fragments().get(("plain text",)) is None


def test_security_events_are_logged_and_an_admin_sees_and_exports_them(login, app, session):
    failed_login(UserClient(app.test_client()), "stttt")
    stttt = login("stttt")
    stttt.get("/tasks")  # refused: a unit does not see the overview
    stttt.post("/account/password", {"current": "demo-1958", "new": "Mat-khau-moi-9", "repeat": "Mat-khau-moi-9"})
    admin = login("quan-tri")
    admin.post("/admin/units/sct/active", {})
    login("lanh-dao").get("/exports/report.xlsx")
    session.rollback()
    events = {(e.event, e.username) for e in session.exec(select(AuditEvent))}
    for expected in [("login_failed", "stttt"), ("login", "stttt"), ("permission_refused", "stttt"),
                     ("password_changed", "stttt"), ("admin", "quan-tri"), ("export", "lanh-dao")]:
        assert expected in events, expected
    page = admin.get("/admin/audit").get_data(as_text=True)
    assert "Đăng nhập sai" in page and "Bị từ chối quyền" in page and "GET /tasks" in page
    exported = admin.get("/admin/audit.csv?event=login_failed").data.decode("utf-8-sig")
    assert exported.splitlines()[0] == "Thời điểm,Sự kiện,Tài khoản,Địa chỉ,Chi tiết,Mã sự kiện"
    assert ",Đăng nhập sai,stttt," in exported and exported.splitlines()[1].endswith(",login_failed")
    # An account is found by the start of its name, whatever the capitals; an unknown event is said so.
    assert "Đổi mật khẩu" in admin.get("/admin/audit?username=STT").get_data(as_text=True)
    assert "quan-tri" in admin.get("/admin/audit?username=quan").get_data(as_text=True)
    unknown = admin.get("/admin/audit?event=bogus")
    assert unknown.status_code == 400 and "Không có sự kiện «bogus» để lọc" in unknown.get_data(as_text=True)
    assert login("snv-ra-soat").get("/admin/audit").status_code == 403


def test_an_error_the_handler_cannot_render_still_carries_the_security_headers(database_url, monkeypatch):
    """A broken database connection breaks the error page too (it shows the plans in its
    header): the last-resort page answers, with every security header."""
    app = make_app(database_url)
    app.config.update(TESTING=False, PROPAGATE_EXCEPTIONS=False)
    import webapp.rendering as rendering

    def broken(*args, **kwargs):
        raise RuntimeError("the template could not be rendered")

    monkeypatch.setattr(rendering, "render_template", broken)
    response = app.test_client().get("/khong-co-trang-nay")
    assert response.status_code == 500 and "Lỗi hệ thống" in response.get_data(as_text=True)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    from webapp.extensions import db

    db.engine(app).dispose()


def test_an_error_rolls_back_what_the_request_had_done(database_url, monkeypatch, login, session):
    """A save that fails half-way in the database leaves nothing behind, and the error page
    (which reads the database for its header) still renders as a page of the site."""
    import webapp.tasks.routes as task_routes
    from webapp.models import Report

    def save_then_fail(session_, **kwargs):
        session_.add(Report(task_id=kwargs["task"].id, unit_id=kwargs["unit"].id, result="nửa chừng"))
        session_.add(Report(task_id=kwargs["task"].id, unit_id=kwargs["unit"].id, result="lần hai"))
        session_.flush()  # the second breaks the unique (task, unit): the session must be rolled back

    monkeypatch.setattr(task_routes, "save_report", save_then_fail)
    client = login("stttt")
    client.client.application.config.update(TESTING=False, PROPAGATE_EXCEPTIONS=False)
    response = client.post("/tasks/B.8.1/units/stttt", {**LEAD_FIELDS, "status": "in_progress", "percent": "5",
                                                         "result": "x", "version": "0"})
    body = response.get_data(as_text=True)
    assert response.status_code == 500 and "Lỗi hệ thống" in body and "Đăng xuất" in body  # the site's own page
    assert response.headers["X-Frame-Options"] == "DENY"
    session.rollback()
    assert not session.exec(select(Report).where(Report.result == "nửa chừng")).all()


def test_the_database_and_backups_are_readable_by_their_owner_only(tmp_path, monkeypatch, runner):
    import os
    import stat

    monkeypatch.setattr(os, "umask", os.umask)  # restored by monkeypatch after the test
    os.umask(0o022)  # as most servers run: files readable by everyone unless the app says otherwise
    instance = tmp_path / "instance"
    url = f"sqlite:///{instance / 'plan-tracker.sqlite3'}"
    from webapp.database import make_engine
    from webapp.schema import upgrade
    from webapp.services import backup

    engine = make_engine(url)
    upgrade(engine)
    with engine.begin() as connection:  # writing creates the WAL and shared-memory files
        connection.exec_driver_sql("CREATE TABLE scratch (x)")
        files = [instance / "plan-tracker.sqlite3", instance / "plan-tracker.sqlite3-wal",
                 instance / "plan-tracker.sqlite3-shm"]
        modes = {f.name: stat.S_IMODE(f.stat().st_mode) for f in files}
    engine.dispose()
    assert modes == {f.name: 0o600 for f in files}
    assert stat.S_IMODE(instance.stat().st_mode) == 0o700
    made = backup.backup(url, instance / "backups")
    assert stat.S_IMODE(made.stat().st_mode) == 0o600 and stat.S_IMODE(made.parent.stat().st_mode) == 0o700
