"""A province's roster: its units and the group phrases that stand for many of them.

Units belong to the province, not to a plan. Thái Bình's roster of 2021 ships with the app
(webapp/data/thai_binh_2021_units.toml); any province imports its own as a spreadsheet in
the template below, in two steps as a plan is (a preview, then all or nothing), and
exports it in the same template. A 2025-style province (the province and its communes,
wards and special zones) fits as well as one with districts.

The template (CSV in UTF-8, or the first sheet of an .xlsx), one row per unit or group:

    code     short lowercase ASCII, stable: it appears in URLs, exports and accounts
    name     the official name («Sở Nông nghiệp và Môi trường»)
    kind     province, department, office, central, district, commune, enterprise, press,
             organization, or group (a Vietnamese label such as «Sở, ban, ngành» or «xã» too)
    parent   the code of the unit above, if any
    aliases  other official spellings and abbreviations, separated by «;»
    members  for a group: «kind:department» (every unit of that kind, added later too),
             unit codes, and «stand_in:CODE» (the group that answers while this one has no
             member: the districts for their communes), separated by «;»

Vietnamese column titles (Mã, Tên, Loại, Đơn vị cấp trên, Cách viết khác, Thành viên) are
read too.
"""

import io
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlmodel import Session, select

from ..database import lock_for_write
from ..models import Unit, UnitGroup, UnitGroupMember, UnitKind
from .reading.formats import AppendixError, ImportLimits, read_grids
from .reading.phrases import Roster, RosterGroup, RosterUnit
from .reading.vocabulary import folded
from .spreadsheet_text import csv_bytes
from .text import by_vietnamese_name
from .units import plans_changed

HEADER = ("code", "name", "kind", "parent", "aliases", "members")
_TITLES = {
    "code": ("code", "ma", "ma don vi"), "name": ("name", "ten", "ten don vi", "ten day du"),
    "kind": ("kind", "loai", "loai don vi"), "parent": ("parent", "don vi cap tren", "cap tren", "truc thuoc"),
    "aliases": ("aliases", "cach viet khac", "ten khac", "viet tat"), "members": ("members", "thanh vien"),
}
KIND_LABELS = {
    UnitKind.PROVINCE: "UBND, HĐND tỉnh",
    UnitKind.DEPARTMENT: "Sở, ban, ngành",
    UnitKind.OFFICE: "Đơn vị trực thuộc",
    UnitKind.CENTRAL: "Cơ quan ngành dọc",
    UnitKind.DISTRICT: "UBND cấp huyện",
    UnitKind.COMMUNE: "UBND cấp xã (xã, phường, đặc khu)",
    UnitKind.ENTERPRISE: "Doanh nghiệp",
    UnitKind.PRESS: "Báo, đài",
    UnitKind.ORGANIZATION: "Tổ chức, hội, đoàn thể",
}
# What a roster file may write in its kind column, folded.
_KIND_WORDS = {
    **{k.value: k for k in UnitKind}, **{folded(label): k for k, label in KIND_LABELS.items()},
    "so": UnitKind.DEPARTMENT, "so, nganh": UnitKind.DEPARTMENT, "ban": UnitKind.DEPARTMENT,
    "tinh": UnitKind.PROVINCE, "ubnd tinh": UnitKind.PROVINCE, "huyen": UnitKind.DISTRICT,
    "ubnd huyen": UnitKind.DISTRICT, "xa": UnitKind.COMMUNE, "phuong": UnitKind.COMMUNE, "dac khu": UnitKind.COMMUNE,
    "ubnd xa": UnitKind.COMMUNE, "xa, phuong": UnitKind.COMMUNE, "doanh nghiep": UnitKind.ENTERPRISE,
    "bao chi": UnitKind.PRESS, "to chuc": UnitKind.ORGANIZATION, "hoi": UnitKind.ORGANIZATION,
    "nganh doc": UnitKind.CENTRAL, "trung uong": UnitKind.CENTRAL,
}
_GROUP_WORDS = ("group", "nhom", "nhom don vi")
_CODE = re.compile(r"[a-z0-9][a-z0-9-]{1,39}")


