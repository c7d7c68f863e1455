"""The official report to the province, in the layouts officials use: an Excel workbook that
prints as it is, a Word document in the layout of Vietnamese administrative documents
(Decree 30/2020: A4, Times New Roman 13–14, margins 2–2.5 / 3–3.5 / 1.5–2 cm), and a CSV
of every report. Text that a spreadsheet could run as a formula is written as text."""

import gc
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import TYPE_STRING, Cell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.styles.borders import DEFAULT_BORDER
from openpyxl.styles.fonts import DEFAULT_FONT
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet
from sqlmodel import Session, select

from ..models import (
    Assignment,
    Attachment,
    Period,
    PeriodReport,
    Plan,
    Report,
    Role,
    Section,
    Task,
    Unit,
)
from .dashboard import Dashboard
from .evidence import attached, sent_with
from .reports import STATUS_LABELS
from .spreadsheet_text import csv_bytes
from .targets import SIGNS, target_text
from .text import by_vietnamese_name, figure_vn

APPENDIX_COLUMNS = ["STT", "Nội dung công việc", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời gian thực hiện",
                    "Sản phẩm", "Kết quả thực hiện", "Tình trạng", "Khó khăn, vướng mắc", "Đề xuất"]
APPENDIX_WIDTHS = [6, 38, 18, 18, 13, 20, 36, 13, 22, 22]
DOCX_WIDTHS_CM = [1.1, 5.4, 2.6, 2.6, 2.0, 2.6, 4.2, 1.9, 2.0, 1.8]  # 26.2 cm: A4 landscape less margins
LINE_HEIGHT = 13.5  # points: a line of 11-point Times New Roman
FONT = "Times New Roman"

@dataclass
class Line:
    """A line of the report's appendix: a heading or a row with what its leads reported."""

    heading: bool
    stt: str
    content: str
    lead: str = ""
    support: str = ""
    timeframe: str = ""
    product: str = ""
    result: str = ""
    status: str = ""
    difficulties: str = ""
    proposals: str = ""
    extra: dict[str, str] = field(default_factory=dict)  # the plan's other columns (Nguồn kinh phí…)

    def cells(self) -> list[str]:
        """The report's columns; the plan's other columns follow the content, one a line
        (Word and print keep the administrative layout's ten columns)."""
        content = "\n".join([self.content, *(f"{title}: {text}" for title, text in self.extra.items())])
        return [self.stt, content, self.lead, self.support, self.timeframe, self.product, self.result,
                self.status, self.difficulties, self.proposals]

    def spreadsheet_cells(self, extra_columns: list[str]) -> list[str]:
        """The report's columns, then one column for each of the plan's other columns."""
        return [self.stt, self.content, self.lead, self.support, self.timeframe, self.product, self.result,
                self.status, self.difficulties, self.proposals, *(self.extra.get(t, "") for t in extra_columns)]


def lines(session: Session, plan: Plan, board: Dashboard) -> list[Line]:
    sections = {s.id: s for s in session.exec(select(Section).where(Section.plan_id == plan.id))}
    units = {u.id: u for u in session.exec(select(Unit))}
    said = {}
    for (task_id, unit_id), lead in board.standing.leads.items():
        if lead.report is not None:
            said.setdefault(task_id, []).append((units[unit_id], lead.report))
    files = _evidence_names(session, [report for reports in said.values() for _, report in reports],
                            board.standing.copies)
    out, shown = [], set()
    for row in board.standing.rows:
        section = sections[row.task.section_id]
        for heading in (sections.get(section.parent_id), section):
            if heading is not None and heading.id not in shown:
                shown.add(heading.id)
                out.append(Line(True, heading.stt, heading.title))
        reports = said.get(row.task.id, [])
        many = len(reports) > 1

        def joined(attribute: str, reports=reports, many=many) -> str:
            parts = []
            for unit, report in reports:
                text = getattr(report, attribute) or ""
                if attribute == "result" and report.evidence_number:
                    text = f"{text} (Văn bản số {report.evidence_number}" + (
                        f" ngày {report.evidence_date.strftime('%d/%m/%Y')})" if report.evidence_date else ")")
                evidence = files(report)
                if attribute == "result" and evidence:
                    text = f"{text}\nTệp minh chứng: {'; '.join(evidence)}"
                if text.strip():
                    parts.append(f"{unit.short_name or unit.name}: {text.strip()}" if many else text.strip())
            return "\n".join(parts)

        t = row.task
        out.append(Line(False, t.stt, t.content, t.lead_text, t.support_text, t.timeframe_text, t.product,
                        joined("result"), row.status.label, joined("difficulties"), joined("proposals"), dict(t.extra)))
    return out


