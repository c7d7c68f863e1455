"""The audit log of security events."""

import logging

from sqlalchemy import func
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from ..database import lock_for_write
from ..models import AuditEvent
from . import clock
from .paging import Page
from .spreadsheet_text import csv_bytes

log = logging.getLogger(__name__)

EVENT_LABELS = {
    "login": "Đăng nhập",
    "login_failed": "Đăng nhập sai",
    "login_locked": "Đăng nhập bị chặn tạm thời",
    "logout": "Đăng xuất",
    "password_changed": "Đổi mật khẩu",
    "permission_refused": "Bị từ chối quyền",
    "admin": "Thao tác quản trị",
    "export": "Xuất dữ liệu",
    "due_date": "Đặt hạn nhiệm vụ",
    "period_closed": "Đóng kỳ báo cáo",
    "period_reopened": "Mở lại kỳ báo cáo",
}


def record(session: Session, event: str, *, user_id: int | None = None, username: str = "", address: str = "",
           detail: str = "") -> None:
    """Commit what the session holds (callers record after their work), then add the event in a
    short transaction of its own that takes the write lock up front.

    A read that is audited (an export, a refusal) must not fail because of its audit row: if
    the lock cannot be had within the busy timeout, the event goes to the error log instead.
    """
    session.commit()
    try:
        lock_for_write(session)
        session.add(AuditEvent(at=clock.now(), event=event, user_id=user_id, username=username[:150],
                               address=address[:60], detail=detail[:2000]))
        session.commit()
    except OperationalError:
        session.rollback()
        log.exception("audit event not recorded: %s %s %s", event, username, detail)


PAGE_SIZE = 100


def events(*, event: str = "", username: str = ""):
    """The events asked for, newest first (a statement: the page and the CSV cut it apart). An
    account is found by the start of its name, whatever the capitals: usernames are the same
    whatever their capitals, and a failed login keeps the name as typed."""
    statement = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if event:
        statement = statement.where(AuditEvent.event == event)
    if username:
        statement = statement.where(func.lower(AuditEvent.username).startswith(username.lower(), autoescape=True))
    return statement


def page(session: Session, *, number: int, event: str = "", username: str = "") -> Page:
    return Page.query(session, events(event=event, username=username), number, PAGE_SIZE)


CSV_ROWS = 100_000  # the newest events a CSV export carries


def for_csv(session: Session, *, event: str = "", username: str = "") -> list[AuditEvent]:
    return session.exec(events(event=event, username=username).limit(CSV_ROWS)).all()


def to_csv(events: list[AuditEvent]) -> bytes:
    """In the page's words; the event's code last, for a program that reads the file."""
    return csv_bytes(["Thời điểm", "Sự kiện", "Tài khoản", "Địa chỉ", "Chi tiết", "Mã sự kiện"],
                     ([clock.local(e.at).isoformat(timespec="seconds"), EVENT_LABELS.get(e.event, e.event),
                       e.username, e.address, e.detail, e.event] for e in events))