class RosterError(ValueError):
    """A roster file that cannot be taken; the message names the row and what to fix."""


@dataclass
class UnitEntry:
    code: str
    name: str
    kind: UnitKind
    parent: str = ""
    aliases: list[str] = field(default_factory=list)
    short_name: str = ""


@dataclass
class GroupEntry:
    code: str
    name: str
    aliases: list[str] = field(default_factory=list)
    member_kinds: list[UnitKind] = field(default_factory=list)
    members: list[str] = field(default_factory=list)
    stand_in: str = ""


@dataclass
class RosterFile:
    units: list[UnitEntry] = field(default_factory=list)
    groups: list[GroupEntry] = field(default_factory=list)


# --- reading a roster ---------------------------------------------------------------------------


def read_roster_toml(path: Path) -> RosterFile:
    """The roster shipped with the app (TOML: [[units]] and [[groups]])."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return RosterFile(
        units=[UnitEntry(u["code"], u["name"], UnitKind(u["kind"]), u.get("parent", ""), u.get("aliases", []),
                         u.get("short_name", "")) for u in data["units"]],
        groups=[GroupEntry(g["code"], g["name"], g.get("aliases", []), [UnitKind(k) for k in g.get("member_kinds", [])],
                           g.get("members", []), g.get("stand_in", "")) for g in data["groups"]],
    )


def read_roster_file(filename: str, data: bytes, limits: ImportLimits = ImportLimits()) -> RosterFile:
    """A roster in the template, from CSV or .xlsx; refused whole with the row of each mistake."""
    try:
        grids = [g for g in read_grids(filename, data, limits) if g.rows]
    except AppendixError as exc:
        raise RosterError(str(exc)) from None
    if not grids:
        raise RosterError("Tệp danh sách đơn vị trống.")
    grid = grids[0]
    header_row, columns = _roster_header(grid.rows)
    roster, problems = RosterFile(), []
    for row in range(header_row + 1, len(grid.rows)):
        cells = {key: grid.rows[row][col].strip() for key, col in columns.items()}
        if not any(cells.values()):
            continue
        where = grid.where(row)
        try:
            _read_entry(roster, cells)
        except RosterError as exc:
            problems.append(f"{where}: {exc}")
    _check_references(roster, problems)
    if problems:
        raise RosterError("Danh sách đơn vị chưa nhập được:\n" + "\n".join(problems[:30])
                          + (f"\n… và {len(problems) - 30} lỗi khác." if len(problems) > 30 else ""))
    if not roster.units and not roster.groups:
        raise RosterError("Tệp không có đơn vị nào.")
    return roster


def _roster_header(rows: list[list[str]]) -> tuple[int, dict[str, int]]:
    for index, row in enumerate(rows[:10]):
        columns = {}
        for col, title in enumerate(row):
            key = next((k for k, words in _TITLES.items() if folded(title).strip(" :*") in words), None)
            if key and key not in columns:
                columns[key] = col
        if {"code", "name", "kind"} <= columns.keys():
            return index, columns
    raise RosterError("Không tìm thấy dòng tiêu đề của danh sách đơn vị: cần các cột code (Mã), name (Tên), kind "
                      "(Loại), và có thể parent, aliases, members. Xem mẫu bằng «Xuất danh sách đơn vị».")


def _kind(text: str) -> UnitKind | None:
    return _KIND_WORDS.get(folded(text).strip())


def _read_entry(roster: RosterFile, cells: dict) -> None:
    code = cells["code"].lower()
    if not _CODE.fullmatch(code):
        raise RosterError(f"mã «{cells['code']}» phải gồm chữ thường không dấu, số và dấu gạch ngang (2–40 ký tự).")
    if not cells["name"]:
        raise RosterError(f"đơn vị «{code}» chưa có tên.")
    aliases = [a.strip() for a in re.split(r"[;\n]", cells.get("aliases", "")) if a.strip()]
    if folded(cells["kind"]) in _GROUP_WORDS:
        group = GroupEntry(code, cells["name"], aliases)
        for item in (m.strip() for m in re.split(r"[;\n,]", cells.get("members", "")) if m.strip()):
            kind_word, _, value = item.partition(":")
            if value and folded(kind_word) in ("kind", "loai"):
                kind = _kind(value)
                if kind is None:
                    raise RosterError(f"nhóm «{code}»: loại «{value}» không có (dùng {', '.join(k.value for k in UnitKind)}).")
                group.member_kinds.append(kind)
            elif value and folded(kind_word) in ("stand_in", "thay the"):
                group.stand_in = value.strip().lower()
            else:
                group.members.append(item.lower())
        roster.groups.append(group)
        return
    kind = _kind(cells["kind"])
    if kind is None:
        raise RosterError(f"loại «{cells['kind']}» của «{code}» không có: dùng {', '.join(k.value for k in UnitKind)}"
                          " hoặc group.")
    roster.units.append(UnitEntry(code, cells["name"], kind, cells.get("parent", "").lower(), aliases))


def _check_references(roster: RosterFile, problems: list[str], known: set[str] = frozenset()) -> None:
    codes = [u.code for u in roster.units] + [g.code for g in roster.groups]
    for code in {c for c in codes if codes.count(c) > 1}:
        problems.append(f"mã «{code}» xuất hiện nhiều lần.")
    units = {u.code for u in roster.units} | set(known)
    groups = {g.code for g in roster.groups}
    for unit in roster.units:
        if unit.parent and unit.parent not in units:
            problems.append(f"«{unit.code}»: đơn vị cấp trên «{unit.parent}» không có trong danh sách.")
    for group in roster.groups:
        for member in group.members:
            if member not in units:
                problems.append(f"nhóm «{group.code}»: thành viên «{member}» không có trong danh sách.")
        if group.stand_in and group.stand_in not in groups:
            problems.append(f"nhóm «{group.code}»: nhóm thay thế «{group.stand_in}» không có trong danh sách.")


# --- what importing would change ----------------------------------------------------------------


@dataclass
class RosterChange:
    code: str
    name: str
    what: str  # «thêm mới», «cập nhật: tên, loại», «không đổi»
    kind: str  # the kind's label, or «nhóm»


@dataclass
class RosterPreview:
    changes: list[RosterChange]
    untouched: list[Unit]  # units of the database the file does not name: left as they are

    def count(self, what: str) -> int:
        return sum(1 for c in self.changes if c.what.startswith(what))


def preview_roster(session: Session, roster: RosterFile) -> RosterPreview:
    units = {u.code: u for u in session.exec(select(Unit))}
    groups = {g.code: g for g in session.exec(select(UnitGroup))}
    changes = []
    for entry in roster.units:
        unit = units.get(entry.code)
        differs = _unit_differences(session, unit, entry, units) if unit else []
        changes.append(RosterChange(entry.code, entry.name, "thêm mới" if unit is None else
                                    (f"cập nhật: {', '.join(differs)}" if differs else "không đổi"),
                                    KIND_LABELS[entry.kind]))
    for entry in roster.groups:
        group = groups.get(entry.code)
        differs = [] if group is None else [label for label, same in (
            ("tên", group.name == entry.name), ("cách viết khác", _lines(group.aliases) == entry.aliases),
            ("loại thành viên", _lines(group.member_kinds) == [k.value for k in entry.member_kinds]))
            if not same]
        changes.append(RosterChange(entry.code, entry.name, "thêm mới" if group is None else
                                    (f"cập nhật: {', '.join(differs)}" if differs else "không đổi"), "Nhóm"))
    named = {u.code for u in roster.units}
    return RosterPreview(changes, [u for u in by_vietnamese_name(units.values()) if u.code not in named and u.active])


def _unit_differences(session, unit: Unit, entry: UnitEntry, units: dict) -> list[str]:
    parent = units.get(entry.parent) if entry.parent else None
    checks = (("tên", unit.name == entry.name), ("loại", unit.kind == entry.kind),
              ("cấp trên", unit.parent_id == (parent.id if parent else None)),
              ("cách viết khác", _lines(unit.aliases) == entry.aliases))
    return [label for label, same in checks if not same]


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


# --- applying a roster ---------------------------------------------------------------------------


@dataclass
class RosterReport:
    counts: dict[str, int] = field(default_factory=dict)

    def count(self, what: str) -> None:
        self.counts[what] = self.counts.get(what, 0) + 1


def apply_roster(session: Session, roster: RosterFile, report) -> None:
    """Add and update the roster's units and groups (in the caller's transaction). Units the
    roster does not name stay as they are: they may have reports."""
    units = {u.code: u for u in session.exec(select(Unit))}
    created = set()
    for entry in roster.units:
        values = {"name": entry.name, "kind": entry.kind, "aliases": "\n".join(entry.aliases)}
        if entry.short_name:
            values["short_name"] = entry.short_name
        unit = units.get(entry.code)
        if unit is None:
            unit = units[entry.code] = Unit(code=entry.code, **values)
            session.add(unit)
            created.add(entry.code)
            report.count("đơn vị thêm mới")
        elif _update(unit, values):
            report.count("đơn vị cập nhật")
    session.flush()
    for entry in roster.units:
        parent_id = units[entry.parent].id if entry.parent else None
        if _update(units[entry.code], {"parent_id": parent_id}) and entry.code not in created:
            report.count("đơn vị cập nhật")

    groups = {g.code: g for g in session.exec(select(UnitGroup))}
    created = set()
    for entry in roster.groups:
        values = {"name": entry.name, "aliases": "\n".join(entry.aliases),
                  "member_kinds": "\n".join(k.value for k in entry.member_kinds)}
        group = groups.get(entry.code)
        if group is None:
            group = groups[entry.code] = UnitGroup(code=entry.code, **values)
            session.add(group)
            created.add(entry.code)
            report.count("nhóm đơn vị thêm mới")
        elif _update(group, values):
            report.count("nhóm đơn vị cập nhật")
    session.flush()
    for entry in roster.groups:
        group = groups[entry.code]
        stand_in_id = groups[entry.stand_in].id if entry.stand_in else None
        if _update(group, {"stand_in_id": stand_in_id}) and entry.code not in created:
            report.count("nhóm đơn vị cập nhật")
        wanted = {units[code].id for code in entry.members}
        current = {m.unit_id: m for m in session.exec(select(UnitGroupMember).where(UnitGroupMember.group_id == group.id))}
        for unit_id in wanted - current.keys():
            session.add(UnitGroupMember(group_id=group.id, unit_id=unit_id))
            report.count("thành viên nhóm thay đổi")
        for unit_id in current.keys() - wanted:
            session.delete(current[unit_id])
            report.count("thành viên nhóm thay đổi")
    session.flush()
    plans_changed(session)


def import_roster(session: Session, roster: RosterFile) -> RosterReport:
    """Apply a roster file, all or nothing, in one write transaction."""
    problems: list[str] = []
    _check_references(roster, problems, known=set(session.exec(select(Unit.code)).all()))
    if problems:
        raise RosterError("Danh sách đơn vị chưa nhập được:\n" + "\n".join(problems))
    lock_for_write(session)
    report = RosterReport()
    try:
        apply_roster(session, roster, report)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return report


def _update(obj, values: dict) -> bool:
    changed = False
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
            changed = True
    return changed


# --- the roster as the resolver and the exports see it ------------------------------------------


def roster_from_db(session: Session) -> Roster:
    """The resolver's view of the units and groups in the database: a group's members are
    the units named for it and every unit of its kinds."""
    units = session.exec(select(Unit).order_by(Unit.id)).all()
    groups = session.exec(select(UnitGroup).order_by(UnitGroup.id)).all()
    code_of = {u.id: u.code for u in units}
    group_code = {g.id: g.code for g in groups}
    named: dict[int, set[str]] = {}
    for m in session.exec(select(UnitGroupMember)):
        named.setdefault(m.group_id, set()).add(code_of[m.unit_id])
    return Roster(
        units=_units_by_name(units),
        groups={g.code: RosterGroup(g.code, (g.name, *_lines(g.aliases)), _members(g, units, named.get(g.id, set())),
                                    group_code.get(g.stand_in_id)) for g in groups},
    )


def _units_by_name(units: list[Unit]) -> dict[str, RosterUnit]:
    """Each unit in use answers to its names and spellings, and to those of the units merged
    into it (a new plan naming «Sở Giao thông vận tải» after its merge names «Sở Xây dựng»); a
    unit no longer in use answers to none, so a phrase naming it is asked for, never given to it."""
    by_id = {u.id: u for u in units}

    def survivor(unit: Unit) -> Unit:
        seen = set()
        while unit.merged_into_id and unit.merged_into_id in by_id and unit.id not in seen:
            seen.add(unit.id)
            unit = by_id[unit.merged_into_id]
        return unit

    names = {u.code: [u.name, *_lines(u.aliases)] if u.active else [] for u in units}
    for unit in units:
        target = survivor(unit)
        if target is not unit and target.active:
            names[target.code] += [unit.name, *_lines(unit.aliases)]
    return {u.code: RosterUnit(u.code, tuple(dict.fromkeys(names[u.code])), u.active) for u in units}


def resolver_roster(roster: RosterFile) -> Roster:
    """The resolver's view of a roster file, before it is imported (a preview, a test)."""
    return Roster(
        units={u.code: RosterUnit(u.code, (u.name, *u.aliases)) for u in roster.units},
        groups={g.code: RosterGroup(g.code, (g.name, *g.aliases),
                                    tuple(u.code for u in roster.units if u.code in g.members or u.kind in g.member_kinds),
                                    g.stand_in or None) for g in roster.groups},
    )


