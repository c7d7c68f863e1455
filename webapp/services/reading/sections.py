"""Read the rows of an appendix's tables into sections and tasks, with short, stable refs.

Rows, in the order of the document:

- a heading names no unit, no time and no product: a part (A, B), a Roman section
  (I, II), a numbered heading (1, 2, 2.1; II.1 under II), with or without a trailing dot, or a line in
  bold or capitals without a number. It opens a section, coded by its parent's code and
  its own number: A.I, I.2, II.2.1 (an unnumbered one: M1, M2…);
- a task row's ref is its section's code and its STT: I.3, A.II.5; an STT that repeats its
  section's number drops it (1.3 in B.1 is B.1.3); in a table without headings, the STT
  alone (5);
- a row numbered with a letter (a, b) hangs under the numbered row above it: I.2.a;
- an unnumbered row (empty STT, or a bullet -, +, •) that names its own lead, support, time
  or product — written, or through a cell merged down from above — is a row of its own,
  numbered by its position under the row or heading above: I.2.1, I.2.2;
- an unnumbered row with text in the content column only continues the row above: its
  text is added to that row's content on a new line;
- notes under or in the table («Ghi chú: …»), rows of dots and «(tiếp theo)» lines, a
  header repeated after a page break and the row of column numbers are passed over, and
  listed.

Every non-empty row is accounted for: `ParsedAppendix.rows_seen` equals the rows read as
headings, tasks and continuations plus the rows passed over, each with its reason. A row
that fits none of these (text in the lead column but an empty content cell) refuses the
file with its place and reason.
"""

import re
from dataclasses import dataclass, field

from ..text import nfc, number_vn
from .formats import AppendixError, Grid
from .header import Header, describe_columns, find_header, find_headers, is_column_numbers
from .vocabulary import folded, vocabulary

_NUMBERING = re.compile(
    r"^\s*(?:(?:phan|muc|phu luc)\s+)?(?P<token>[IVXL]+(?:\.\d+)+|[A-Ha-h]|[IVXLivxl]+|\d+(?:\.\d+)*|[a-zđ])\s*(?:[.):/-]+\s*|\s+|$)",
    re.IGNORECASE)
_BULLET = re.compile(r"^[\-+•*–·—]+$")
_PART, _ROMAN, _NUMBER, _LETTER = "part", "roman", "number", "letter"
# The longest cell of the published plans gathered is under 700 characters: a cell far longer
# is a whole text pasted into one cell, which no one could check in the preview.
MAX_CELL_CHARS = 10_000


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
    extra: dict[str, str] = field(default_factory=dict)
    source: str = ""  # where in the file: «Bảng 3, dòng 12»


@dataclass
class PassedOver:
    where: str
    text: str
    reason: str


@dataclass
class ParsedAppendix:
    sections: list[ParsedSection] = field(default_factory=list)
    tasks: list[ParsedTask] = field(default_factory=list)
    extra_columns: list[str] = field(default_factory=list)
    rows_seen: int = 0
    headings: int = 0
    continuations: int = 0
    passed_over: list[PassedOver] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what a person should check

    @property
    def rows_read(self) -> int:
        return len(self.tasks) + self.headings + self.continuations + len(self.passed_over)


@dataclass
class _Open:
    """A section while its rows are read."""

    level: int
    code: str
    token: str  # its own number, as a ref component («2» of «I.2»)
    written: str = ""  # its number as written («2», «II.2»)


def _token(text: str) -> tuple[str | None, str, str]:
    """(kind, token, the rest) of a numbering written at the start of a cell."""
    text = nfc(text).strip()
    if not text:
        return None, "", ""
    if _BULLET.match(text.split()[0]) and len(text.split()) == 1:
        return "bullet", "", ""
    m = _NUMBERING.match(text)
    if not m:
        return None, "", text
    token, rest = m.group("token"), text[m.end():].strip()
    if re.fullmatch(r"(?:[IVXL]+\.)?\d+(?:\.\d+)*", token, re.IGNORECASE):  # «2.1», or «II.1» under II
        return _NUMBER, token.upper(), rest
    if re.fullmatch(r"[IVXL]+", token) and token != "L":
        return _ROMAN, token, rest
    if re.fullmatch(r"[A-H]", token):
        return _PART, token, rest
    if re.fullmatch(r"[a-zđ]", token):
        return _LETTER, token, rest
    return None, "", text


