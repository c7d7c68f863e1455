"""What the reviewer settles on a row after the plan: deadlines that move (extensions a
lead unit asks for, the date set for a row that waited for guidance; lateness is then
judged against the new date while the original stays visible), and the units named where
a cell said only "các cơ quan có liên quan"."""

from collections import defaultdict
from datetime import date

from sqlalchemy import Row, bindparam
from sqlmodel import Session, select

from ..database import PreparedRead, lock_for_write, shown_rows
from ..models import (
    Assignment,
    Extension,
    ExtensionState,
    Plan,
    ReportChange,
    ReportStatus,
    Role,
    Task,
    Unit,
    User,
)
from . import clock
from .reports import ensure_report, get_report
from .status import base_due


class DeadlineError(ValueError):
    """A request that cannot be taken; the message is in Vietnamese."""


def approved_extensions(session: Session, task_ids) -> dict[tuple[int, int], list[tuple[date | None, date]]]:
    """(task, unit) -> [(deadline it moved, new date)], oldest decision first."""
    found = defaultdict(list)
    task_ids = list(task_ids)
    if not task_ids:
        return found
    for task_id, unit_id, original, new in session.exec(
        select(Extension.task_id, Extension.unit_id, Extension.original_due_on, Extension.new_due_on)
        .where(Extension.task_id.in_(task_ids), Extension.state == ExtensionState.APPROVED)
        .order_by(Extension.decided_at, Extension.id)
    ):
        found[(task_id, unit_id)].append((original, new))
    return found


EXTENSIONS_OF_ROWS = PreparedRead(
    select(Extension)
    .where(Extension.task_id.in_(bindparam("task_ids", expanding=True)),
           Extension.state.in_([ExtensionState.APPROVED, ExtensionState.PENDING]))
    .order_by(Extension.decided_at, Extension.id),
    Extension.unit_id,
)


def extensions_of_rows(session: Session, task_ids: list[int], unit_id: int | None = None
                       ) -> tuple[dict[tuple[int, int], list[tuple[date | None, date]]], dict[tuple[int, int], Row]]:
    """For the rows of these tasks (of one unit, if given), in one query: the approved
    extensions as approved_extensions gives them, and each row's pending request (its
    columns, to be shown)."""
    approved, pending = defaultdict(list), {}
    for extension in shown_rows(session, EXTENSIONS_OF_ROWS.of(unit_id), {"task_ids": task_ids, "unit_id": unit_id}):
        row = (extension.task_id, extension.unit_id)
        if extension.state == ExtensionState.APPROVED:
            approved[row].append((extension.original_due_on, extension.new_due_on))
        else:
            pending[row] = extension
    return approved, pending


def extended_to(task: Task, unit_id: int, approved: dict, as_of: date) -> date | None:
    """The unit's approved date for the row's deadline in force on as_of, if any.

    An extension moves one deadline: that of a yearly row's year, not the next year's.
    """
    decisions = approved.get((task.id, unit_id))
    if not decisions:
        return None
    base = base_due(task, as_of)
    moved = None
    for original, new in decisions:
        if original == base:
            moved = new
    return moved


def pending_extension(session: Session, task: Task, unit: Unit) -> Extension | None:
    return session.exec(
        select(Extension).where(Extension.task_id == task.id, Extension.unit_id == unit.id,
                                Extension.state == ExtensionState.PENDING)
    ).first()


def request_extension(session: Session, *, task: Task, unit: Unit, user: User, new_due_on: date, reason: str,
                      today: date) -> Extension:
    """A lead unit asks for a later date: one request at a time, for a date still ahead."""
    lock_for_write(session)  # two requests sent at once: the second sees the first
    waiting = pending_extension(session, task, unit)
    if waiting:
        session.rollback()
        raise DeadlineError(f"Đơn vị đã đề nghị gia hạn đến {waiting.new_due_on:%d/%m/%Y} và đề nghị đó đang chờ "
                            "Sở Nội vụ duyệt: chưa gửi được đề nghị khác.")
    if _finished(session, task, unit):
        session.rollback()
        raise DeadlineError("Báo cáo của đơn vị đã là «Hoàn thành»: không cần gia hạn. Nếu việc chưa xong, hãy sửa "
                            "tình trạng trước.")
    original = base_due(task, today)
    if original is None:
        session.rollback()
        raise DeadlineError("Nhiệm vụ này chưa có hạn để gia hạn.")
    current = extended_to(task, unit.id, approved_extensions(session, [task.id]), today) or original
    if new_due_on <= current:
        session.rollback()
        raise DeadlineError(f"Hạn mới phải sau hạn hiện tại ({current:%d/%m/%Y}).")
    if new_due_on < today:
        session.rollback()
        raise DeadlineError(f"Hạn mới ({new_due_on:%d/%m/%Y}) đã qua: hãy chọn một ngày từ hôm nay "
                            f"({today:%d/%m/%Y}) trở đi.")
    if not reason.strip():
        session.rollback()
        raise DeadlineError("Hãy nêu lý do xin gia hạn.")
    extension = Extension(task_id=task.id, unit_id=unit.id, original_due_on=original, new_due_on=new_due_on,
                          reason=reason.strip(), requested_by_id=user.id, requested_at=clock.now())
    session.add(extension)
    _record(session, task, unit, user, "extension", "",
            f"Đề nghị gia hạn đến {new_due_on.strftime('%d/%m/%Y')}: {reason.strip()}")
    session.commit()
    return extension


