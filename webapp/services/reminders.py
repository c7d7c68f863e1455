"""What a unit should be reminded of, in every plan it follows, on its home page and in a
daily e-mail digest: rows due within 7 days, overdue, returned by the reviewer, not yet sent
for their plan's open period, or changed since sent. At most one digest a unit a day, so a daily cron job is safe to run again."""

import smtplib
from dataclasses import dataclass, field
from datetime import date, timedelta
from email.header import Header
from email.mime.text import MIMEText

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from ..models import Period, Plan, ReminderLog, ReviewState, Role, Unit, User, UserRole
from . import clock
from .periods import open_periods
from .rows import Filters, ReportRow, unit_rows
from .text import by_vietnamese_name

SOON = timedelta(days=7)


@dataclass
class Reminders:
    periods: list[tuple[Plan, Period]] = field(default_factory=list)  # the plans' open periods
    due_soon: list[ReportRow] = field(default_factory=list)
    overdue: list[ReportRow] = field(default_factory=list)
    returned: list[ReportRow] = field(default_factory=list)
    not_sent: list[ReportRow] = field(default_factory=list)
    changed: list[ReportRow] = field(default_factory=list)  # sent, then changed: to be sent again

    def __bool__(self) -> bool:
        return bool(self.due_soon or self.overdue or self.returned or self.not_sent or self.changed)

    @property
    def plans(self) -> list[Plan]:
        """The plans the reminders concern, in the order of their rows."""
        found = {}
        for row in self.overdue + self.due_soon + self.returned + self.changed + self.not_sent:
            found.setdefault(row.plan.id, row.plan)
        return list(found.values())


def reminders_for(session: Session, *, plans: list[Plan], unit: Unit, today: date) -> Reminders:
    periods = open_periods(session, plans)
    rows = unit_rows(session, plans=plans, unit=unit, today=today, filters=Filters(role="lead"), periods=periods)
    return reminders_from(rows, plans=plans, periods=periods, today=today)


def reminders_from(rows: list[ReportRow], *, plans: list[Plan], periods: dict[int, Period],
                   today: date) -> Reminders:
    """The reminders among a unit's rows of those plans (its lead rows count; the page may pass
    all its rows)."""
    found = Reminders([(plan, periods[plan.id]) for plan in plans if plan.id in periods])
    for row in rows:
        if row.role != Role.LEAD:
            continue
        due = row.status.due_on
        if row.status.overdue:
            found.overdue.append(row)
        elif due and today <= due <= today + SOON and not row.status.code.value.startswith("done"):
            found.due_soon.append(row)
        if row.period is not None:
            if row.copy is not None and row.copy.state == ReviewState.RETURNED:
                found.returned.append(row)
            elif row.copy is None:
                found.not_sent.append(row)
            elif row.changed_since_sent:
                found.changed.append(row)
    return found


def digest(unit: Unit, reminders: Reminders) -> tuple[str, str]:
    """The e-mail's subject and plain-text body, in Vietnamese, over every plan followed."""
    plans = reminders.plans
    several = len(plans) > 1
    about = "các kế hoạch" if several else f"Kế hoạch số {plans[0].number}"
    lines = [f"Kính gửi {unit.name},", "", f"Tình hình thực hiện {about} của đơn vị cần lưu ý:", ""]

    def section(title: str, rows: list[ReportRow], detail) -> None:
        if rows:
            lines.append(f"{title} ({len(rows)}):")
            lines.extend(f"  - {f'KH {row.plan.number} · ' if several else ''}{row.task.ref}: {detail(row)}"
                         for row in rows)
            lines.append("")

    def due(row: ReportRow) -> str:
        return f"hạn {row.status.due_on.strftime('%d/%m/%Y')}" if row.status.due_on else "chưa có hạn"

    section("Nhiệm vụ chủ trì quá hạn", reminders.overdue, lambda r: f"{due(r)}, quá hạn {-r.status.days_left} ngày")
    section("Đến hạn trong 7 ngày", reminders.due_soon, due)
    section("Bị trả lại, cần sửa và gửi lại", reminders.returned, lambda r: r.copy.review_comment or "")
    section("Đã sửa sau khi gửi, cần gửi lại", reminders.changed, lambda r: f"kỳ {r.period.label}")
    section("Chưa gửi báo cáo kỳ", reminders.not_sent,
            lambda r: f"kỳ {r.period.label}, hạn gửi {r.period.deadline.strftime('%d/%m/%Y')}")
    lines.append("Cập nhật tại trang «Việc của đơn vị» của hệ thống theo dõi kế hoạch.")
    tag = "Theo dõi kế hoạch" if several else f"Kế hoạch {plans[0].number}"
    subject = f"[{tag}] {unit.short_name or unit.name}: việc cần lưu ý"
    return subject, "\n".join(lines)


@dataclass
class SmtpSettings:
    host: str
    port: int = 25
    username: str = ""
    password: str = ""
    starttls: bool = False
    sender: str = "theo-doi-ke-hoach@localhost"


@dataclass
class Outcome:
    unit_code: str
    sent: bool
    reason: str


def send_reminders(session: Session, *, plans: list[Plan], today: date, smtp: SmtpSettings) -> list[Outcome]:
    """E-mail each unit with something to be reminded of, in any of the plans, its digest, once a day."""
    outcomes = []
    recipients_of: dict[int, list[str]] = {}
    for unit_id, email in session.exec(
        select(User.unit_id, User.email).where(User.role == UserRole.UNIT, User.active, User.email != "")
    ):
        recipients_of.setdefault(unit_id, []).append(email)
    for unit in by_vietnamese_name(session.exec(select(Unit).where(Unit.active).order_by(Unit.id))):
        reminders = reminders_for(session, plans=plans, unit=unit, today=today)
        if not reminders:
            continue
        recipients = recipients_of.get(unit.id)
        if not recipients:
            outcomes.append(Outcome(unit.code, False, "không có tài khoản nào của đơn vị có địa chỉ e-mail"))
            continue
        # Claim today's digest first: a second run, or another server, finds it taken.
        session.add(ReminderLog(unit_id=unit.id, sent_on=today, sent_at=clock.now(), recipients=", ".join(recipients)))
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            outcomes.append(Outcome(unit.code, False, "đã gửi hôm nay"))
            continue
        subject, body = digest(unit, reminders)
        message = MIMEText(body, "plain", "utf-8")
        # Header() keeps the spaces of a long Vietnamese subject across encoded words,
        # which the newer header folding drops ("việc cần" came out as "việccần").
        message["Subject"] = Header(subject, "utf-8")
        message["From"], message["To"] = smtp.sender, ", ".join(recipients)
        try:
            with smtplib.SMTP(smtp.host, smtp.port, timeout=30) as server:
                if smtp.starttls:
                    server.starttls()
                if smtp.username:
                    server.login(smtp.username, smtp.password)
                server.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            # Not sent: release the day's claim so that the next run tries again.
            session.delete(session.get(ReminderLog, (unit.id, today)))
            session.commit()
            outcomes.append(Outcome(unit.code, False, f"lỗi gửi thư: {exc}"))
            continue
        outcomes.append(Outcome(unit.code, True, ", ".join(recipients)))
    return outcomes
