"""Read an appendix table in the province's own layout into sections and tasks.

The layout is the one of every plan's PHỤ LỤC: six columns (STT, Nội dung công việc,
Đơn vị chủ trì thực hiện, Đơn vị phối hợp, Thời gian thực hiện, Sản phẩm), with
heading rows in between: a part ("A.", "B.") and its sections ("I.", "II." or "1.",
"2." …), a heading row being one whose last four cells are empty.

References are stable: section code + STT ("A.I.5", "B.8.2"); a section's unnumbered
row takes its position ("B.2.1").
"""

import csv
import io
import re
from dataclasses import dataclass, field

from .spreadsheet_text import restore

COLUMNS = (
    "STT",
    "Nội dung công việc",
    "Đơn vị chủ trì thực hiện",
    "Đơn vị phối hợp",
    "Thời gian thực hiện",
    "Sản phẩm",
)

_PART = re.compile(r"([A-H])\.?")
_ROMAN = re.compile(r"([IVX]+)\.?")
_NUMBERED = re.compile(r"(\d+(?:\.\d+)*)\.?")


class AppendixError(ValueError):
    """A table that cannot be read; the message says where and what to fix, in Vietnamese."""


@dataclass
class ParsedSection:
    code: str
    stt: str
    title: str
    parent: str | None
    position: int


@dataclass
class ParsedTask:
    ref: str
    section: str
    stt: str
    content: str
    lead: str
    support: str
    timeframe: str
    product: str
    position: int


@dataclass
class ParsedAppendix:
    sections: list[ParsedSection] = field(default_factory=list)
    tasks: list[ParsedTask] = field(default_factory=list)


def clean_cell(value: str | None) -> str:
    """A cell as written; a cell holding only spaces (or a non-breaking space) is empty."""
    value = "" if value is None else str(value)
    return "" if not value.strip(" \xa0\t\r\n") else value.replace("\r\n", "\n")


def read_csv(data: bytes) -> list[list[str]]:
    """Rows of a CSV file (UTF-8 with or without BOM, comma or semicolon), header included."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise AppendixError("Tệp CSV không ở mã UTF-8: hãy lưu lại tệp với mã hóa UTF-8.") from exc
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    # A cell the app wrote with a protective apostrophe (spreadsheet_text.inert) reads back as it was.
    return [[restore(cell) for cell in row] for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]


def parse_rows(rows: list[list[str]]) -> ParsedAppendix:
    """Read table rows (the first being the header) into sections and tasks."""
    if not rows:
        raise AppendixError("Bảng phụ lục trống.")
    header = [clean_cell(c).strip() for c in rows[0]]
    if tuple(header[: len(COLUMNS)]) != COLUMNS:
        raise AppendixError(
            "Dòng tiêu đề phải gồm đúng các cột: " + ", ".join(COLUMNS) + f". Tệp có: {', '.join(header) or '(trống)'}."
        )
    parsed = ParsedAppendix()
    part: str | None = None
    section: str | None = None
    tasks_in_section: dict[str, int] = {}
    refs: set[str] = set()
    for number, raw in enumerate(rows[1:], start=2):
        cells = [clean_cell(c) for c in list(raw) + [""] * (6 - len(raw))]
        if any(cells[6:]):
            raise AppendixError(f"Dòng {number}: có dữ liệu ngoài 6 cột của phụ lục.")
        stt, content, lead, support, timeframe, product = (c.strip() if i == 0 else c for i, c in enumerate(cells[:6]))
        if not any(cells[:6]):
            continue
        if not any((lead, support, timeframe, product)):
            part, section = _heading(parsed, number, stt, content, part, section)
            continue
        if section is None:
            if part is None:
                raise AppendixError(f"Dòng {number}: nhiệm vụ «{stt}» nằm trước mọi tiêu đề mục (A., I., 1.…).")
            section = part
        if not content.strip():
            raise AppendixError(f"Dòng {number}, cột «Nội dung công việc»: ô trống.")
        if not lead.strip():
            raise AppendixError(f"Dòng {number}, cột «Đơn vị chủ trì thực hiện»: ô trống.")
        count = tasks_in_section.get(section, 0) + 1
        tasks_in_section[section] = count
        ref = f"{section}.{_task_number(number, stt, section, count)}"
        if ref in refs:
            raise AppendixError(f"Dòng {number}: STT «{stt}» trùng với một dòng khác trong mục {section}.")
        refs.add(ref)
        parsed.tasks.append(
            ParsedTask(ref, section, stt, content, lead, support, timeframe, product, len(parsed.tasks) + 1)
        )
    if not parsed.tasks:
        raise AppendixError("Không tìm thấy nhiệm vụ nào trong bảng phụ lục.")
    return parsed


def _heading(parsed, number, stt, title, part, section):
    """Record a heading row; return the (part, section) now in force."""
    if m := _PART.fullmatch(stt):
        code, parent, part, section = m.group(1), None, m.group(1), None
    elif part and ((m := _ROMAN.fullmatch(stt)) or (m := _NUMBERED.fullmatch(stt))) and "." not in m.group(1):
        code, parent, section = f"{part}.{m.group(1)}", part, f"{part}.{m.group(1)}"
    else:
        raise AppendixError(
            f"Dòng {number}: dòng tiêu đề «{stt} {title}» không có STT của phần (A., B.) hay mục (I., II., 1., 2.…)."
        )
    if any(s.code == code for s in parsed.sections):
        raise AppendixError(f"Dòng {number}: mục «{stt}» xuất hiện hai lần.")
    parsed.sections.append(ParsedSection(code, stt, title, parent, len(parsed.sections) + 1))
    return part, section


def _task_number(number: int, stt: str, section: str, count: int) -> str:
    if not stt:
        return str(count)
    m = _NUMBERED.fullmatch(stt)
    if not m:
        raise AppendixError(f"Dòng {number}, cột STT: «{stt}» không phải số thứ tự (1, 2, 1.1…).")
    parts = m.group(1).split(".")
    section_number = section.split(".")[-1]
    if len(parts) > 1 and parts[:-1] != [section_number]:
        raise AppendixError(f"Dòng {number}, cột STT: «{stt}» không thuộc mục {section}.")
    return parts[-1]
