"""Units and groups as the organisation changes: created, renamed, moved under a parent,
deactivated, and merged (in 2025 districts were merged and abolished) without losing
anything reported before."""

import re

from sqlmodel import Session, select

from ..models import (
    REPORT_FIELDS,
    Assignment,
    Period,
    PeriodReport,
    Plan,
    Report,
    Role,
    Unit,
    UnitGroup,
    UnitGroupMember,
    UnitKind,
    User,
)
from . import clock
from .reading.phrases import name_key


class UnitError(ValueError):
    """A change that cannot be made; the message is in Vietnamese."""


def plans_changed(session: Session) -> None:
    """Units show in every plan's lists: they render again (see services.rows.data_version)."""
    for plan in session.exec(select(Plan).execution_options(populate_existing=True)).all():  # as last written
        plan.revision += 1
        session.add(plan)


def save_unit(session: Session, *, unit: Unit | None, code: str, name: str, short_name: str, kind: UnitKind,
              parent_code: str | None, aliases: str) -> Unit:
    code = code.strip().lower()
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{1,30}", code):
        raise UnitError("Mã đơn vị gồm chữ thường không dấu, số và dấu gạch ngang (2–31 ký tự), ví dụ «sxd».")
    if not name.strip():
        raise UnitError("Hãy nhập tên đơn vị.")
    taken = session.exec(select(Unit).where(Unit.code == code)).first()
    if taken is not None and (unit is None or taken.id != unit.id):
        raise UnitError(f"Mã «{code}» đã được dùng cho «{taken.name}».")
    parent = None
    if parent_code:
        parent = session.exec(select(Unit).where(Unit.code == parent_code)).first()
        if parent is None:
            raise UnitError(f"Không có đơn vị cấp trên mã «{parent_code}».")
        if unit is not None and parent.id == unit.id:
            raise UnitError("Một đơn vị không thể là cấp trên của chính nó.")
    aliases = "\n".join(line.strip() for line in aliases.splitlines() if line.strip())
    _refuse_names_taken(session, unit, [name.strip(), *aliases.splitlines()])
    if unit is None:
        unit = Unit(code=code, name=name.strip(), kind=kind)
    unit.code, unit.name, unit.short_name, unit.kind = code, name.strip(), short_name.strip(), kind
    unit.parent_id = parent.id if parent else None
    unit.aliases = aliases
    session.add(unit)
    plans_changed(session)
    session.commit()
    return unit


def _refuse_names_taken(session: Session, unit: Unit | None, names: list[str]) -> None:
    """A plan's cells name units by their names and other spellings: one that another unit in
    use (or one merged into it, whose names it answers to), or a group, already answers to would
    make a cell's reading a matter of chance."""
    wanted = {name_key(n): n for n in names if name_key(n)}
    answering = select(Unit).where(Unit.active | Unit.merged_into_id.is_not(None))
    others = [(u.name if u.active else f"{u.name} (đã sáp nhập)", [u.name, *u.aliases.splitlines()])
              for u in session.exec(answering) if unit is None or unit.id not in (u.id, u.merged_into_id)]
    others += [(f"nhóm {g.name}", [g.name, *g.aliases.splitlines()]) for g in session.exec(select(UnitGroup))]
    for owner, owned in others:
        for taken in owned:
            if name_key(taken) in wanted:
                raise UnitError(f"«{wanted[name_key(taken)]}» đã là tên hoặc cách viết khác của «{owner}»: mỗi tên chỉ "
                                "gọi một đơn vị, để các ô của kế hoạch được đọc đúng.")


def set_active(session: Session, unit: Unit, active: bool) -> None:
    unit.active = active
    session.add(unit)
    session.commit()


