"""Load a plan shipped with the app (plan.toml, its appendix and unit roster) into the database.

Loading is idempotent: rows are matched by their stable keys (unit and group codes, plan
code, task refs) and only what differs is written, so a second load changes nothing.
Refreshing updates texts and assignments and never touches a report.
"""

import tomllib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from ..models import (
    Assignment,
    Indicator,
    Plan,
    Report,
    Role,
    Section,
    Task,
    Unit,
    UnitGroup,
    UnitGroupMember,
)
from ..database import writer
from ..schema import upgrade
from .appendix import ParsedAppendix, parse_rows, read_csv
from .indicators import find_indicators
from .resolver import PhraseKind, Roster, RosterGroup, RosterUnit, resolve_row
from .text import fold
from .timeframe import parse_timeframe

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
PLAN_1958 = DATA_DIR / "plan_1958"


@dataclass
class LoadReport:
    """What a load changed, and what a person should know about the reading."""

    changes: defaultdict = field(default_factory=lambda: defaultdict(int))
    notes: list[str] = field(default_factory=list)

    def count(self, what: str, n: int = 1) -> None:
        self.changes[what] += n

    @property
    def changed(self) -> bool:
        return any(self.changes.values())


def _update(obj, values: dict) -> bool:
    """Set the fields that differ; say whether anything did."""
    changed = False
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
            changed = True
    return changed


# --- units and groups ---------------------------------------------------------------


def sync_roster(session: Session, roster_file: Path, report: LoadReport) -> None:
    data = tomllib.loads(roster_file.read_text(encoding="utf-8"))
    units = {u.code: u for u in session.exec(select(Unit))}
    created = set()
    for entry in data["units"]:
        values = {
            "name": entry["name"],
            "short_name": entry.get("short_name", ""),
            "kind": entry["kind"],
            "aliases": "\n".join(entry.get("aliases", [])),
        }
        unit = units.get(entry["code"])
        if unit is None:
            unit = units[entry["code"]] = Unit(code=entry["code"], **values)
            session.add(unit)
            created.add(entry["code"])
            report.count("đơn vị thêm mới")
        elif _update(unit, values):
            report.count("đơn vị cập nhật")
    session.flush()
    for entry in data["units"]:
        parent_id = units[entry["parent"]].id if entry.get("parent") else None
        if _update(units[entry["code"]], {"parent_id": parent_id}) and entry["code"] not in created:
            report.count("đơn vị cập nhật")

    groups = {g.code: g for g in session.exec(select(UnitGroup))}
    created = set()
    for entry in data["groups"]:
        values = {"name": entry["name"], "aliases": "\n".join(entry.get("aliases", []))}
        group = groups.get(entry["code"])
        if group is None:
            group = groups[entry["code"]] = UnitGroup(code=entry["code"], **values)
            session.add(group)
            created.add(entry["code"])
            report.count("nhóm đơn vị thêm mới")
        elif _update(group, values):
            report.count("nhóm đơn vị cập nhật")
    session.flush()
    for entry in data["groups"]:
        group = groups[entry["code"]]
        stand_in_id = groups[entry["stand_in"]].id if entry.get("stand_in") else None
        if _update(group, {"stand_in_id": stand_in_id}) and entry["code"] not in created:
            report.count("nhóm đơn vị cập nhật")
        wanted = {
            u.id
            for u in units.values()
            if u.kind in entry.get("member_kinds", []) or u.code in entry.get("members", [])
        }
        current = {m.unit_id: m for m in session.exec(select(UnitGroupMember).where(UnitGroupMember.group_id == group.id))}
        for unit_id in wanted - current.keys():
            session.add(UnitGroupMember(group_id=group.id, unit_id=unit_id))
            report.count("thành viên nhóm thay đổi")
        for unit_id in current.keys() - wanted:
            session.delete(current[unit_id])
            report.count("thành viên nhóm thay đổi")
    session.flush()


def roster_from_db(session: Session) -> Roster:
    """The resolver's view of the units and groups in the database."""
    units = session.exec(select(Unit).order_by(Unit.id)).all()
    groups = session.exec(select(UnitGroup).order_by(UnitGroup.id)).all()
    code_of = {u.id: u.code for u in units}
    group_code = {g.id: g.code for g in groups}
    members = defaultdict(list)
    for m in session.exec(select(UnitGroupMember).order_by(UnitGroupMember.unit_id)):
        members[m.group_id].append(code_of[m.unit_id])
    return Roster(
        units={u.code: RosterUnit(u.code, (u.name, *_lines(u.aliases)), u.active) for u in units},
        groups={
            g.code: RosterGroup(g.code, (g.name, *_lines(g.aliases)), tuple(members[g.id]), group_code.get(g.stand_in_id))
            for g in groups
        },
    )


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


# --- the plan -----------------------------------------------------------------------


