"""A plan file as grids of cell texts: every table of a Word document, every sheet of a
workbook, the one table of a CSV file. What follows (header, sections) reads grids alike,
whatever the format.

Merged cells mean the same in every format. A cell merged across columns holds its text
in its first column, the others empty. A cell merged down holds its text in every row it
spans, and those rows know it came from above (`Grid.from_above`): a lead cell merged over
three rows leads each of the three.

Nothing is unpacked before the file's size, unpacked size and kind are checked; an
.xlsx is streamed (read-only mode), and a sheet that claims a million rows costs nothing.
"""

import csv
import io
import re
import shutil
import subprocess
import tempfile
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from xml.etree import ElementTree

from ..spreadsheet_text import restore
from ..text import number_vn


class AppendixError(ValueError):
    """A file that cannot be read; the message says where and what to fix, in Vietnamese."""


@dataclass(frozen=True)
class ImportLimits:
    """What one plan file may hold (IMPORT_MAX_BYTES, IMPORT_MAX_UNPACKED_BYTES, IMPORT_MAX_ROWS)."""

    max_bytes: int = 5 * 1024 * 1024
    max_unpacked_bytes: int = 25 * 1024 * 1024  # an .xlsx or .docx is a ZIP: its parts, unpacked
    max_rows: int = 2000

    @classmethod
    def from_config(cls, config) -> "ImportLimits":
        return cls(config["IMPORT_MAX_BYTES"], config["IMPORT_MAX_UNPACKED_BYTES"], config["IMPORT_MAX_ROWS"])


@dataclass
class Grid:
    """One table: rows of cell texts, all of the same width."""

    name: str  # «Bảng 3», «Trang tính "PL1"», «tệp CSV»: how messages name it
    rows: list[list[str]] = field(default_factory=list)
    from_above: set[tuple[int, int]] = field(default_factory=set)  # (row, column) filled by a merge above
    across: set[tuple[int, int]] = field(default_factory=set)  # (row, column) covered by a cell on its left
    bold: set[tuple[int, int]] = field(default_factory=set)  # cells whose text is bold throughout
    line_numbers: list[int] = field(default_factory=list)  # each row's number in the sheet or table

    def add(self, cells: list[str], line: int, *, from_above=(), across=(), bold=()) -> None:
        row = len(self.rows)
        self.rows.append(cells)
        self.line_numbers.append(line)
        self.from_above.update((row, c) for c in from_above)
        self.across.update((row, c) for c in across)
        self.bold.update((row, c) for c in bold)

    def squared(self) -> "Grid":
        width = max((len(r) for r in self.rows), default=0)
        for row in self.rows:
            row.extend([""] * (width - len(row)))
        return self

    def where(self, row: int) -> str:
        return f"{self.name}, dòng {self.line_numbers[row]}"


# Control characters never typed by a person (a NUL cannot even be stored); a vertical tab
# or form feed is how some programs write a line break inside a cell.
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def clean_cell(value) -> str:
    """A cell as written: line breaks as «\\n», control characters dropped, and a cell of
    nothing but spaces (or non-breaking spaces) empty."""
    text = "" if value is None else str(value)
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n").replace("\v", "\n").replace("\f", "\n"))
    return "" if not text.strip(" \xa0\t\n") else text


def read_grids(filename: str, data: bytes, limits: ImportLimits = ImportLimits()) -> list[Grid]:
    """Every table of the file, whatever its format."""
    if not data:
        raise AppendixError("Tệp trống.")
    if len(data) > limits.max_bytes:
        raise AppendixError(f"Tệp quá lớn ({size_text(len(data))}): giới hạn là {size_text(limits.max_bytes)}.")
    suffix = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    if suffix in ("xlsm", "xltm", "xlsb", "docm", "dotm"):
        raise AppendixError(f"Tệp có macro (.{suffix}) không được nhận: hãy lưu lại dưới dạng .xlsx hoặc .docx.")
    if suffix in ("doc", "xls"):
        suffix, data = _converted(suffix, data)
    if suffix == "xlsx":
        grids = _xlsx_grids(data, limits)
    elif suffix == "docx":
        grids = _docx_grids(data, limits)
    elif suffix == "csv":
        if data[:2] == b"PK":
            raise AppendixError("Tệp có đuôi .csv nhưng thực ra là tệp nén (Excel/Word): hãy chọn đúng định dạng.")
        grids = [_csv_grid(data)]
    else:
        raise AppendixError(f"Định dạng «.{suffix}» không được hỗ trợ: hãy dùng .docx, .xlsx, .csv (hoặc .doc, .xls).")
    filled = sum(1 for grid in grids for row in grid.rows if any(row))
    if filled > limits.max_rows:
        raise AppendixError(f"Tệp có {number_vn(filled)} dòng: một kế hoạch nhập được tối đa {number_vn(limits.max_rows)} "
                            "dòng (IMPORT_MAX_ROWS). Hãy kiểm tra tệp có đúng là phụ lục của một kế hoạch.")
    return grids


