"""Tables of the plan for other tools: the appendix, the assignments and the units.

Each table is a header and rows of text; writers turn a table into CSV (UTF-8 with BOM,
as spreadsheet users expect) or into an .xlsx workbook.
"""

import io
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.styles import Alignment, Font
from sqlalchemy import case
from sqlmodel import Session, select

from ..models import Assignment, Plan, Role, Section, Task, Unit
from .spreadsheet_text import csv_bytes
from .text import by_vietnamese_name

PLAN_HEADER = ("ref", "section", "stt", "content", "lead", "support", "timeframe", "product")
ASSIGNMENTS_HEADER = ("ref", "unit_code", "unit_name", "role")
UNITS_HEADER = ("code", "name", "kind")


@dataclass
class Table:
    title: str
    header: tuple[str, ...]
    rows: list[tuple[str, ...]]


def plan_table(session: Session, plan: Plan) -> Table:
    """The appendix, one row per task; a plan with other columns (Nguồn kinh phí, Ghi chú…)
    has them after the product, under their own titles, so that it makes the round trip."""
    rows = session.exec(
        select(Task, Section.code).join(Section).where(Task.plan_id == plan.id).order_by(Task.position)
    ).all()
    return Table(
        "Phụ lục",
        PLAN_HEADER + tuple(plan.extra_columns),
        [
            (t.ref, code, t.stt, t.content, t.lead_text, t.support_text, t.timeframe_text, t.product,
             *(t.extra.get(title, "") for title in plan.extra_columns))
            for t, code in rows
        ],
    )


def assignments_table(session: Session, plan: Plan) -> Table:
    lead_first = case((Assignment.role == Role.LEAD, 0), else_=1)
    rows = session.exec(
        select(Task.ref, Unit.code, Unit.name, Assignment.role)
        .join(Task, Assignment.task_id == Task.id)
        .join(Unit, Assignment.unit_id == Unit.id)
        .where(Task.plan_id == plan.id)
        .order_by(Task.position, lead_first, Assignment.id)
    ).all()
    return Table("Phân công", ASSIGNMENTS_HEADER, [(ref, code, name, Role(role).value) for ref, code, name, role in rows])


def units_table(session: Session) -> Table:
    units = by_vietnamese_name(session.exec(select(Unit).order_by(Unit.id)))
    return Table("Đơn vị", UNITS_HEADER, [(u.code, u.name, u.kind.value) for u in units])


def to_csv(table: Table, *, bom: bool = True) -> bytes:
    """CSV in UTF-8, with a BOM by default; a cell a spreadsheet would run as a formula
    («- Sở Tư pháp;», «=…») starts with an apostrophe, which import-plan takes off again."""
    return csv_bytes(table.header, table.rows, bom=bom)


def to_xlsx(table: Table) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = table.title[:31]
    sheet.append(table.header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            # Text stays text: a cell such as "- Bảo hiểm xã hội tỉnh;" or "=…" is never a formula.
            cell.data_type = TYPE_STRING
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
