"""The official report to the province, in the layouts officials use: an Excel workbook that
prints as it is, a Word document in the layout of Vietnamese administrative documents
(Decree 30/2020: A4, Times New Roman 13–14, margins 2–2.5 / 3–3.5 / 1.5–2 cm), and a CSV
of every report. Text that a spreadsheet could run as a formula is written as text."""

import io
from dataclasses import dataclass, field

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from sqlmodel import Session, select

from ..models import (
    Assignment,
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
from .text import by_vietnamese_name

APPENDIX_COLUMNS = ["STT", "Nội dung công việc", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời gian thực hiện",
                    "Sản phẩm", "Kết quả thực hiện", "Tình trạng", "Khó khăn, vướng mắc", "Đề xuất"]
APPENDIX_WIDTHS = [6, 38, 18, 18, 13, 20, 36, 13, 22, 22]
DOCX_WIDTHS_CM = [1.1, 5.4, 2.6, 2.6, 2.0, 2.6, 4.2, 1.9, 2.0, 1.8]  # 26.2 cm: A4 landscape less margins
LINE_HEIGHT = 13.5  # points: a line of 11-point Times New Roman

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
                evidence = files.get(getattr(report, "id", None))
                if attribute == "result" and evidence:
                    text = f"{text}\nTệp minh chứng: {'; '.join(evidence)}"
                if text.strip():
                    parts.append(f"{unit.short_name or unit.name}: {text.strip()}" if many else text.strip())
            return "\n".join(parts)

        t = row.task
        out.append(Line(False, t.stt, t.content, t.lead_text, t.support_text, t.timeframe_text, t.product,
                        joined("result"), row.status.label, joined("difficulties"), joined("proposals"), dict(t.extra)))
    return out


def _evidence_names(session: Session, reports, copies: bool) -> dict[int, list[str]]:
    """The names of each report's evidence files, by the report's id: a period's copy lists what
    it was sent with, a live report what it holds now (a version accepted earlier, kept as
    values without an id, lists none)."""
    ids = [report.id for report in reports if getattr(report, "id", None) is not None]
    found = sent_with(session, ids) if copies else attached(session, ids)
    return {key: [f.attachment.file_name for f in files] for key, files in found.items()}


def _write(cell, value) -> None:
    cell.value = value
    if isinstance(value, str):
        cell.data_type = TYPE_STRING  # never a formula


def _header(sheet, row: int, columns, widths, font, border) -> None:
    """A bold, bordered header row, and the columns' widths."""
    for col, (title, width) in enumerate(zip(columns, widths), start=1):
        cell = sheet.cell(row=row, column=col)
        _write(cell, title)
        cell.font, cell.border = font, border
        cell.alignment = Alignment(wrap_text=True, horizontal="center", vertical="center")
        sheet.column_dimensions[get_column_letter(col)].width = width


def xlsx(session: Session, plan: Plan, board: Dashboard) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Báo cáo"
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="top")
    bold = Font(name="Times New Roman", bold=True, size=11)
    normal = Font(name="Times New Roman", size=11)

    columns = APPENDIX_COLUMNS + plan.extra_columns
    widths = APPENDIX_WIDTHS + [20] * len(plan.extra_columns)
    last = get_column_letter(len(columns))
    sheet.merge_cells(f"A1:{last}1")
    _write(sheet["A1"], f"BÁO CÁO KẾT QUẢ TRIỂN KHAI KẾ HOẠCH SỐ {plan.number}")
    sheet["A1"].font = Font(name="Times New Roman", bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.merge_cells(f"A2:{last}2")
    _write(sheet["A2"], board.label)
    sheet["A2"].font = Font(name="Times New Roman", italic=True, size=12)
    sheet["A2"].alignment = Alignment(horizontal="center")
    header_row = 4
    _header(sheet, header_row, columns, widths, bold, border)
    for cell in sheet[header_row]:
        cell.fill = PatternFill("solid", fgColor="D9E2F3")
    sheet.row_dimensions[header_row].height = 2 * LINE_HEIGHT
    row_number = header_row
    for line in lines(session, plan, board):
        row_number += 1
        _data_row(sheet, row_number, line.spreadsheet_cells(plan.extra_columns), widths, bold if line.heading else normal,
                  border, wrap)
        if line.heading:
            sheet.merge_cells(start_row=row_number, start_column=2, end_row=row_number, end_column=len(columns))
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)
    _print_setup(sheet, header_row)

    _unit_sheets(session, workbook, plan, board, border, wrap, bold, normal)
    _indicator_sheet(workbook, board, border, wrap, bold, normal)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _data_row(sheet, row_number: int, values, widths, font, border, wrap) -> None:
    """A row of wrapped, bordered text cells, tall enough for its text."""
    for col, value in enumerate(values, start=1):
        cell = sheet.cell(row=row_number, column=col)
        _write(cell, value)
        cell.font, cell.border, cell.alignment = font, border, wrap
    fit_height(sheet, row_number, values, widths)


