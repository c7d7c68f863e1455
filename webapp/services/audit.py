"""The audit log of security events."""

import csv
import io

from sqlmodel import Session, select

from ..models import AuditEvent
from . import clock

EVENT_LABELS = {
    "login": "Đăng nhập",
    "login_failed": "Đăng nhập sai",
    "login_locked": "Đăng nhập bị chặn tạm thời",
    "logout": "Đăng xuất",
    "password_changed": "Đổi mật khẩu",
    "permission_refused": "Bị từ chối quyền",
    "admin": "Thao tác quản trị",
    "export": "Xuất dữ liệu",
}


def record(session: Session, event: str, *, user_id: int | None = None, username: str = "", address: str = "",
           detail: str = "") -> None:
    """Add the event and commit it (with whatever the session holds: callers record after their work)."""
    session.add(AuditEvent(at=clock.now(), event=event, user_id=user_id, username=username[:150],
                           address=address[:60], detail=detail[:2000]))
    session.commit()


def recent(session: Session, *, event: str = "", username: str = "", limit: int = 500) -> list[AuditEvent]:
    statement = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
    if event:
        statement = statement.where(AuditEvent.event == event)
    if username:
        statement = statement.where(AuditEvent.username == username)
    return session.exec(statement).all()


def to_csv(events: list[AuditEvent]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["at", "event", "username", "address", "detail"])
    for e in events:
        detail = "'" + e.detail if e.detail.startswith(("=", "+", "-", "@")) else e.detail
        writer.writerow([clock.local(e.at).isoformat(timespec="seconds"), e.event, e.username, e.address, detail])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
