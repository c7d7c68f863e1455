"""Reading a plan's appendix as the province wrote it, whatever its layout.

    formats     a .docx, .xlsx, .csv (or .doc, .xls through LibreOffice) as grids of cells
    header      the header row found by what its titles mean; extra columns kept by title
    sections    headings, rows, sub-rows and refs; every row accounted for
    timeframes  a timeframe cell read into a due date, a start and a recurrence
    phrases     the lead and support cells read into units, groups and related bodies
    targets     the numeric targets (chỉ tiêu) written in a task's text
    vocabulary  the words of all of these, as data (vocabulary.toml)

Plain functions of texts and a roster: nothing here touches the database.
"""

import re
from datetime import date

from .formats import AppendixError, Grid, ImportLimits, read_grids
from .sections import ParsedAppendix, ParsedSection, ParsedTask, parse_grids

__all__ = ["AppendixError", "ImportLimits", "ParsedAppendix", "ParsedSection", "ParsedTask", "read_appendix",
           "EXPORT_COLUMNS"]

# The layout export-plan writes, so that a plan makes the round trip.
EXPORT_COLUMNS = ("ref", "section", "stt", "content", "lead", "support", "timeframe", "product")
_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")


def read_appendix(filename: str, data: bytes, limits: ImportLimits = ImportLimits()) -> ParsedAppendix:
    """The sections and rows of the file's appendix, with every cell as written."""
    grids = read_grids(filename, data, limits)
    if grids and grids[0].rows and tuple(c.strip().lower() for c in grids[0].rows[0][:8]) == EXPORT_COLUMNS:
        parsed = _parse_export(grids[0])
    else:
        parsed = parse_grids(grids)
    for task in parsed.tasks:
        for m in _DATE.finditer(task.timeframe):
            try:
                date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
            except ValueError:
                raise AppendixError(f"Nhiệm vụ {task.ref} ({task.source}), cột «Thời gian»: ngày «{m.group(0)}» không "
                                    "có thật. Hãy sửa lại ngày rồi nhập lại.") from None
    return parsed


def _parse_export(grid: Grid) -> ParsedAppendix:
    """The layout of export-plan: one row per task, ref and section given, the plan's other
    columns after them under their titles."""
    parsed = ParsedAppendix()
    header = grid.rows[0]
    parsed.extra_columns = [title for title in header[8:] if title.strip()]
    refs: set[str] = set()
    for row in range(1, len(grid.rows)):
        cells = grid.rows[row]
        if not any(cells):
            continue
        parsed.rows_seen += 1
        where = grid.where(row)
        ref, section, stt, content, lead, support, timeframe, product = cells[:8]
        ref, section = ref.strip(), section.strip()
        for column, value in (("ref", ref), ("section", section), ("content", content), ("lead", lead)):
            if not value.strip():
                raise AppendixError(f"{where}, cột «{column}»: ô trống.")
        if ref in refs:
            raise AppendixError(f"{where}: mã «{ref}» trùng với một dòng khác.")
        refs.add(ref)
        parts = section.split(".")
        for depth in range(1, len(parts) + 1):
            code = ".".join(parts[:depth])
            if not any(s.code == code for s in parsed.sections):
                parsed.sections.append(ParsedSection(code, parts[depth - 1] + ".", code,
                                                     ".".join(parts[:depth - 1]) or None, len(parsed.sections) + 1))
        extra = {title: cells[8 + i] for i, title in enumerate(header[8:]) if title.strip()}
        parsed.tasks.append(ParsedTask(ref, section, stt.strip(), content, lead, support, timeframe, product,
                                       len(parsed.tasks) + 1, extra, where))
    if not parsed.tasks:
        raise AppendixError("Không tìm thấy nhiệm vụ nào trong bảng.")
    return parsed