def fit_height(sheet, row_number: int, values, widths) -> None:
    """Set the row tall enough for its wrapped text: spreadsheets do not all size rows on opening."""
    lines = 1
    for value, width in zip(values, widths):
        text = str(value or "")
        chars = max(int(width * 1.2) - 1, 4)  # Times New Roman 11 fits about 1.2 characters a unit
        lines = max(lines, sum(max(1, -(-len(part) // chars)) for part in text.split("\n")))
    sheet.row_dimensions[row_number].height = lines * LINE_HEIGHT


def _print_setup(sheet, header_row: int) -> None:
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
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


def _unit_sheets(session, workbook, plan, board, border, wrap, bold, normal) -> None:
    # A sheet per unit, in the alphabetical order of their names.
    units = {u.id: u for u in by_vietnamese_name(session.exec(select(Unit).order_by(Unit.id)))}
    tasks = {t.id: t for t in session.exec(select(Task).where(Task.plan_id == plan.id))}
    by_unit: dict[int, list] = {}
    for (task_id, unit_id), lead in board.standing.leads.items():
        by_unit.setdefault(unit_id, []).append((tasks[task_id], lead))
    columns = ["Mã", "Nội dung công việc", "Tình trạng", "Tỷ lệ (%)", "Kết quả thực hiện", "Khó khăn, vướng mắc",
               "Đề xuất"]
    widths = [9, 50, 18, 9, 45, 32, 32]
    used = {"Báo cáo", "Chỉ tiêu"}
    from .periods import PERIOD_STATUS_LABELS

    for unit_id, unit in units.items():
        if unit_id not in by_unit:
            continue
        sheet = workbook.create_sheet(_sheet_name(unit.short_name or unit.name, used))
        _write(sheet["A1"], unit.name)
        sheet["A1"].font = Font(name="Times New Roman", bold=True, size=13)
        _header(sheet, 3, columns, widths, bold, border)
        for row_number, (task, lead) in enumerate(sorted(by_unit[unit_id], key=lambda item: item[0].position), start=4):
            report = lead.report
            values = [task.ref, task.content, PERIOD_STATUS_LABELS.get(lead.code, lead.code),
                      report.percent if report is not None else "", report.result if report is not None else "",
                      report.difficulties if report is not None else "", report.proposals if report is not None else ""]
            _data_row(sheet, row_number, values, widths, normal, border, wrap)
        sheet.freeze_panes = "A4"
        _print_setup(sheet, 3)


def _indicator_sheet(workbook, board, border, wrap, bold, normal) -> None:
    sheet = workbook.create_sheet("Chỉ tiêu")
    columns = ["Nhiệm vụ", "Chỉ tiêu", "Mục tiêu", "Đơn vị tính", "Hạn", "Thực tế", "Số đơn vị báo cáo", "Đánh giá"]
    widths = [10, 50, 12, 16, 12, 10, 12, 20]
    _header(sheet, 1, columns, widths, bold, border)
    for row_number, s in enumerate(board.indicators, start=2):
        i = s.indicator
        values = [s.task.ref, i.name, f"{SIGNS[i.direction]} {i.target_value:g}", i.unit_of_measure,
                  i.target_date.strftime("%d/%m/%Y") if i.target_date else "",
                  s.actual if s.actual is not None else "", f"{s.reported}/{len(s.units)}", s.label]
        _data_row(sheet, row_number, values, widths, normal, border, wrap)
    sheet.freeze_panes = "A2"
    _print_setup(sheet, 1)


# --- Word -------------------------------------------------------------------------------


def _font(run, size: float = 13, bold: bool = False, italic: bool = False) -> None:
    run.font.name = "Times New Roman"
    run._element.rPr.rFonts.set(qn("w:eastAsia"), "Times New Roman")
    run.font.size = Pt(size)
    run.bold, run.italic = bold, italic


def _paragraph(container, text: str = "", *, size: float = 13, bold: bool = False, italic: bool = False,
               align=None, indent: bool = False):
    paragraph = container.add_paragraph()
    if align is not None:
        paragraph.alignment = align
    if indent:
        paragraph.paragraph_format.first_line_indent = Cm(1)
    paragraph.paragraph_format.space_after = Pt(3)
    if text:
        _font(paragraph.add_run(text), size, bold, italic)
    return paragraph


def docx(session: Session, plan: Plan, board: Dashboard, *, issuer: str, agency: str, today) -> bytes:
    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Times New Roman"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "Times New Roman")
    style.font.size = Pt(13)
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(2), Cm(2)
    section.left_margin, section.right_margin = Cm(3), Cm(2)

    # The heading of an administrative document: the agency on the left, the national motto on the right.
    head = document.add_table(rows=1, cols=2)
    head.alignment = WD_TABLE_ALIGNMENT.CENTER
    left, right = head.rows[0].cells
    _paragraph(left, issuer.upper(), size=12, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(left, agency.upper(), size=13, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(left, "Số:      /BC-" + "".join(w[0] for w in agency.split()[:3]).upper(), size=13,
               align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(right, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", size=12, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(right, "Độc lập - Tự do - Hạnh phúc", size=13, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    place = issuer.replace("UBND tỉnh ", "")
    _paragraph(right, f"{place}, ngày {today.day} tháng {today.month} năm {today.year}", size=13, italic=True,
               align=WD_ALIGN_PARAGRAPH.CENTER)

    _paragraph(document, "BÁO CÁO", size=14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(document, f"Kết quả triển khai Kế hoạch số {plan.number}", size=14, bold=True,
               align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(document, board.label, size=14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)

    _paragraph(document, "I. KẾT QUẢ CHUNG", bold=True)
    _paragraph(document, board.summary(), indent=True)
    for code, label, count in board.count_rows():
        _paragraph(document, f"- {label}: {count} nhiệm vụ.", indent=True)

    _paragraph(document, "II. CÁC CHỈ TIÊU", bold=True)
    for s in board.indicators:
        i = s.indicator
        # Without a figure the assessment would only repeat «chưa có số liệu».
        actual = (f"thực tế {s.actual:g} {i.unit_of_measure}; {s.label.lower()}" if s.actual is not None
                  else "chưa có số liệu")
        _paragraph(document, f"- {i.name} ({s.task.ref}): mục tiêu {target_text(i, with_date=False)}; {actual}.",
                   indent=True)

    _paragraph(document, "III. NHIỆM VỤ QUÁ HẠN, CÓ VƯỚNG MẮC VÀ ĐỀ XUẤT", bold=True)
    if not board.attention:
        _paragraph(document, "Không có nhiệm vụ quá hạn hay có vướng mắc.", indent=True)
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
    _paragraph(document, "PHỤ LỤC", size=13, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(document, f"Kết quả thực hiện các nhiệm vụ của Kế hoạch số {plan.number} — {board.label}",
               size=13, italic=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    table = document.add_table(rows=1, cols=len(APPENDIX_COLUMNS))
    table.style = "Table Grid"
    for cell, title in zip(table.rows[0].cells, APPENDIX_COLUMNS):
        cell.text = ""
        _font(cell.paragraphs[0].add_run(title), 11, bold=True)
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _repeat_header(table.rows[0])
    for line in lines(session, plan, board):
        cells = table.add_row().cells
        if line.heading:
            merged = cells[1].merge(cells[-1])
            _font(cells[0].paragraphs[0].add_run(line.stt), 11, bold=True)
            _font(merged.paragraphs[0].add_run(line.content), 11, bold=True)
            continue
        for cell, value in zip(cells, line.cells()):
            _font(cell.paragraphs[0].add_run(value), 11)
    table.autofit = False
    for grid_column, width in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), DOCX_WIDTHS_CM):
        grid_column.set(qn("w:w"), str(int(Cm(width).twips)))
    for row in table.rows:
        for cell, width in zip(row.cells, DOCX_WIDTHS_CM):
            cell.width = Cm(width)

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _repeat_header(row) -> None:
    """The header row repeats on every printed page."""
    properties = row._tr.get_or_add_trPr()
    header = properties.makeelement(qn("w:tblHeader"), {qn("w:val"): "true"})
    properties.append(header)


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