def _members(group: UnitGroup, units: list[Unit], named: set[str]) -> tuple[str, ...]:
    kinds = set(_lines(group.member_kinds))
    return tuple(u.code for u in units if u.code in named or u.kind.value in kinds)


def roster_rows(session: Session) -> list[tuple[str, ...]]:
    """The roster in the template's columns: every unit, then every group."""
    units = session.exec(select(Unit).order_by(Unit.id)).all()
    code_of = {u.id: u.code for u in units}
    rows = [(u.code, u.name, u.kind.value, code_of.get(u.parent_id, ""), "; ".join(_lines(u.aliases)), "")
            for u in units]
    groups = session.exec(select(UnitGroup).order_by(UnitGroup.id)).all()
    group_code = {g.id: g.code for g in groups}
    named: dict[int, list[str]] = {}
    for m in session.exec(select(UnitGroupMember).order_by(UnitGroupMember.unit_id)):
        named.setdefault(m.group_id, []).append(code_of[m.unit_id])
    for g in groups:
        members = [f"kind:{k}" for k in _lines(g.member_kinds)] + named.get(g.id, [])
        if g.stand_in_id:
            members.append(f"stand_in:{group_code[g.stand_in_id]}")
        rows.append((g.code, g.name, "group", "", "; ".join(_lines(g.aliases)), "; ".join(members)))
    return rows


def roster_csv(session: Session) -> bytes:
    return csv_bytes(HEADER, roster_rows(session))


def roster_xlsx(session: Session) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Đơn vị"
    sheet.append(HEADER)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in roster_rows(session):
        sheet.append(row)
    for column, width in zip("ABCDEF", (16, 48, 14, 14, 40, 40)):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
