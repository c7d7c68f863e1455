"""Word and Excel files laid out as provinces lay out their plans, for the reading tests:
title lines, header rows, cells merged across and down, tables broken across pages.

A table is a list of rows; a cell is its text, or LEFT (merged into the cell on its left)
or UP (merged into the cell above), so that one layout builds both formats alike.
"""

import io
from dataclasses import dataclass, field

from docx import Document
from docx.shared import Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

LEFT, UP = "<merged left>", "<merged up>"


@dataclass
class Table:
    rows: list[list[str]]
    bold_rows: set[int] = field(default_factory=set)  # rows written in bold (headers, headings)


@dataclass
class Paragraph:
    text: str
    bold: bool = False
    page_break: bool = False


def _merges(rows: list[list[str]]) -> list[tuple[int, int, int, int]]:
    """(first row, first column, last row, last column) of each merged range, 0-based."""
    found = []
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            if cell in (LEFT, UP):
                continue
            right = c
            while right + 1 < len(row) and row[right + 1] == LEFT:
                right += 1
            down = r
            while down + 1 < len(rows) and c < len(rows[down + 1]) and rows[down + 1][c] == UP:
                down += 1
            if (right, down) != (c, r):
                found.append((r, c, down, right))
    return found


def docx_bytes(*blocks) -> bytes:
    document = Document()
    document.styles["Normal"].font.name = "Times New Roman"
    document.styles["Normal"].font.size = Pt(12)
    for block in blocks:
        if isinstance(block, Paragraph):
            paragraph = document.add_paragraph()
            if block.page_break:
                from docx.enum.text import WD_BREAK

                paragraph.add_run().add_break(WD_BREAK.PAGE)
            run = paragraph.add_run(block.text)
            run.bold = block.bold
            continue
        width = max(len(r) for r in block.rows)
        table = document.add_table(rows=len(block.rows), cols=width)
        table.style = "Table Grid"
        for top, left, bottom, right in _merges(block.rows):
            table.cell(top, left).merge(table.cell(bottom, right))
        for r, row in enumerate(block.rows):
            for c, text in enumerate(row):
                if text in (LEFT, UP):
                    continue
                cell = table.cell(r, c)
                for extra in cell.paragraphs[1:]:
                    extra._element.getparent().remove(extra._element)
                lines = text.split("\n")
                cell.paragraphs[0].text = ""
                for n, line in enumerate(lines):
                    paragraph = cell.paragraphs[0] if n == 0 else cell.add_paragraph()
                    run = paragraph.add_run(line)
                    run.bold = r in block.bold_rows
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_bytes(*sheets: Table, titles: tuple[str, ...] = ()) -> bytes:
    """One sheet per table; each sheet's titles (if named) from `titles`."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for index, table in enumerate(sheets):
        sheet = workbook.create_sheet(titles[index] if index < len(titles) else f"Sheet{index + 1}")
        for r, row in enumerate(table.rows, start=1):
            for c, text in enumerate(row, start=1):
                if text in (LEFT, UP):
                    continue
                cell = sheet.cell(row=r, column=c, value=text if text else None)
                cell.alignment = Alignment(wrap_text=True, vertical="top")
                if r - 1 in table.bold_rows:
                    cell.font = Font(bold=True)
        for top, left, bottom, right in _merges(table.rows):
            sheet.merge_cells(start_row=top + 1, start_column=left + 1, end_row=bottom + 1, end_column=right + 1)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def national_header(issuer: str = "ỦY BAN NHÂN DÂN\nTỈNH HƯNG YÊN") -> Table:
    """The two-column table at the top of every administrative document."""
    return Table([[issuer, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"],
                  ["Số: 215/KH-UBND", "Hưng Yên, ngày 20 tháng 10 năm 2025"]])