def _level(kind: str, token: str) -> int:
    if kind == _NUMBER and token[:1].isalpha():  # «II.1» is the first numbered level under II
        return 1 + token.count(".")
    return {_PART: 0, _ROMAN: 1, _NUMBER: 2 + token.count("."), _LETTER: 6}.get(kind, 8)


class _Reader:
    def __init__(self) -> None:
        self.parsed = ParsedAppendix()
        self.open: list[_Open] = []
        self.codes: set[str] = set()
        self.refs: set[str] = set()
        self.unnamed_headings = 0
        self.last_task: ParsedTask | None = None  # the last numbered task of the open section
        self.last_row: ParsedTask | ParsedSection | None = None
        self.sub_rows: dict[str, int] = {}  # ref of a row or section -> its unnumbered rows so far
        self.numbered_rows: set[str] = set()  # sections that hold rows with a plain number

    # --- sections ---------------------------------------------------------------------------

    def heading(self, kind: str | None, token: str, title: str, stt_written: str) -> None:
        # An unnumbered heading in capitals stands beside the Roman sections; one only in bold, under them.
        letters = [c for c in title if c.isalpha()]
        level = _level(kind, token) if kind else 1 if letters and all(c.isupper() for c in letters) else 9
        while self.open and self.open[-1].level >= level:
            self.open.pop()
        parent = self.open[-1] if self.open else None
        if kind is None:
            self.unnamed_headings += 1
            own = f"M{self.unnamed_headings}"
        else:
            own = _own_number(token.upper() if kind == _ROMAN else token, parent)
        code = f"{parent.code}.{own}" if parent else own
        if code in self.codes:  # a second appendix table numbered from I again: «I-2»
            code = self._unique(code, self.codes, f"mục «{stt_written} {title}»")
        self.codes.add(code)
        section = ParsedSection(code, stt_written, title, parent.code if parent else None,
                                len(self.parsed.sections) + 1)
        self.parsed.sections.append(section)
        self.open.append(_Open(level, code, own, token))
        self.parsed.headings += 1
        self.last_task, self.last_row = None, section

    def _unique(self, code: str, taken: set[str], what: str) -> str:
        n = 2
        while f"{code}-{n}" in taken:
            n += 1
        self.parsed.notes.append(f"{what}: mã «{code}» đã có, dùng «{code}-{n}».")
        return f"{code}-{n}"

    # --- tasks ------------------------------------------------------------------------------

    def task(self, kind: str | None, token: str, stt_written: str, cells: dict, extra: dict, where: str) -> None:
        section = self.open[-1] if self.open else None
        if kind == _NUMBER and _follows_its_heading(section, token) and section.code not in self.numbered_rows:
            # Headings 1 and 2 hold rows a), b)…; a row numbered 3 after them is their sibling, not
            # a row of heading 2.
            self.open.pop()
            section = self.open[-1] if self.open else None
        if kind == _NUMBER and section is not None and "." not in token:
            self.numbered_rows.add(section.code)
        if kind == _NUMBER:
            own = _own_number(token, section)
            ref = f"{section.code}.{own}" if section else own
        else:
            parent_ref = self.last_task.ref if self.last_task else (section.code if section else None)
            if kind in (_LETTER, _PART, _ROMAN):
                own = token.lower() if kind != _ROMAN else token
            else:
                own = str(self.sub_rows.get(parent_ref, 0) + 1)
                self.sub_rows[parent_ref] = int(own)
            ref = f"{parent_ref}.{own}" if parent_ref else own
        if ref in self.refs:
            ref = self._unique(ref, self.refs, f"{where}, STT «{stt_written}»")
        self.refs.add(ref)
        task = ParsedTask(ref, section.code if section else "", stt_written, cells["content"], cells["lead"],
                          cells["support"], cells["time"], cells["product"], len(self.parsed.tasks) + 1, extra, where)
        self.parsed.tasks.append(task)
        if kind == _NUMBER:
            self.last_task = task
        self.last_row = task

    def continuation(self, text: str) -> None:
        row = self.last_row
        if isinstance(row, ParsedTask):
            row.content = f"{row.content}\n{text}" if row.content else text
        else:
            row.title = f"{row.title}\n{text}"
        self.parsed.continuations += 1


def _follows_its_heading(section: _Open | None, token: str) -> bool:
    """A plain number after a numbered heading of the same kind and a lower number."""
    return (section is not None and section.level == _level(_NUMBER, "") and section.written.isdigit()
            and token.isdigit() and int(token) > int(section.written))


def _own_number(token: str, section: _Open | None) -> str:
    """A number as a ref component: «1.3» in section B.1 is «3»; «2.1» under heading 2 is «1»."""
    if section and token.startswith(section.token + ".") and section.token:
        return token[len(section.token) + 1:]
    return token