def _finished(session: Session, task: Task, unit: Unit) -> bool:
    report = get_report(session, task, unit)
    return report is not None and report.status == ReportStatus.DONE


def decide_extension(session: Session, *, extension: Extension, user: User, approve: bool, comment: str) -> Extension:
    lock_for_write(session)  # two decisions sent at once: the second sees the first
    session.refresh(extension)
    if extension.state != ExtensionState.PENDING:
        session.rollback()
        raise DeadlineError("Đề nghị này đã được xử lý.")
    if not approve and not comment.strip():
        session.rollback()
        raise DeadlineError("Hãy nêu lý do không đồng ý gia hạn.")
    task, unit = session.get(Task, extension.task_id), session.get(Unit, extension.unit_id)
    if approve and _finished(session, task, unit):
        # A later date given to work already finished would make a late finish an early one.
        session.rollback()
        raise DeadlineError(f"{unit.name} đã báo cáo «Hoàn thành» {task.ref} sau khi đề nghị: gia hạn không còn cần. "
                            "Hãy chọn «Không đồng ý» và ghi lý do đó.")
    extension.state = ExtensionState.APPROVED if approve else ExtensionState.REFUSED
    extension.decided_by_id = user.id
    extension.decided_at = clock.now()
    extension.decision_comment = comment.strip()
    verdict = "Đồng ý gia hạn" if approve else "Không đồng ý gia hạn"
    _record(session, task, unit, user, "extension", "Chờ duyệt",
            f"{verdict} đến {extension.new_due_on.strftime('%d/%m/%Y')}" + (f": {comment.strip()}" if comment.strip() else ""))
    session.commit()
    return extension


def set_due_date(session: Session, *, task: Task, user: User, due_on: date | None) -> Task:
    """The reviewer gives a row its date: when the guidance it waited for gives one, or to
    correct the reading of its timeframe. The text as written stays; None goes back to the
    reading of the text."""
    lock_for_write(session)
    task.set_due_on = due_on
    session.add(task)
    plan = session.get(Plan, task.plan_id)
    session.refresh(plan)  # the revision as the last writer left it
    plan.revision += 1  # the plan's rows changed: cached lists render again
    session.add(plan)
    session.commit()
    return task


def name_unit(session: Session, *, task: Task, unit: Unit, role: Role, user: User) -> Assignment:
    """Where a cell says only "các cơ quan có liên quan", the reviewer names the unit."""
    lock_for_write(session)
    if session.exec(select(Assignment).where(Assignment.task_id == task.id, Assignment.unit_id == unit.id)).first():
        session.rollback()
        raise DeadlineError(f"«{unit.name}» đã có vai trò ở nhiệm vụ {task.ref}.")
    if not unit.active:
        session.rollback()
        raise DeadlineError(f"«{unit.name}» đã ngừng hoạt động.")
    assignment = Assignment(task_id=task.id, unit_id=unit.id, role=role, phrase="(Sở Nội vụ chỉ định)",
                            source="reviewer")
    session.add(assignment)
    plan = session.get(Plan, task.plan_id)
    session.refresh(plan)  # the revision as the last writer left it
    plan.revision += 1  # the plan's rows changed: cached lists render again
    session.add(plan)
    _record(session, task, unit, user, "assignment", "",
            f"Được chỉ định {'chủ trì' if role == Role.LEAD else 'phối hợp'} nhiệm vụ {task.ref}")
    session.commit()
    return assignment


def _record(session, task, unit, user, field, old, new) -> None:
    report = ensure_report(session, task, unit, user)
    session.add(ReportChange(report_id=report.id, changed_by_id=user.id, changed_at=clock.now(), field=field,
                             old_value=old, new_value=new))