def _evidence_names(session: Session, reports, copies: bool) -> Callable[[object], list[str]]:
    """What gives the names of a report's evidence files: a period's copy lists what it was sent
    with, a live report what it holds now, and a version accepted before the one now sent again
    (periods.AcceptedVersion, kept as values) the files it was accepted with."""
    ids = [report.id for report in reports if getattr(report, "id", None) is not None]
    found = sent_with(session, ids) if copies else attached(session, ids)
    by_report = {key: [f.attachment.file_name for f in files] for key, files in found.items()}
    kept_ids = {i for report in reports if getattr(report, "id", None) is None for i in getattr(report, "file_ids", ())}
    names = {}
    if kept_ids:
        names = dict(session.exec(select(Attachment.id, Attachment.file_name).where(Attachment.id.in_(kept_ids))).all())

    def of(report) -> list[str]:
        if getattr(report, "id", None) is not None:
            return by_report.get(report.id, [])
        return [names[i] for i in getattr(report, "file_ids", ()) if i in names]

    return of


def _write(cell, value) -> None:
    cell.value = value
    if isinstance(value, str):
        cell.data_type = TYPE_STRING  # never a formula


# The workbook is write-only: each row goes to a temporary file as soon as it is written, so memory
# stays flat whatever the plan's size. Its cells take their font, border and alignment from named
# styles, registered once in the workbook.
REPORT_TITLE, REPORT_PERIOD, UNIT_TITLE = "Tên báo cáo", "Kỳ báo cáo", "Tên đơn vị"
SHADED_HEADER, HEADER, TEXT, HEADING = "Tiêu đề cột (tô nền)", "Tiêu đề cột", "Nội dung", "Đề mục"
# The cells a merged heading covers carry the borders of its edges, as a merged range needs.
MERGED_EDGE, MERGED_END = "Cạnh ô gộp", "Cạnh cuối ô gộp"


def _add_styles(workbook: Workbook) -> None:
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    centered = Alignment(wrap_text=True, horizontal="center", vertical="center")
    bold = Font(name=FONT, bold=True, size=11)
    for style in (
        NamedStyle(REPORT_TITLE, font=Font(name=FONT, bold=True, size=14), border=DEFAULT_BORDER,
                   alignment=Alignment(horizontal="center")),
        NamedStyle(REPORT_PERIOD, font=Font(name=FONT, italic=True, size=12), border=DEFAULT_BORDER,
                   alignment=Alignment(horizontal="center")),
        NamedStyle(UNIT_TITLE, font=Font(name=FONT, bold=True, size=13), border=DEFAULT_BORDER),
        NamedStyle(SHADED_HEADER, font=bold, border=border, alignment=centered,
                   fill=PatternFill("solid", fgColor="D9E2F3")),
        NamedStyle(HEADER, font=bold, border=border, alignment=centered),
        NamedStyle(TEXT, font=Font(name=FONT, size=11), border=border, alignment=wrap),
        NamedStyle(HEADING, font=bold, border=border, alignment=wrap),
        NamedStyle(MERGED_EDGE, font=DEFAULT_FONT, border=Border(top=thin, bottom=thin)),
        NamedStyle(MERGED_END, font=DEFAULT_FONT, border=Border(right=thin, top=thin, bottom=thin)),
    ):
        workbook.add_named_style(style)