def size_text(n: int) -> str:
    """A size as people read it; under a kilobyte in bytes, as «0 KB» would read as an empty file."""
    if n < 1024:
        return f"{n} byte"
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


# --- old formats, through LibreOffice --------------------------------------------------------


def _converted(suffix: str, data: bytes) -> tuple[str, bytes]:
    """A .doc or .xls (Word/Excel 97-2003) converted to .docx or .xlsx by LibreOffice."""
    target = {"doc": "docx", "xls": "xlsx"}[suffix]
    office = shutil.which("soffice") or shutil.which("libreoffice")
    if office is None:
        raise AppendixError(f"Tệp .{suffix} là định dạng cũ (Office 97-2003): hãy mở tệp và «Lưu thành» .{target} rồi "
                            "nhập lại, hoặc cài LibreOffice trên máy chủ để ứng dụng tự chuyển.")
    with tempfile.TemporaryDirectory() as work:
        source = Path(work) / f"phu-luc.{suffix}"
        source.write_bytes(data)
        try:
            done = subprocess.run([office, "--headless", "--norestore", f"-env:UserInstallation=file://{work}/profile",
                                   "--convert-to", target, "--outdir", work, str(source)],
                                  capture_output=True, timeout=120)
        except subprocess.TimeoutExpired:
            raise AppendixError(f"LibreOffice không chuyển được tệp .{suffix} trong 2 phút.") from None
        converted = Path(work) / f"phu-luc.{target}"
        if done.returncode != 0 or not converted.exists():
            raise AppendixError(f"LibreOffice không đọc được tệp .{suffix} (có thể tệp bị hỏng): hãy lưu lại thành "
                                f".{target} rồi nhập lại.")
        return target, converted.read_bytes()


# --- ZIP containers ----------------------------------------------------------------------------


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
        raise AppendixError(f"Tệp {kind} giải nén ra {size_text(unpacked)}, vượt giới hạn "
                            f"{size_text(limits.max_unpacked_bytes)}: hãy kiểm tra tệp (có thể chứa ảnh rất lớn "
                            "hoặc bị làm hỏng).")
    return archive


# --- CSV ---------------------------------------------------------------------------------------