def parse_grids(grids: list[Grid]) -> ParsedAppendix:
    """The appendix's sections and tasks, from every table of the file that holds tasks."""
    reader = _Reader()
    current: Header | None = None
    for grid in grids:
        headers = find_headers(grid)
        if not headers:
            # A table continued after a page break, a note or an ellipsis: the same columns, no header.
            if current is None or len(grid.rows[0] if grid.rows else []) != len(current.titles):
                if current is not None and any(any(c.strip() for c in row) for row in grid.rows):
                    reader.parsed.notes.append(f"{grid.name} không có dòng tiêu đề và khác số cột với bảng phụ lục: "
                                               "không đọc.")
                continue
            _read_rows(reader, grid, current, 0, len(grid.rows))
            continue
        for index, header in enumerate(headers):
            end = headers[index + 1].rows[0] if index + 1 < len(headers) else len(grid.rows)
            if not header.is_task_table():
                if any(any(c.strip() for c in row) for row in grid.rows[header.first_row:end]):
                    reader.parsed.notes.append(
                        f"{grid.where(header.rows[0])}: bảng không có cột nội dung và cột đơn vị chủ trì (các cột: "
                        f"{describe_columns(header, grid)}): không phải bảng nhiệm vụ, không đọc.")
                continue
            if current is not None and header.signature != current.signature:
                # Another appendix table with columns of its own: its sections start afresh.
                reader.open, reader.last_task, reader.last_row = [], None, None
            current = header
            for col, title in header.extras:
                if title not in reader.parsed.extra_columns:
                    reader.parsed.extra_columns.append(title)
            _read_rows(reader, grid, header, header.first_row, end)
    if current is None:
        described = "; ".join(f"{g.name}: {describe_columns(find_header(g), g)}" for g in grids[:6]) or "không có bảng"
        raise AppendixError(
            "Không tìm thấy bảng phụ lục: cần một dòng tiêu đề có cột nội dung (Nội dung, Nhiệm vụ, Tên nhiệm vụ…) và "
            f"cột đơn vị chủ trì (Chủ trì, Cơ quan chủ trì, Cơ quan thực hiện…). Tệp có: {described}.")
    if not reader.parsed.tasks:
        raise AppendixError("Bảng phụ lục không có nhiệm vụ nào (chỉ có dòng tiêu đề mục).")
    _drop_unnumbered_codes(reader.parsed)
    _gather_rows_outside_headings(reader.parsed)
    return reader.parsed


OUTSIDE_HEADINGS = "PL"  # the section of rows under no heading (a flat table, rows before the first heading)


def _gather_rows_outside_headings(parsed: ParsedAppendix) -> None:
    """Every row belongs to a section: those under no heading to the appendix itself («PL»)."""
    outside = [t for t in parsed.tasks if not t.section]
    if outside:
        parsed.sections.insert(0, ParsedSection(OUTSIDE_HEADINGS, "", "Phụ lục", None, 0))
        for task in outside:
            task.section = OUTSIDE_HEADINGS


def _drop_unnumbered_codes(parsed: ParsedAppendix) -> None:
    """Under headings without a number (M1, M2…), rows keep their own numbers when those do
    not repeat (numbering runs on across the headings): «5», not «M2.5»."""
    plain = {t.ref: ".".join(part for part in t.ref.split(".") if not re.fullmatch(r"M\d+", part))
             for t in parsed.tasks}
    if any(plain[ref] != ref for ref in plain) and len(set(plain.values())) == len(plain) and all(plain.values()):
        for task in parsed.tasks:
            task.ref = plain[task.ref]


def _cells(grid: Grid, header: Header, row: int) -> tuple[dict, dict]:
    """The row's cells by role, and its other columns by title (every one, empty or not)."""
    values = grid.rows[row]
    cells = {role: values[col] if col < len(values) else "" for role, col in header.columns.items()}
    for role in ("stt", "content", "lead", "support", "time", "product"):
        cells.setdefault(role, "")
    extra = {title: values[col] if col < len(values) else "" for col, title in header.extras}
    return cells, extra