def set_group_members(session: Session, group: UnitGroup, unit_ids: set[int | None],
                      kinds: set[str] | None = None) -> None:
    """The group stands for every unit of these kinds (those added later too) and for these
    units besides (None: an id that could not be read)."""
    known = set(session.exec(select(Unit.id).where(Unit.id.in_([i for i in unit_ids if i is not None]))).all())
    if None in unit_ids or unit_ids - known:
        raise UnitError("Danh sách thành viên có đơn vị không tồn tại: hãy tải lại trang và chọn lại.")
    if kinds is not None:
        unknown = kinds - {k.value for k in UnitKind}
        if unknown:
            raise UnitError(f"Loại đơn vị «{', '.join(sorted(unknown))}» không có.")
        group.member_kinds = "\n".join(k.value for k in UnitKind if k.value in kinds)
        session.add(group)
    current = {m.unit_id: m for m in session.exec(select(UnitGroupMember).where(UnitGroupMember.group_id == group.id))}
    for unit_id in unit_ids - current.keys():
        session.add(UnitGroupMember(group_id=group.id, unit_id=unit_id))
    for unit_id in current.keys() - unit_ids:
        session.delete(current[unit_id])
    plans_changed(session)
    session.commit()


def merge_units(session: Session, *, source: Unit, target: Unit, user: User) -> dict[str, int]:
    """Merge source into target: its rows, its open reports and its accounts go to the
    target; its closed periods' reports and its history stay under its own (old) name."""
    if source.id == target.id:
        raise UnitError("Không thể sáp nhập một đơn vị vào chính nó.")
    if not target.active:
        raise UnitError(f"«{target.name}» đã ngừng hoạt động: hãy chọn đơn vị đang hoạt động.")
    moved = {"phân công": 0, "báo cáo": 0, "báo cáo kỳ đang mở": 0, "tài khoản": 0}

    target_roles = {a.task_id: a for a in session.exec(select(Assignment).where(Assignment.unit_id == target.id))}
    for assignment in session.exec(select(Assignment).where(Assignment.unit_id == source.id)).all():
        kept = target_roles.get(assignment.task_id)
        if kept is None:
            assignment.unit_id = target.id
            session.add(assignment)
        else:
            if assignment.role == Role.LEAD:
                kept.role = Role.LEAD  # the merged unit takes on the stronger role
                session.add(kept)
            session.delete(assignment)
        moved["phân công"] += 1

    # The source's live report stays (its history is attached to it); the target gets a
    # copy of what was said, unless it already reports on the row itself.
    target_reports = {r.task_id for r in session.exec(select(Report).where(Report.unit_id == target.id))}
    for report in session.exec(select(Report).where(Report.unit_id == source.id)).all():
        if report.task_id in target_reports or report.version == 0:
            continue
        copy = Report(task_id=report.task_id, unit_id=target.id, version=1, updated_by_id=user.id,
                      updated_at=clock.now(), **{f: getattr(report, f) for f in REPORT_FIELDS})
        session.add(copy)
        moved["báo cáo"] += 1

    open_periods = [p.id for p in session.exec(select(Period).where(Period.closed_at.is_(None)))]
    if open_periods:
        taken = {(c.period_id, c.task_id) for c in session.exec(
            select(PeriodReport).where(PeriodReport.unit_id == target.id, PeriodReport.period_id.in_(open_periods)))}
        for copy in session.exec(select(PeriodReport).where(
                PeriodReport.unit_id == source.id, PeriodReport.period_id.in_(open_periods))).all():
            if (copy.period_id, copy.task_id) in taken:
                session.delete(copy)
            else:
                copy.unit_id = target.id
                session.add(copy)
            moved["báo cáo kỳ đang mở"] += 1

    for account in session.exec(select(User).where(User.unit_id == source.id)).all():
        account.unit_id = target.id
        session.add(account)
        moved["tài khoản"] += 1
    for membership in session.exec(select(UnitGroupMember).where(UnitGroupMember.unit_id == source.id)).all():
        session.delete(membership)

    source.active = False
    source.merged_into_id = target.id
    session.add(source)
    plans_changed(session)
    session.commit()
    return moved