class PlanNotFound(LookupError):
    pass


def find_plan(session: Session, code: str | None = None) -> Plan:
    """The plan with that code or number; without one, the newest plan still followed."""
    if code:
        plan = session.exec(select(Plan).where((Plan.code == code) | (Plan.number == code))).first()
        if plan is None:
            raise PlanNotFound(f"Không có kế hoạch «{code}».")
        return plan
    plan = session.exec(select(Plan).order_by(Plan.active.desc(), Plan.issued_on.desc(), Plan.id.desc())).first()
    if plan is None:
        raise PlanNotFound("Chưa có kế hoạch nào: hãy chạy «flask --app webapp load-plan».")
    return plan



@dataclass
class PlanMeta:
    """What the plan document says of itself."""

    code: str
    number: str
    title: str
    issuer: str
    issued_on: date | None
    focal_unit: str | None


@dataclass
class PlanSource(PlanMeta):
    """A plan shipped with the app: its metadata, appendix, source document and unit roster."""

    directory: Path
    appendix: Path
    source_document: Path | None
    roster: Path

    @classmethod
    def read(cls, directory: Path = PLAN_1958) -> "PlanSource":
        meta = tomllib.loads((directory / "plan.toml").read_text(encoding="utf-8"))
        return cls(
            directory=directory,
            code=meta["code"],
            number=meta["number"],
            title=meta["title"],
            issuer=meta.get("issuer", ""),
            issued_on=meta.get("issued_on"),
            focal_unit=meta.get("focal_unit"),
            appendix=directory / meta["appendix"],
            source_document=directory / meta["source_document"] if meta.get("source_document") else None,
            roster=(directory / meta["roster"]).resolve(),
        )

    def parse(self) -> ParsedAppendix:
        return parse_rows(read_csv(self.appendix.read_bytes()))


def load_plan(engine: Engine, source: PlanSource) -> LoadReport:
    """Load or refresh a plan and its units, all or nothing, in one transaction."""
    upgrade(engine)
    parsed = source.parse()
    report = LoadReport()
    with Session(writer(engine)) as session, session.begin():
        sync_roster(session, source.roster, report)
        store_plan(session, source, parsed, report)
    return report


def store_plan(session: Session, meta: PlanMeta, parsed: ParsedAppendix, report: LoadReport) -> Plan:
    """Write the plan, its sections and rows with their assignments and indicators (in the
    caller's transaction), resolving the cells against the units in the database."""
    plan = _sync_plan(session, meta, report)
    sections = _sync_sections(session, plan, parsed, report)
    _sync_tasks(session, plan, sections, parsed, roster_from_db(session), report)
    if report.changed:
        plan.revision += 1
    return plan


def _sync_plan(session: Session, source: PlanMeta, report: LoadReport) -> Plan:
    focal = session.exec(select(Unit).where(Unit.code == source.focal_unit)).first() if source.focal_unit else None
    values = {
        "number": source.number,
        "title": source.title,
        "issuer": source.issuer,
        "issued_on": source.issued_on,
        "focal_unit_id": focal.id if focal else None,
    }
    plan = session.exec(select(Plan).where(Plan.code == source.code)).first()
    if plan is None:
        plan = Plan(code=source.code, **values)
        session.add(plan)
        session.flush()
        report.count("kế hoạch thêm mới")
    elif _update(plan, values):
        report.count("kế hoạch cập nhật")
    return plan


def _sync_sections(session: Session, plan: Plan, parsed: ParsedAppendix, report: LoadReport) -> dict[str, Section]:
    existing = {s.code: s for s in session.exec(select(Section).where(Section.plan_id == plan.id))}
    for item in parsed.sections:
        values = {
            "stt": item.stt,
            "title": item.title,
            "position": item.position,
            "parent_id": existing[item.parent].id if item.parent else None,
        }
        section = existing.get(item.code)
        if section is None:
            section = existing[item.code] = Section(plan_id=plan.id, code=item.code, **values)
            session.add(section)
            session.flush()
            report.count("mục thêm mới")
        elif _update(section, values):
            report.count("mục cập nhật")
    return existing


