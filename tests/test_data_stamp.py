"""A unit's home is kept for the person between changes (cached under the data stamp) and is
never stale: whatever writes — a page, a service, plain SQL, another app server — the next
view shows it; the forms of a kept page post with the session that asked for it."""

import re
from contextlib import contextmanager

from sqlalchemy import event, text
from sqlmodel import Session

from webapp.database import data_stamp, make_engine
from webapp.extensions import db

from .factories import TOKEN, UserClient, open_period

# A change no revision or history records: only the stamp tells that the page is old.
ROW_TEXT = "UPDATE task SET content = :content WHERE ref = 'A.I.3'"
FORM_TOKEN = re.compile(r'<input type="hidden" name="csrf_token" value="([^"]+)">')
SAVE = {"version": "0", "view": "unit", "status": "in_progress", "percent": "20", "result": "Đã lưu",
        "evidence_number": "", "evidence_date": "", "difficulties": "", "proposals": "", "contribution_note": ""}


def stamp(engine) -> int:
    with Session(engine) as session:
        return data_stamp(session)


@contextmanager
def recording(app, statements: list[str]):
    """Every statement the app sends to its database meanwhile, in statements."""
    def record(_conn, _cursor, statement, *_):
        statements.append(statement)

    event.listen(db.engine(app), "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine(app), "before_cursor_execute", record)


def statements_of(app, fetch) -> int:
    statements = []
    with recording(app, statements):
        assert fetch().status_code == 200
    return len(statements)


def write_elsewhere(database_url: str, statement: str, **values) -> None:
    """A change made through an engine of its own, as another app server or a command makes it."""
    engine = make_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text(statement), values)
    engine.dispose()


def test_every_committed_write_moves_the_stamp_on_and_nothing_else_does(app, login, database_url):
    engine = db.engine(app)
    unit = login("stttt")
    before = stamp(engine)
    for path in ("/my", "/tasks/A.I.3", "/indicators/mine"):
        assert unit.get(path).status_code == 200
    assert stamp(engine) == before  # reading writes nothing
    with Session(engine) as session:
        session.connection().exec_driver_sql("UPDATE task SET content = 'bỏ dở'")
        session.rollback()
    assert stamp(engine) == before  # undone: nothing changed
    write_elsewhere(database_url, ROW_TEXT, content="Ghi từ máy chủ khác")
    assert stamp(engine) == before + 1
    saved = unit.post("/tasks/A.I.3/units/stttt", SAVE, htmx=True)
    assert saved.status_code == 200 and stamp(engine) == before + 2


def test_logins_leave_the_stamp_and_the_kept_pages_as_they_are(app, login):
    engine = db.engine(app)
    unit = login("stttt")
    login("snv")  # a first login also keeps the plan the account follows (a change)
    unit.get("/my")
    before = stamp(engine)
    login("snv")  # another unit signs in again: an audit row only
    refused = UserClient(app.test_client()).post("/login", {"username": "snv", "password": "sai mật khẩu"})
    assert refused.status_code == 401  # refused: a failed login counted
    assert stamp(engine) == before
    assert statements_of(app, lambda: unit.get("/my")) <= 2  # still the kept page


def test_a_units_home_is_kept_until_anything_changes_and_then_shows_the_change(app, login, database_url):
    unit = login("stttt")
    first = statements_of(app, lambda: unit.get("/my"))
    page = unit.get("/my").get_data(as_text=True)
    again = statements_of(app, lambda: unit.get("/my"))
    # Kept whole, header included: only the account is read, the stamp with it (and SQLite's BEGIN).
    assert again <= 2 < first, (first, again)
    assert "Ghi từ máy chủ khác" not in page
    write_elsewhere(database_url, ROW_TEXT, content="Ghi từ máy chủ khác")
    assert "Ghi từ máy chủ khác" in unit.get("/my").get_data(as_text=True)
    # The rows alone (a filter, through htmx) are kept and renewed the same way.
    assert "Ghi từ máy chủ khác" in unit.get("/my?q=A.I.3", htmx=True).get_data(as_text=True)
    write_elsewhere(database_url, ROW_TEXT, content="Sửa lần hai")
    assert "Sửa lần hai" in unit.get("/my?q=A.I.3", htmx=True).get_data(as_text=True)


def test_a_message_to_show_once_is_shown_on_a_kept_page_and_then_gone(login):
    unit = login("stttt")
    unit.get("/my")  # kept; saying there is nothing to send writes nothing, so the stamp stays
    assert unit.post("/my/submit", {"count": "0"}).status_code == 303
    assert "Không có báo cáo nào cần gửi." in unit.get("/my").get_data(as_text=True)
    assert "Không có báo cáo nào cần gửi." not in unit.get("/my").get_data(as_text=True)


def test_each_person_gets_a_page_of_their_own(login):
    lead, supporter = login("stttt"), login("snv")
    assert 'id="report-1958-qd-ubnd-A.I.3-stttt"' in lead.get("/my").get_data(as_text=True)
    page = supporter.get("/my").get_data(as_text=True)
    assert 'id="report-1958-qd-ubnd-A.I.3-snv"' in page and "-stttt\"" not in page


def test_the_forms_of_a_kept_page_carry_the_token_of_the_session_that_asked(login):
    reviewer = login("snv-ra-soat")
    assert open_period(reviewer, "Quý IV/2026", "01/10/2026", "31/12/2026", "05/01/2027").status_code in (200, 303)
    phone, desk = login("stttt"), login("stttt")  # one account, two sessions: the second gets the kept page
    kept = [phone.get("/my").get_data(as_text=True), desk.get("/my").get_data(as_text=True)]
    tokens = []
    for page in kept:
        in_forms = set(TOKEN.findall(page)) | set(FORM_TOKEN.findall(page))
        in_header = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
        assert in_forms == {in_header}  # every form carries this request's token
        tokens.append(in_header)
    assert "Gửi báo cáo" in kept[1]
    # The second session sends a row with the token its kept page gave it.
    sent = desk.post("/tasks/A.I.3/units/stttt/submit", {"csrf_token": tokens[1], "view": "unit", "blank": "confirmed"},
                     csrf=False)
    assert sent.status_code == 303
    assert "Đã gửi, chờ duyệt" in desk.get("/my").get_data(as_text=True)