class _Sheet:
    """A sheet of the write-only workbook, written row after row.

    Its column widths, frozen header and print setup are set first: a write-only sheet writes
    them before its first row. Each row is written as soon as it is appended, so its cells are
    reused for the next row, one for each column and style: styling a new cell for every
    value would cost about as much as writing it."""

    def __init__(self, workbook: Workbook, title: str, widths: list[int], header_row: int):
        self.worksheet = workbook.create_sheet(title)
        for col, width in enumerate(widths, start=1):
            self.worksheet.column_dimensions[get_column_letter(col)].width = width
        self.worksheet.freeze_panes = f"A{header_row + 1}"
        _print_setup(self.worksheet, header_row)
        self.widths = widths
        self.rows = 0
        self._cells: dict[tuple[int, str], Cell] = {}

    def append(self, values, styles, height: float | None = None) -> int:
        """Write the next row, each value in a cell of its style, and return the row's number."""
        self.rows += 1
        if height is not None:
            self.worksheet.row_dimensions[self.rows].height = height
        cells = []
        for col, (value, style) in enumerate(zip(values, styles)):
            cell = self._cells.get((col, style))
            if cell is None:
                cell = self._cells[col, style] = WriteOnlyCell(self.worksheet)
                cell.style = style
            _write(cell, value)
            cells.append(cell)
        self.worksheet.append(cells)
        if height is not None:
            del self.worksheet.row_dimensions[self.rows]  # written with the row: memory stays flat
        return self.rows

    def merge(self, cells: str) -> None:
        self.worksheet.merged_cells.add(cells)

    def header(self, columns, style: str = HEADER, height: float | None = None) -> None:
        self.append(columns, [style] * len(columns), height)

    def text_row(self, values) -> None:
        """A row of wrapped, bordered text cells, tall enough for its text."""
        self.append(values, [TEXT] * len(values), fitted_height(values, self.widths))


