"""Importing any plan from a file in its appendix's own layout: .xlsx, .csv (UTF-8 with or
without BOM, comma or semicolon) or .docx (the appendix table of the plan document, as
provinces publish it). The export of export-plan (ref, section, stt, …) imports too, so a
plan makes the round trip.

Import is two steps: a preview (every row, the sections, every lead and support phrase
with the units it resolves to) and a commit that loads all or nothing. A bad file is
refused with a message naming the row and the column; nothing is written.
"""

import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session, select

from ..models import Plan, Unit, UnitGroup
from .appendix import (
    COLUMNS,
    AppendixError,
    ParsedAppendix,
    ParsedSection,
    ParsedTask,
    clean_cell,
    parse_rows,
    read_csv,
)
from .plans import LoadReport, PlanMeta, roster_from_db, store_plan
from .resolver import RowResolution, resolve_row

EXPORT_COLUMNS = ("ref", "section", "stt", "content", "lead", "support", "timeframe", "product")
_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")
# Rows this far below the table, after nothing but empty rows, are a stray cell, not the table.
STRAY_GAP = 1000


@dataclass(frozen=True)
class ImportLimits:
    """What one plan file may hold (IMPORT_MAX_BYTES, IMPORT_MAX_UNPACKED_BYTES, IMPORT_MAX_ROWS)."""

    max_bytes: int = 5 * 1024 * 1024
    max_unpacked_bytes: int = 25 * 1024 * 1024  # an .xlsx or .docx is a ZIP: its parts, unpacked
    max_rows: int = 2000

    @classmethod
    def from_config(cls, config) -> "ImportLimits":
        return cls(config["IMPORT_MAX_BYTES"], config["IMPORT_MAX_UNPACKED_BYTES"], config["IMPORT_MAX_ROWS"])


def read_table(filename: str, data: bytes, *, limits: ImportLimits = ImportLimits()) -> list[list[str]]:
    """The rows of the file's appendix table, header first, whatever its format."""
    if len(data) > limits.max_bytes:
        raise AppendixError(f"Tệp quá lớn ({_size(len(data))}): giới hạn là {_size(limits.max_bytes)}.")
    if not data:
        raise AppendixError("Tệp trống.")
    suffix = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    if suffix in ("xlsm", "xltm", "xlsb", "docm"):
        raise AppendixError("Tệp có macro (." + suffix + ") không được nhận: hãy lưu lại dưới dạng .xlsx hoặc .docx.")
    if suffix == "xlsx":
        rows = _xlsx_rows(data, limits)
    elif suffix == "docx":
        rows = _docx_rows(data, limits)
    elif suffix == "csv":
        if data[:2] == b"PK":
            raise AppendixError("Tệp có đuôi .csv nhưng thực ra là tệp nén (Excel/Word): hãy chọn đúng định dạng.")
        rows = read_csv(data)
    else:
        raise AppendixError(f"Định dạng «.{suffix}» không được hỗ trợ: hãy dùng .xlsx, .csv hoặc .docx.")
    _check_row_count(rows, limits)
    return rows


def _check_row_count(rows: list[list[str]], limits: ImportLimits) -> None:
    filled = sum(1 for row in rows if any(clean_cell(c) for c in row))
    if filled > limits.max_rows:
        raise AppendixError(f"Bảng có {filled:,} dòng: một kế hoạch nhập được tối đa {limits.max_rows:,} dòng "
                            "(IMPORT_MAX_ROWS). Hãy kiểm tra tệp có đúng là phụ lục của một kế hoạch.".replace(",", "."))


def _size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