def _read_rows(reader: _Reader, grid: Grid, header: Header, start: int, end: int) -> None:
    parsed = reader.parsed
    for row in range(start, end):
        values = grid.rows[row]
        own = [c for i, c in enumerate(values) if c.strip() and (row, i) not in grid.from_above]
        if not own:
            continue
        parsed.rows_seen += 1
        where = grid.where(row)
        longest = max(own, key=len)
        if len(longest) > MAX_CELL_CHARS:
            raise AppendixError(f"{where}: có một ô dài {number_vn(len(longest))} ký tự (bắt đầu bằng «{longest[:60]}…»), "
                                f"quá giới hạn {number_vn(MAX_CELL_CHARS)} ký tự của một ô phụ lục. Hãy kiểm tra "
                                "tệp: có thể cả một đoạn văn bản dài đã bị dán vào một ô.")
        text = " ".join(" ".join(c.split()) for c in own)
        words = folded(text)
        if vocabulary().filler_rows.search(words):
            parsed.passed_over.append(PassedOver(where, text, "dòng nối trang"))
            continue
        if tuple(folded(c) for c in values) == header.signature:
            parsed.passed_over.append(PassedOver(where, text, "dòng tiêu đề lặp lại"))
            continue
        if is_column_numbers(values):
            parsed.passed_over.append(PassedOver(where, text, "dòng đánh số cột"))
            continue
        cells, extra = _cells(grid, header, row)
        stt_written = cells["stt"].strip()
        named = any(cells[r].strip() for r in ("lead", "support", "time", "product"))
        if not named and vocabulary().note_starts.match(words):
            parsed.passed_over.append(PassedOver(where, text, "ghi chú của văn bản"))
            continue
        # A heading's number and title may share one cell merged across the row («I. NHIỆM VỤ CHUNG»);
        # without an STT column, the number is the one written at the start of the content.
        kind, token, rest = _token(stt_written if "stt" in header.columns else cells["content"])
        if not named:
            _heading_or_continuation(reader, grid, header, row, kind, token, rest, stt_written, cells, extra, where)
            continue
        if not cells["content"].strip():
            raise AppendixError(f"{where}: có {_named_columns(cells)} nhưng ô «Nội dung» trống, nên không biết đây là "
                                "nhiệm vụ nào. Hãy điền nội dung hoặc xóa dòng rồi nhập lại.")
        if kind == "bullet":
            kind, token = None, ""
        if kind is None and stt_written and not _BULLET.match(stt_written):
            kind, token = _NUMBER, re.sub(r"[^\w.]+", "-", stt_written).strip("-.")  # an STT of its own kind («1a»)
        reader.task(kind, token, stt_written, cells, extra, where)


def _heading_or_continuation(reader, grid, header, row, kind, token, rest, stt_written, cells, extra, where):
    content = cells["content"]
    filled = {k: v for k, v in extra.items() if v.strip()}
    if filled:
        reader.parsed.notes.append(f"{where}: dòng tiêu đề mục có ô {', '.join(f'«{k}» = «{v}»' for k, v in filled.items())}"
                                   " (giữ ở ghi chú này, không gắn với nhiệm vụ nào).")
    if kind in (_PART, _ROMAN, _NUMBER, _LETTER):
        title = rest if "stt" not in header.columns else " ".join(p for p in (rest, content) if p.strip()).strip()
        reader.heading(kind, token, title, stt_written)
        return
    # No number in the STT column: a number written at the start of the content makes a heading,
    # as do bold or capital letters (in whichever column the text sits); otherwise the row
    # continues the one above.
    kind_in_text, token_in_text, rest_in_text = _token(content)
    if (not stt_written and kind_in_text in (_PART, _ROMAN)) or (
            kind_in_text == _NUMBER and _is_emphasised(grid, header, row, content)):
        reader.heading(kind_in_text, token_in_text, rest_in_text, "")
        return
    text = " ".join(p for p in (stt_written if kind != "bullet" else "", content) if p.strip()).strip()
    if reader.last_row is None or _is_emphasised(grid, header, row, text):
        reader.heading(None, "", text, "")
        return
    reader.continuation(content if not stt_written else f"{stt_written} {content}".strip())


def _is_emphasised(grid: Grid, header: Header, row: int, text: str) -> bool:
    """Written in capitals, or in bold in the STT or content column: a heading, not more text."""
    letters = [c for c in text if c.isalpha()]
    capitals = len(letters) >= 4 and all(c.isupper() for c in letters)
    columns = [header.columns[role] for role in ("stt", "content") if role in header.columns]
    return capitals or any((row, col) in grid.bold for col in columns)


def _named_columns(cells: dict) -> str:
    names = {"lead": "đơn vị chủ trì", "support": "đơn vị phối hợp", "time": "thời gian", "product": "sản phẩm"}
    return ", ".join(names[r] for r in names if cells[r].strip())