def _sync_tasks(session, plan, sections, parsed, roster: Roster, report: LoadReport) -> None:
    units = {u.code: u for u in session.exec(select(Unit))}
    tasks = {t.ref: t for t in session.exec(select(Task).where(Task.plan_id == plan.id))}
    related: defaultdict[str, list[tuple[str, str]]] = defaultdict(list)  # phrase -> (as written, ref)
    stand_ins: defaultdict[str, list[str]] = defaultdict(list)
    for item in parsed.tasks:
        timeframe = parse_timeframe(item.timeframe)
        values = {
            "section_id": sections[item.section].id,
            "stt": item.stt,
            "position": item.position,
            "content": item.content,
            "lead_text": item.lead,
            "support_text": item.support,
            "timeframe_text": item.timeframe,
            "product": item.product,
            "due_on": timeframe.due_on,
            "recurrence": timeframe.recurrence,
            "awaits_guidance": timeframe.awaits_guidance,
            "search_text": " ".join(fold(" ".join(
                (item.ref, item.content, item.lead, item.support, item.timeframe, item.product))).split()),
        }
        task = tasks.get(item.ref)
        if task is None:
            task = tasks[item.ref] = Task(plan_id=plan.id, ref=item.ref, **values)
            session.add(task)
            session.flush()
            report.count("nhiệm vụ thêm mới")
        elif _update(task, values):
            report.count("nhiệm vụ cập nhật")
        if not timeframe.understood:
            report.notes.append(
                f"{item.ref}: thời gian «{item.timeframe}» không nêu hạn cụ thể; người rà soát có thể đặt hạn."
            )

        resolution = resolve_row(item.lead, item.support, roster)
        for column, phrases in (("chủ trì", resolution.lead), ("phối hợp", resolution.support)):
            for phrase in phrases:
                if phrase.kind == PhraseKind.UNKNOWN:
                    report.notes.append(
                        f"{item.ref}, cột {column}: «{phrase.text}» không khớp đơn vị hay nhóm nào, chưa phân công."
                    )
                elif phrase.kind == PhraseKind.RELATED:
                    related[phrase.text.lower()].append((phrase.text, item.ref))
                elif "trả lời thay" in phrase.note:
                    stand_ins[f"«{phrase.text}»: {phrase.note}"].append(item.ref)
                elif phrase.note:
                    report.notes.append(f"{item.ref}, cột {column}: «{phrase.text}» {phrase.note}.")
        report.notes.extend(f"{item.ref}: {note}." for note in resolution.notes)
        _sync_assignments(session, task, resolution.assignments, units, report)
        _sync_indicators(session, task, report)

    for mentions in related.values():
        refs = ", ".join(dict.fromkeys(ref for _, ref in mentions))
        report.notes.append(
            f"«{mentions[0][0]}» ({refs}): không chỉ định đơn vị cụ thể; hiển thị như văn bản, người rà soát chỉ định sau."
        )
    for text, refs in stand_ins.items():
        report.notes.append(f"{text} ({', '.join(refs)}).")

    wanted = {t.ref for t in parsed.tasks}
    for ref, task in tasks.items():
        if ref in wanted:
            continue
        if session.exec(select(Report.id).where(Report.task_id == task.id)).first():
            report.notes.append(f"{ref}: không còn trong phụ lục nhưng đã có báo cáo, nên được giữ lại.")
            continue
        for child in (*session.exec(select(Assignment).where(Assignment.task_id == task.id)),
                      *session.exec(select(Indicator).where(Indicator.task_id == task.id))):
            session.delete(child)
        session.flush()
        session.delete(task)
        report.count("nhiệm vụ xóa")


def _sync_assignments(session, task, resolved, units, report) -> None:
    current = {a.unit_id: a for a in session.exec(select(Assignment).where(Assignment.task_id == task.id))}
    wanted = {}
    for item in resolved:
        wanted[units[item.unit].id] = {"role": Role(item.role), "phrase": item.phrase}
    for unit_id, values in wanted.items():
        assignment = current.get(unit_id)
        if assignment is not None and assignment.source != "plan":
            values = {**values, "source": "plan"}  # the cells now name the unit themselves
        if assignment is None:
            session.add(Assignment(task_id=task.id, unit_id=unit_id, **values))
            report.count("phân công thêm mới")
        elif _update(assignment, values):
            report.count("phân công cập nhật")
    for unit_id in current.keys() - wanted.keys():
        if current[unit_id].source != "plan":
            continue  # named by the reviewer: the cells never said otherwise
        session.delete(current[unit_id])  # the unit's report, if any, stays
        report.count("phân công xóa")


def _sync_indicators(session, task, report) -> None:
    current = {i.position: i for i in session.exec(select(Indicator).where(Indicator.task_id == task.id))}
    found = find_indicators(task.content, task.due_on)
    for position, item in enumerate(found, start=1):
        values = {
            "name": item.name,
            "target_value": item.target_value,
            "unit_of_measure": item.unit_of_measure,
            "direction": item.direction,
            "level": item.level,
            "yearly_step": item.yearly_step,
            "target_date": item.target_date,
            "source_text": item.source_text,
        }
        indicator = current.get(position)
        if indicator is None:
            session.add(Indicator(task_id=task.id, position=position, **values))
            report.count("chỉ tiêu thêm mới")
        elif _update(indicator, values):
            report.count("chỉ tiêu cập nhật")
    for position in current.keys() - set(range(1, len(found) + 1)):
        session.delete(current[position])
        report.count("chỉ tiêu xóa")
