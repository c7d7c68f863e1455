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

from ..database import writer
from ..models import Assignment, Indicator, Plan, Report, Role, Section, Task, Unit
from ..schema import upgrade
from .reading import ParsedAppendix, read_appendix
from .reading.phrases import PhraseKind, Roster, resolve_row
from .reading.targets import find_indicators
from .reading.timeframes import parse_timeframe
from .roster import apply_roster, read_roster_toml, roster_from_db
from .text import fold

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


def followed_plans(session: Session) -> list[Plan]:
    """The plans still followed, newest first."""
    return session.exec(select(Plan).where(Plan.active).order_by(Plan.issued_on.desc(), Plan.id.desc())).all()


def plans_of_unit(session: Session, unit: Unit) -> list[Plan]:
    """The followed plans that give the unit a row, newest first."""
    with_rows = set(session.exec(select(Task.plan_id).join(Assignment, Assignment.task_id == Task.id)
                                 .where(Assignment.unit_id == unit.id).distinct()))
    return [plan for plan in followed_plans(session) if plan.id in with_rows]


def pin_plan(session: Session, user) -> None:
    """At a user's first login, their pages settle on the newest plan followed, and stay on it
    until they choose another (in the caller's transaction)."""
    if user.plan_id is None:
        plan = session.exec(select(Plan).order_by(Plan.active.desc(), Plan.issued_on.desc(), Plan.id.desc())).first()
        if plan is not None:
            user.plan_id = plan.id
            session.add(user)


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
        return read_appendix(self.appendix.name, self.appendix.read_bytes())


def load_plan(engine: Engine, source: PlanSource) -> LoadReport:
    """Load or refresh a plan and its units, all or nothing, in one transaction."""
    upgrade(engine)
    parsed = source.parse()
    report = LoadReport()
    with Session(writer(engine)) as session, session.begin():
        apply_roster(session, read_roster_toml(source.roster), report)
        store_plan(session, source, parsed, report)
    return report


def store_plan(session: Session, meta: PlanMeta, parsed: ParsedAppendix, report: LoadReport,
               mappings: dict[str, tuple[PhraseKind, str]] | None = None) -> Plan:
    """Write the plan, its sections and rows with their assignments and indicators (in the
    caller's transaction), resolving the cells against the units in the database and the
    meanings an administrator gave to words no unit matches (mappings)."""
    plan = _sync_plan(session, meta, report, parsed.extra_columns)
    sections = _sync_sections(session, plan, parsed, report)
    _sync_tasks(session, plan, sections, parsed, roster_from_db(session), report, mappings or {})
    if report.changed:
        plan.revision += 1
    return plan


def _sync_plan(session: Session, source: PlanMeta, report: LoadReport, extra_columns: list[str]) -> Plan:
    focal = session.exec(select(Unit).where(Unit.code == source.focal_unit)).first() if source.focal_unit else None
    values = {
        "number": source.number,
        "title": source.title,
        "issuer": source.issuer,
        "issued_on": source.issued_on,
        "focal_unit_id": focal.id if focal else None,
        "extra_columns": list(extra_columns),
    }
    plan = session.exec(select(Plan).where(Plan.code == source.code)
                        .execution_options(populate_existing=True)).first()  # its revision as last written
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


def _sync_tasks(session, plan, sections, parsed, roster: Roster, report: LoadReport, mappings: dict) -> None:
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
            "extra": dict(item.extra),
            "due_on": timeframe.due_on,
            "starts_on": timeframe.starts_on,
            "recurrence": timeframe.recurrence,
            "awaits_guidance": timeframe.awaits_guidance,
            "search_text": " ".join(fold(" ".join(
                (item.ref, item.content, item.lead, item.support, item.timeframe, item.product,
                 *item.extra.values()))).split()),
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

        resolution = resolve_row(item.lead, item.support, roster, mappings)
        for column, phrases in (("chủ trì", resolution.lead), ("phối hợp", resolution.support)):
            for phrase in phrases:
                if phrase.kind == PhraseKind.UNKNOWN:
                    report.notes.append(
                        f"{item.ref}, cột {column}: «{phrase.text}» không khớp đơn vị hay nhóm nào, chưa phân công."
                    )
                elif phrase.kind == PhraseKind.RELATED:
                    related[phrase.text.lower()].append((phrase.text, item.ref))
                elif phrase.mapped:
                    report.notes.append(f"{item.ref}, cột {column}: «{phrase.text}» gán cho "
                                        f"«{roster.display_name(phrase.kind, phrase.code)}» khi nhập.")
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