def xlsx(session: Session, plan: Plan, board: Dashboard) -> bytes:
    # Everything is read before the first row is written: a write-only sheet's rows wait in a
    # temporary file, removed when the workbook is saved.
    appendix = lines(session, plan, board)
    unit_rows = _unit_rows(session, plan, board)
    workbook = Workbook(write_only=True)
    _add_styles(workbook)
    columns = APPENDIX_COLUMNS + plan.extra_columns
    widths = APPENDIX_WIDTHS + [20] * len(plan.extra_columns)
    sheet = _Sheet(workbook, "Báo cáo", widths, header_row=4)
    last = get_column_letter(len(columns))
    sheet.merge(f"A1:{last}1")
    sheet.append([f"BÁO CÁO KẾT QUẢ TRIỂN KHAI KẾ HOẠCH SỐ {plan.number}"], [REPORT_TITLE])
    sheet.merge(f"A2:{last}2")
    sheet.append([board.label], [REPORT_PERIOD])
    sheet.append([], [])
    sheet.header(columns, SHADED_HEADER, height=2 * LINE_HEIGHT)
    heading_styles = [HEADING, HEADING, *(MERGED_EDGE for _ in columns[3:]), MERGED_END]
    for line in appendix:
        values = line.spreadsheet_cells(plan.extra_columns)
        if not line.heading:
            sheet.text_row(values)
            continue
        row = sheet.append([line.stt, line.content, *(None for _ in columns[2:])], heading_styles,
                           fitted_height(values, widths))
        sheet.merge(f"B{row}:{last}{row}")

    _unit_sheets(workbook, unit_rows)
    _indicator_sheet(workbook, board)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def fitted_height(values, widths) -> float:
    """A row's height for its wrapped text: spreadsheets do not all size rows on opening."""
    lines = 1
    for value, width in zip(values, widths):
        text = str(value or "")
        chars = max(int(width * 1.2) - 1, 4)  # Times New Roman 11 fits about 1.2 characters a unit
        lines = max(lines, sum(max(1, -(-len(part) // chars)) for part in text.split("\n")))
    return lines * LINE_HEIGHT


def _print_setup(sheet, header_row: int) -> None:
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_margins = PageMargins(left=0.6, right=0.4, top=0.6, bottom=0.6)


def _sheet_name(name: str, used: set[str]) -> str:
    clean = "".join(c for c in name if c not in '[]:*?/\\')[:31]
    candidate, n = clean, 2
    while candidate in used:
        candidate = f"{clean[:28]} {n}"
        n += 1
    used.add(candidate)
    return candidate


UNIT_COLUMNS = ["Mã", "Nội dung công việc", "Tình trạng", "Tỷ lệ (%)", "Kết quả thực hiện", "Khó khăn, vướng mắc",
                "Đề xuất"]
UNIT_WIDTHS = [9, 50, 18, 9, 45, 32, 32]


def _unit_rows(session, plan, board) -> list[tuple[Unit, list[list]]]:
    """Each unit's rows (those it leads), units in the alphabetical order of their names."""
    from .periods import PERIOD_STATUS_LABELS

    units = by_vietnamese_name(session.exec(select(Unit).order_by(Unit.id)))
    tasks = {t.id: t for t in session.exec(select(Task).where(Task.plan_id == plan.id))}
    by_unit: dict[int, list] = {}
    for (task_id, unit_id), lead in board.standing.leads.items():
        by_unit.setdefault(unit_id, []).append((tasks[task_id], lead))
    out = []
    for unit in units:
        if unit.id not in by_unit:
            continue
        rows = []
        for task, lead in sorted(by_unit[unit.id], key=lambda item: item[0].position):
            report = lead.report
            rows.append([task.ref, task.content, PERIOD_STATUS_LABELS.get(lead.code, lead.code),
                         report.percent if report is not None else "", report.result if report is not None else "",
                         report.difficulties if report is not None else "",
                         report.proposals if report is not None else ""])
        out.append((unit, rows))
    return out


# A sheet per unit reads well for a plan's few dozen units; a province's hundreds of tabs
# cannot be browsed (and cost a second to write), so beyond this they share one sheet with a
# filter on the unit.
UNIT_SHEETS_AT_MOST = 60


def _unit_sheets(workbook, unit_rows) -> None:
    if len(unit_rows) > UNIT_SHEETS_AT_MOST:
        _units_sheet(workbook, unit_rows)
        return
    used = {"Báo cáo", "Chỉ tiêu"}
    for unit, rows in unit_rows:
        sheet = _Sheet(workbook, _sheet_name(unit.short_name or unit.name, used), UNIT_WIDTHS, header_row=3)
        sheet.append([unit.name], [UNIT_TITLE])
        sheet.append([], [])
        sheet.header(UNIT_COLUMNS)
        for values in rows:
            sheet.text_row(values)


def _units_sheet(workbook, unit_rows) -> None:
    """Every unit's rows on one sheet, unit by unit, with a filter on each column."""
    sheet = _Sheet(workbook, "Theo đơn vị", [28, *UNIT_WIDTHS], header_row=3)
    sheet.append(["Kết quả theo đơn vị chủ trì"], [UNIT_TITLE])
    sheet.append([], [])
    total = sum(len(rows) for _, rows in unit_rows)
    sheet.worksheet.auto_filter.ref = f"A3:{get_column_letter(len(UNIT_COLUMNS) + 1)}{3 + total}"
    sheet.header(["Đơn vị", *UNIT_COLUMNS])
    for unit, rows in unit_rows:
        for values in rows:
            sheet.text_row([unit.name, *values])


def _indicator_sheet(workbook, board) -> None:
    columns = ["Nhiệm vụ", "Chỉ tiêu", "Mục tiêu", "Đơn vị tính", "Hạn", "Thực tế", "Số đơn vị báo cáo", "Đánh giá"]
    sheet = _Sheet(workbook, "Chỉ tiêu", [10, 50, 12, 16, 12, 10, 12, 20], header_row=1)
    sheet.header(columns)
    for s in board.indicators:
        i = s.indicator
        sheet.text_row([s.task.ref, i.name, f"{SIGNS[i.direction]} {figure_vn(i.target_value)}", i.unit_of_measure,
                        i.target_date.strftime("%d/%m/%Y") if i.target_date else "",
                        s.actual if s.actual is not None else "", f"{s.reported}/{len(s.units)}", s.label])


# --- Word -------------------------------------------------------------------------------
# Paragraphs and table rows are written as XML: python-docx's setters cost far more than the
# text they set, row by row and cell by cell.

SPACE_AFTER = f'<w:spacing w:after="{Pt(3).twips}"/>'
FIRST_LINE_INDENT = f'<w:ind w:firstLine="{Cm(1).twips}"/>'
CENTERED = '<w:jc w:val="center"/>'
_BREAKS = re.compile(r"([\t\r\n])")


def _run(text: str, properties: str) -> str:
    """A run of text as python-docx writes one: a tab as a tab, each CR or LF as a line break."""
    if not text:
        return ""
    content = []
    for part in _BREAKS.split(text):
        if part == "\t":
            content.append("<w:tab/>")
        elif part in ("\r", "\n"):
            content.append("<w:br/>")
        elif part:
            content.append(f'<w:t xml:space="preserve">{escape(part)}</w:t>')
    return f"<w:r><w:rPr>{properties}</w:rPr>{''.join(content)}</w:r>"


def _paragraph(container, text: str, *, size: float = 13, bold: bool = False, italic: bool = False,
               centered: bool = False, indent: bool = False) -> None:
    """A paragraph of the document's body: its run says its own font and size, which vary
    from paragraph to paragraph (12–14, bold, italic)."""
    properties = SPACE_AFTER + (FIRST_LINE_INDENT if indent else "") + (CENTERED if centered else "")
    font = (f'<w:rFonts w:ascii="{FONT}" w:hAnsi="{FONT}" w:eastAsia="{FONT}"/>' + ("<w:b/>" if bold else "")
            + ("<w:i/>" if italic else "") + f'<w:sz w:val="{round(size * 2)}"/>')
    paragraph = container.add_paragraph()
    paragraph._p.extend(list(parse_xml(f"<w:p {nsdecls('w')}><w:pPr>{properties}</w:pPr>{_run(text, font)}</w:p>")))


def _table_text_style(document) -> str:
    """The character style of the appendix table's text, Times New Roman 11, and its id. A character
    style rather than a paragraph style: each cell's paragraph mark keeps the Normal style's size,
    so rows are as tall as they always were."""
    style = document.styles.add_style("Table Text", WD_STYLE_TYPE.CHARACTER)
    style.base_style = document.styles["Default Paragraph Font"]
    style.font.name = FONT
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    style.font.size = Pt(11)
    return style.style_id


def _table_row(cells, text_style: str, *, bold: bool = False, header: bool = False):
    """A row of the appendix table, cells being (text, width in twips, columns spanned). The
    header row is centred and repeats on every printed page."""
    properties = f'<w:rStyle w:val="{text_style}"/>' + ("<w:b/>" if bold else "")
    row_properties = '<w:trPr><w:tblHeader w:val="true"/></w:trPr>' if header else ""
    paragraph_properties = f"<w:pPr>{CENTERED}</w:pPr>" if header else ""
    tcs = "".join(
        f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>' + (f'<w:gridSpan w:val="{span}"/>' if span > 1 else "")
        + f"</w:tcPr><w:p>{paragraph_properties}{_run(text, properties)}</w:p></w:tc>"
        for text, width, span in cells)
    return parse_xml(f"<w:tr {nsdecls('w')}>{row_properties}{tcs}</w:tr>")


def docx(session: Session, plan: Plan, board: Dashboard, *, issuer: str, agency: str, today) -> bytes:
    written = _word_report(session, plan, board, issuer=issuer, agency=agency, today=today)
    # A python-docx document is a web of cycles around XML trees whose memory Python's
    # allocation counts do not see: the collector, tuned to run seldom in a server
    # (webapp._tune_garbage_collector), would keep several reports' trees (hundreds of MB at a
    # province's size). This one is freed now that it is written.
    gc.collect()
    return written


def _word_report(session: Session, plan: Plan, board: Dashboard, *, issuer: str, agency: str, today) -> bytes:
    document = Document()
    style = document.styles["Normal"]
    style.font.name = FONT
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    style.font.size = Pt(13)
    text_style = _table_text_style(document)
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(2)

    # The heading of an administrative document: the agency on the left, the national motto on the right.
    head = document.add_table(rows=1, cols=2)
    head.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = head.rows[0].cells
    _paragraph(left, issuer.upper(), size=12, centered=True)
    _paragraph(left, agency.upper(), size=13, bold=True, centered=True)
    _paragraph(left, "Số:      /BC-" + "".join(w[0] for w in agency.split()[:3]).upper(), size=13, centered=True)
    _paragraph(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=12, bold=True, centered=True)
    _paragraph(right, "Độc lập - Tự do - Hạnh phúc", size=13, bold=True, centered=True)
    place = issuer.replace("UBND tỉnh ", "")
    _paragraph(right, f"{place}, ngày {today.day} tháng {today.month} năm {today.year}", size=13, italic=True,
               centered=True)

    _paragraph(document, "BÁO CÁO", size=14, bold=True, centered=True)
    _paragraph(document, f"Kết quả triển khai Kế hoạch số {plan.number}", size=14, bold=True, centered=True)
    _paragraph(document, board.label, size=14, bold=True, centered=True)

    _paragraph(document, "I. KẾT QUẢ CHUNG", bold=True)
    _paragraph(document, board.summary(), indent=True)
    for code, label, count in board.count_rows():
        _paragraph(document, f"- {label}: {count} nhiệm vụ.", indent=True)

    _paragraph(document, "II. CÁC CHỈ TIÊU", bold=True)
    for s in board.indicators:
        i = s.indicator
        # Without a figure the assessment would only repeat «chưa có số liệu».
        actual = (f"thực tế {figure_vn(s.actual)} {i.unit_of_measure}; {s.label.lower()}" if s.actual is not None
                  else "chưa có số liệu")
        _paragraph(document, f"- {i.name} ({s.task.ref}): mục tiêu {target_text(i, with_date=False)}; {actual}.",
                   indent=True)

    _paragraph(document, "III. NHIỆM VỤ QUÁ HẠN, CÓ VƯỚNG MẮC VÀ ĐỀ XUẤT", bold=True)
    if not board.attention:
        _paragraph(document, "Không có nhiệm vụ quá hạn, có vướng mắc hay có đề xuất.", indent=True)
    for item in board.attention:
        due = f", hạn {item.due_on.strftime('%d/%m/%Y')}" if item.due_on else ""
        _paragraph(document, f"- Nhiệm vụ {item.task.ref} ({item.status_label}{due}): {item.task.content}", indent=True)
        for unit, difficulties, proposals in item.difficulties:
            if difficulties:
                _paragraph(document, f"+ {unit} — khó khăn, vướng mắc: {difficulties}", indent=True)
            if proposals:
                _paragraph(document, f"+ {unit} — đề xuất: {proposals}", indent=True)

    _paragraph(document, "IV. KẾT QUẢ THỰC HIỆN TỪNG NHIỆM VỤ", bold=True)
    _paragraph(document, "(Chi tiết tại Phụ lục kèm theo)", italic=True, indent=True)

    # The appendix table needs the width of a landscape page.
    appendix = document.add_section()
    appendix.orientation = WD_ORIENT.LANDSCAPE
    appendix.page_width, appendix.page_height = Cm(29.7), Cm(21)
    appendix.top_margin, appendix.bottom_margin = Cm(2), Cm(2)
    appendix.left_margin, appendix.right_margin = Cm(2), Cm(1.5)
    _paragraph(document, "PHỤ LỤC", size=13, bold=True, centered=True)
    _paragraph(document, f"Kết quả thực hiện các nhiệm vụ của Kế hoạch số {plan.number} — {board.label}",
               size=13, italic=True, centered=True)
    widths = [int(Cm(width).twips) for width in DOCX_WIDTHS_CM]
    table = document.add_table(rows=0, cols=len(APPENDIX_COLUMNS))
    table.style = "Table Grid"
    table.autofit = False
    for grid_column, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), widths):
        grid_column.set(qn("w:w"), str(width))
    tbl = table._tbl
    tbl.append(_table_row([(title, width, 1) for title, width in zip(APPENDIX_COLUMNS, widths)], text_style,
                          bold=True, header=True))
    for line in lines(session, plan, board):
        if line.heading:
            tbl.append(_table_row([(line.stt, widths[0], 1), (line.content, sum(widths[1:]), len(widths) - 1)],
                                  text_style, bold=True))
        else:
            tbl.append(_table_row([(text, width, 1) for text, width in zip(line.cells(), widths)], text_style))

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# --- CSV of every report ----------------------------------------------------------------

CSV_HEADER = ["ref", "unit_code", "unit_name", "role", "status", "percent", "result", "evidence_number",
              "evidence_date", "difficulties", "proposals", "contribution_note", "review_state", "updated_at"]


def reports_csv(session: Session, plan: Plan, period: Period | None = None) -> bytes:
    """Every unit's report on every row: as sent for the period, or as it stands today."""
    source = PeriodReport if period is not None else Report
    joined = (source.task_id == Task.id) & (source.unit_id == Unit.id)
    if period is not None:
        joined = joined & (PeriodReport.period_id == period.id)
    found = session.exec(
        select(Task, Unit, Assignment.role, source)
        .join(Assignment, Assignment.task_id == Task.id)
        .join(Unit, Assignment.unit_id == Unit.id)
        .outerjoin(source, joined)
        .where(Task.plan_id == plan.id)
        .order_by(Task.position, Assignment.role, Assignment.id)
    ).all()
    lines = []
    for task, unit, role, report in found:
        values = [task.ref, unit.code, unit.name, Role(role).value]
        if report is None:
            values += [""] * (len(CSV_HEADER) - len(values))
        else:
            stamp = report.submitted_at if period is not None else report.updated_at
            values += [STATUS_LABELS[report.status] if role == Role.LEAD else "", report.percent, report.result,
                       report.evidence_number, report.evidence_date.strftime("%d/%m/%Y") if report.evidence_date else "",
                       report.difficulties, report.proposals, report.contribution_note,
                       report.state.value if period is not None else "", stamp.isoformat() if stamp else ""]
        lines.append(values)
    return csv_bytes(CSV_HEADER, lines)