def _csv_grid(data: bytes) -> Grid:
    """UTF-8 with or without BOM, comma or semicolon."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise AppendixError("Tệp CSV không ở mã UTF-8: hãy lưu lại tệp với mã hóa UTF-8.") from None
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    grid = Grid("tệp CSV")
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for number, row in enumerate(rows, start=1):
            # A cell written with a protective apostrophe (spreadsheet_text.inert) reads back as it was.
            grid.add([clean_cell(restore(cell)) for cell in row], number)
    except csv.Error:  # a cell past the reader's limit (about 131,000 characters), or a stray NUL
        raise AppendixError(f"Tệp CSV không đọc được từ dòng {number_vn(rows.line_num)}: có một ô quá dài hoặc "
                            "ký tự lạ. Hãy mở tệp, kiểm tra dòng đó rồi lưu lại dưới dạng CSV (UTF-8).") from None
    return grid.squared()


# --- Excel ------------------------------------------------------------------------------------

# Rows this far below the table, after nothing but empty rows, are a stray cell, not the table.
STRAY_GAP = 1000
_SHEET_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELS_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_DOC_RELS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"


def _xlsx_grids(data: bytes, limits: ImportLimits) -> list[Grid]:
    from openpyxl import load_workbook

    archive = _zip(data, "Excel (.xlsx)", "xl/workbook.xml", limits)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds on a broken workbook
        raise AppendixError(f"Không đọc được tệp Excel: {exc}") from None
    try:
        paths = _sheet_paths(archive)
        return [_sheet_grid(sheet, _merged_ranges(archive, paths.get(sheet.title)), limits)
                for sheet in workbook.worksheets if getattr(sheet, "sheet_state", "visible") == "visible"]
    finally:
        workbook.close()


def _sheet_paths(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet title -> its part in the archive, from the workbook's relationships."""
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target") for r in rels.iter(f"{_RELS_NS}Relationship")}
    paths = {}
    for sheet in workbook.iter(f"{_SHEET_NS}sheet"):
        target = targets.get(sheet.get(f"{_DOC_RELS}id"), "")
        paths[sheet.get("name")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return paths


def _merged_ranges(archive: zipfile.ZipFile, path: str | None) -> list[tuple[int, int, int, int]]:
    """(first row, first column, last row, last column) of each merged range, read from the
    sheet's XML as it streams by (read-only workbooks do not list them)."""
    from openpyxl.utils.cell import range_boundaries

    if not path or path not in archive.namelist():
        return []
    ranges = []
    with archive.open(path) as source:
        for _, element in ElementTree.iterparse(source):
            if element.tag == f"{_SHEET_NS}mergeCell":
                min_col, min_row, max_col, max_row = range_boundaries(element.get("ref"))
                ranges.append((min_row, min_col, max_row, max_col))
            element.clear()
    return ranges


def _sheet_grid(sheet, merges: list[tuple[int, int, int, int]], limits: ImportLimits) -> Grid:
    grid = Grid(f"Trang tính «{sheet.title}»")
    # row -> [(column, the merge's first row, or 0 for a cell merged across)] inside a merge
    inside: dict[int, list[tuple[int, int]]] = {}
    for first_row, first_col, last_row, last_col in merges:
        for row in range(first_row, last_row + 1):
            for col in range(first_col, last_col + 1):
                if (row, col) != (first_row, first_col):
                    inside.setdefault(row, []).append((col, first_row if col == first_col else 0))
    texts: dict[int, list[str]] = {}
    bold: dict[int, set[int]] = {}
    empty_run = 0
    blank = None  # the last empty row: openpyxl yields one and the same tuple for every missing row
    for number, row in enumerate(sheet.iter_rows(), start=1):
        if row is blank:  # a million missing rows above a stray cell go by without being read
            empty_run += 1
            continue
        values = [_cell_text(cell) for cell in row]
        if not any(values):
            blank = row
            empty_run += 1
            continue
        if texts and empty_run > STRAY_GAP:
            raise AppendixError(f"Trang tính «{sheet.title}» có dữ liệu ở dòng {number}, sau {number_vn(empty_run)} dòng "
                                "trống: hãy xóa ô thừa đó hoặc đặt bảng liền nhau rồi nhập lại.")
        empty_run = 0
        texts[number] = values
        bold[number] = {c for c, cell in enumerate(row) if values[c] and getattr(getattr(cell, "font", None), "b", False)}
        if len(texts) > limits.max_rows * 2:
            break  # far more than any plan: read_grids says so
    for number in sorted(texts):
        values, from_above, across = texts[number], set(), set()
        for col, first in inside.get(number, ()):
            if col - 1 >= len(values):
                continue
            if first and first in texts and col - 1 < len(texts[first]):
                values[col - 1] = texts[first][col - 1]  # merged down: the text of the first row
                from_above.add(col - 1)
            else:
                values[col - 1] = ""  # merged across: the text stays in the first column
                across.add(col - 1)
        grid.add(values, number, from_above=from_above, across=across, bold=bold[number])
    return grid.squared()


def _cell_text(cell) -> str:
    if cell.data_type == "f" or (isinstance(cell.value, str) and cell.value.startswith("=") and cell.data_type != "s"):
        raise AppendixError(
            f"Ô {cell.coordinate} (dòng {cell.row}) là công thức: hãy dán giá trị thay cho công thức rồi nhập lại.")
    value = cell.value
    if isinstance(value, (datetime, date)):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return clean_cell(value)


# --- Word -------------------------------------------------------------------------------------


def _docx_grids(data: bytes, limits: ImportLimits) -> list[Grid]:
    from docx import Document

    _zip(data, "Word (.docx)", "word/document.xml", limits)
    try:
        document = Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many kinds on a broken document
        raise AppendixError(f"Không đọc được tệp Word: {exc}") from None
    grids = []
    for number, table in enumerate(document.tables, start=1):
        grid = Grid(f"Bảng {number}")
        # The table's cells once, by grid column (row.cells would lay out the whole table again
        # for every row); a merged cell is the same object in each grid cell it covers.
        every, width = table._cells, table._column_count
        above: list = []  # the cell elements of the previous row, by grid column
        for line in range(1, len(every) // width + 1):
            cells, elements, from_above, across, bold = [], [], set(), set(), set()
            for col, cell in enumerate(every[(line - 1) * width:line * width]):
                element = cell._tc
                elements.append(element)
                if col and element is elements[col - 1]:
                    cells.append("")  # merged across: python-docx gives the cell once per column
                    across.add(col)
                    continue
                if col < len(above) and element is above[col]:
                    from_above.add(col)  # merged down: python-docx gives the first row's cell
                cells.append(clean_cell("\n".join(p.text for p in cell.paragraphs)))
                if cells[-1] and _all_bold(cell):
                    bold.add(col)
            grid.add(cells, line, from_above=from_above, across=across, bold=bold)
            above = elements
        grids.append(grid.squared())
    return grids


def _all_bold(cell) -> bool:
    """Every run of text bold, by its own setting or its paragraph style's."""
    found = False
    for paragraph in cell.paragraphs:
        style_bold = bool(paragraph.style is not None and paragraph.style.font.bold)
        for run in paragraph.runs:
            if run.text.strip():
                if not (run.bold or (run.bold is None and style_bold)):
                    return False
                found = True
    return found
