"""Reminders: what a unit sees on its home page, and the daily e-mail digest sent through
a real SMTP server started on loopback, at most once a unit a day."""

import re
import threading
from datetime import date

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import Session, select

from webapp.extensions import db
from webapp.models import Plan, Unit
from webapp.services import clock
from webapp.services.reminders import reminders_for

from .databases import _free_port
from .factories import open_period, save_report


class Inbox:
    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


@pytest.fixture
def on_day(monkeypatch):
    def set_day(day: date) -> None:
        monkeypatch.setattr(clock, "today", lambda: day)

    return set_day


def reminders(app, unit_code: str, day: date):
    with Session(db.engine(app)) as session:
        plan = session.exec(select(Plan)).one()
        unit = session.exec(select(Unit).where(Unit.code == unit_code)).one()
        return reminders_for(session, plans=[plan], unit=unit, today=day)


def refs(rows) -> set[str]:
    return {row.task.ref for row in rows}


def test_what_a_unit_is_reminded_of(app, login, on_day, session):
    on_day(date(2022, 12, 26))
    reviewer = login("snv-ra-soat")
    open_period(reviewer, "Quý IV/2022", "01/10/2022", "31/12/2022", "05/01/2023")
    found = reminders(app, "stttt", date(2022, 12, 26))
    assert {"B.8.1", "A.II.3", "A.II.4", "A.II.7"} <= refs(found.due_soon)  # due 31/12/2022, 5 days away
    assert "A.I.7" not in refs(found.overdue)  # yearly rows are due at the year's end
    assert "A.I.3" not in refs(found.overdue)  # waiting for guidance: never overdue
    assert refs(found.not_sent) >= refs(found.due_soon)
    stttt = login("stttt")
    save_report(stttt, "B.8.1", "stttt", 0, status="in_progress", percent="50")
    stttt.post("/tasks/B.8.1/units/stttt/submit", {})
    from webapp.models import PeriodReport

    session.rollback()
    copy = session.exec(select(PeriodReport)).one()
    reviewer.post(f"/review/reports/{copy.id}/return", {"comment": "Thiếu số liệu"})
    found = reminders(app, "stttt", date(2022, 12, 26))
    assert refs(found.returned) == {"B.8.1"} and "B.8.1" not in refs(found.not_sent)
    page = stttt.get("/my").get_data(as_text=True)
    assert "Cần lưu ý" in page and "báo cáo bị trả lại" in page and "hạn gửi <strong>05/01/2023</strong>" in page
    # Each ref keeps its comma, on its line: «A.II.3, A.II.4», never «A.II.3 ,» or a comma wrapped alone.
    listed = page.split('class="reminder-list"', 1)[1].split("</ul>", 1)[0]
    assert re.search(r'<span class="ref-item"><a [^>]*>[^<]+</a>,</span> <span class="ref-item">', listed)
    found = reminders(app, "stttt", date(2023, 1, 3))
    assert "A.II.4" in refs(found.overdue)


def test_the_digest_goes_out_once_a_day_through_smtp(app, runner, on_day, smtp_server):
    controller, inbox = smtp_server
    on_day(date(2022, 12, 26))
    assert runner.invoke(args=["create-user", "--username", "dau-moi-stttt", "--password", "mat-khau-8",
                               "--role", "unit", "--unit", "stttt", "--email", "stttt@thaibinh.gov.vn"]).exit_code == 0
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port, MAIL_FROM="theo-doi@thaibinh.gov.vn")
    first = runner.invoke(args=["send-reminders"])
    assert first.exit_code == 0, first.output
    assert "stttt: đã gửi (stttt@thaibinh.gov.vn)" in first.output
    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert message.rcpt_tos == ["stttt@thaibinh.gov.vn"]
    body = message.content.decode()
    assert "Subject:" in body and "=?utf-8?" in body  # the Vietnamese subject is encoded
    import email

    parsed = email.message_from_bytes(message.content, policy=email.policy.default)
    assert "Đến hạn trong 7 ngày" in parsed.get_content() and "B.8.1" in parsed.get_content()
    assert "việc cần lưu ý" in parsed["Subject"]

    second = runner.invoke(args=["send-reminders"])
    assert "stttt: không gửi (đã gửi hôm nay)" in second.output
    assert len(inbox.messages) == 1

    on_day(date(2022, 12, 27))
    runner.invoke(args=["send-reminders"])
    assert len(inbox.messages) == 2


def test_without_an_smtp_server_no_mail_is_sent_and_it_says_so(runner):
    result = runner.invoke(args=["send-reminders"])
    assert result.exit_code == 0
    assert "Chưa cấu hình máy chủ thư (SMTP_HOST)" in result.output


def test_a_failed_delivery_is_tried_again_on_the_next_run(app, runner, on_day, smtp_server):
    controller, inbox = smtp_server
    on_day(date(2022, 12, 26))
    runner.invoke(args=["create-user", "--username", "dau-moi-stttt", "--password", "mat-khau-8", "--role", "unit",
                        "--unit", "stttt", "--email", "stttt@thaibinh.gov.vn"])
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=_free_port())  # nothing listens there
    failed = runner.invoke(args=["send-reminders"])
    assert "stttt: không gửi (lỗi gửi thư" in failed.output
    app.config.update(SMTP_PORT=controller.port)
    runner.invoke(args=["send-reminders"])
    assert len(inbox.messages) == 1