def _zip(data: bytes, kind: str, required: str, limits: ImportLimits) -> zipfile.ZipFile:
    """The file's ZIP container, checked before any of it is unpacked: a small file that
    unpacks to hundreds of megabytes (a «ZIP bomb») is refused here."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except zipfile.BadZipFile:
        raise AppendixError(f"Tệp không phải là tệp {kind} hợp lệ (có thể đã đổi đuôi hoặc bị hỏng).") from None
    names = {member.filename for member in members}
    if required not in names:
        raise AppendixError(f"Tệp không phải là tệp {kind} hợp lệ (có thể đã đổi đuôi hoặc bị hỏng).")
    if any(name.lower().endswith("vbaproject.bin") for name in names):
        raise AppendixError("Tệp có chứa macro: hãy lưu lại tệp không có macro rồi nhập lại.")
    unpacked = sum(member.file_size for member in members)
    if unpacked > limits.max_unpacked_bytes:
        raise AppendixError(f"Tệp {kind} giải nén ra {_size(unpacked)}, vượt giới hạn {_size(limits.max_unpacked_bytes)}: "
                            "hãy kiểm tra tệp (có thể chứa ảnh rất lớn hoặc bị làm hỏng).")
    return archive


def _xlsx_rows(data: bytes, limits: ImportLimits) -> list[list[str]]:
    """The first sheet's rows, streamed (read-only mode: a sheet that claims a million rows
    costs no memory), up to the last row with text."""
    from openpyxl import load_workbook

    _zip(data, "Excel (.xlsx)", "xl/workbook.xml", limits)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds on a broken workbook
        raise AppendixError(f"Không đọc được tệp Excel: {exc}") from None
    try:
        rows: list[list[str]] = []
        empty_run = 0
        for number, row in enumerate(workbook.worksheets[0].iter_rows(), start=1):
            values = [_cell_text(cell) for cell in row]
            if not any(values):
                empty_run += 1
                continue
            if rows and empty_run > STRAY_GAP:
                raise AppendixError(f"Trang tính có dữ liệu ở dòng {number}, sau {empty_run:,} dòng trống: hãy xóa ô thừa "
                                    "đó hoặc đặt bảng liền nhau rồi nhập lại.".replace(",", "."))
            rows.extend([] for _ in range(empty_run))
            empty_run = 0
            rows.append(values)
            if len(rows) > limits.max_rows * 2:
                break  # far more than any plan: _check_row_count says so
        return rows
    finally:
        workbook.close()


def _cell_text(cell) -> str:
    if cell.data_type == "f" or (isinstance(cell.value, str) and cell.value.startswith("=") and cell.data_type != "s"):
        raise AppendixError(
            f"Ô {cell.coordinate} (dòng {cell.row}) là công thức: hãy dán giá trị thay cho công thức rồi nhập lại.")
    return _text(cell.value)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _docx_rows(data: bytes, limits: ImportLimits) -> list[list[str]]:
    from docx import Document

    _zip(data, "Word (.docx)", "word/document.xml", limits)
    try:
        document = Document(io.BytesIO(data))
    except Exception as exc:
        raise AppendixError(f"Không đọc được tệp Word: {exc}") from None
    for table in document.tables:
        rows = []
        for row in table.rows:
            cells, seen = [], set()
            for cell in row.cells:
                # A merged cell comes back once per column it spans: keep it once.
                if id(cell._tc) in seen:
                    cells.append("")
                    continue
                seen.add(id(cell._tc))
                cells.append("\n".join(p.text for p in cell.paragraphs))
            rows.append(cells)
        if rows and _header_kind([clean_cell(c).strip() for c in rows[0]]):
            return rows
    raise AppendixError("Không tìm thấy bảng phụ lục trong tệp Word: bảng phải có dòng tiêu đề "
                        + ", ".join(COLUMNS) + ".")


def _header_kind(header: list[str]) -> str | None:
    if tuple(h.strip() for h in header[:6]) == COLUMNS:
        return "appendix"
    if tuple(h.strip().lower() for h in header[:8]) == EXPORT_COLUMNS:
        return "export"
    return None


def parse_table(rows: list[list[str]]) -> ParsedAppendix:
    """Sections and rows of the table, in either layout, with its dates checked."""
    if not rows:
        raise AppendixError("Bảng phụ lục trống.")
    header = [clean_cell(c).strip() for c in rows[0]]
    parsed = _parse_export(rows) if _header_kind(header) == "export" else parse_rows(rows)
    for task in parsed.tasks:
        for m in _DATE.finditer(task.timeframe):
            try:
                date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
            except ValueError:
                raise AppendixError(f"Nhiệm vụ {task.ref}, cột «Thời gian thực hiện»: ngày «{m.group(0)}» không có thật "
                                    "(hãy viết dạng dd/mm/yyyy).") from None
    return parsed


def _parse_export(rows: list[list[str]]) -> ParsedAppendix:
    """The layout of export-plan: one row per task, ref and section given."""
    parsed = ParsedAppendix()
    refs: set[str] = set()
    for number, raw in enumerate(rows[1:], start=2):
        cells = [clean_cell(c) for c in list(raw) + [""] * (8 - len(raw))]
        if not any(cells):
            continue
        ref, section, stt, content, lead, support, timeframe, product = cells[:8]
        ref, section = ref.strip(), section.strip()
        for column, value in (("ref", ref), ("section", section), ("content", content), ("lead", lead)):
            if not value.strip():
                raise AppendixError(f"Dòng {number}, cột «{column}»: ô trống.")
        if not ref.startswith(section + "."):
            raise AppendixError(f"Dòng {number}: mã «{ref}» không thuộc mục «{section}».")
        if ref in refs:
            raise AppendixError(f"Dòng {number}: mã «{ref}» trùng với một dòng khác.")
        refs.add(ref)
        for code in _ancestors(section):
            if not any(s.code == code for s in parsed.sections):
                parent = code.rsplit(".", 1)[0] if "." in code else None
                parsed.sections.append(ParsedSection(code, code.rsplit(".", 1)[-1] + ".", code, parent,
                                                     len(parsed.sections) + 1))
        parsed.tasks.append(ParsedTask(ref, section, stt.strip(), content, lead, support, timeframe, product,
                                       len(parsed.tasks) + 1))
    if not parsed.tasks:
        raise AppendixError("Không tìm thấy nhiệm vụ nào trong bảng.")
    return parsed


def _ancestors(section: str) -> list[str]:
    parts = section.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


@dataclass
class PreviewRow:
    task: ParsedTask
    resolution: RowResolution


@dataclass
class Preview:
    parsed: ParsedAppendix
    rows: list[PreviewRow] = field(default_factory=list)

    @property
    def unresolved(self) -> list[str]:
        """Phrases no unit or group matches, each once, in the order met."""
        return list(dict.fromkeys(p.text for row in self.rows for p in row.resolution.unknown))


def preview(session: Session, parsed: ParsedAppendix) -> Preview:
    roster = roster_from_db(session)
    return Preview(parsed, [PreviewRow(t, resolve_row(t.lead, t.support, roster)) for t in parsed.tasks])


def remember_mappings(session: Session, mappings: dict[str, str]) -> None:
    """Phrase -> "unit:CODE" or "group:CODE": kept as an alias, so the next plan resolves it too."""
    for phrase, target in mappings.items():
        kind, _, code = target.partition(":")
        model = Unit if kind == "unit" else UnitGroup if kind == "group" else None
        item = session.exec(select(model).where(model.code == code)).first() if model else None
        if item is None:
            raise AppendixError(f"Không có {'đơn vị' if kind == 'unit' else 'nhóm'} «{code}» để gán cho «{phrase}».")
        aliases = [a for a in item.aliases.splitlines() if a.strip()]
        if phrase not in aliases:
            item.aliases = "\n".join([*aliases, phrase])
            session.add(item)
    session.flush()


def commit_import(session: Session, *, meta: PlanMeta, parsed: ParsedAppendix, mappings: dict[str, str]) -> LoadReport:
    """Load the new plan, all or nothing: the caller's transaction is rolled back on any error."""
    if session.exec(select(Plan).where((Plan.code == meta.code) | (Plan.number == meta.number))).first():
        raise AppendixError(f"Đã có kế hoạch mã «{meta.code}» hoặc số «{meta.number}».")
    remember_mappings(session, mappings)
    report = LoadReport()
    store_plan(session, meta, parsed, report)
    return report

