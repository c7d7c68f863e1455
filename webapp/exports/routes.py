"""The official report for a period: Excel, Word, a print view, and a CSV of every report."""

from flask import Blueprint, Response, abort, render_template
from flask_login import current_user, login_required

from .. import permissions
from ..dashboard.routes import chosen_period
from ..extensions import db
from ..models import Unit
from ..plan_scope import current_plan
from ..rendering import download
from ..security import audit
from ..services import clock, evidence, official_report
from ..services.dashboard import build
from ..services.periods import STATE_LABELS

bp = Blueprint("exports", __name__, url_prefix="/exports")

MIME = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "csv": "text/csv",
}


def _board():
    if not permissions.can_see_dashboard(current_user):
        abort(403)
    plan = current_plan()
    period = chosen_period(plan, "period")
    return plan, period, build(db.session(), plan=plan, period=period, today=clock.today())


def _download(data: bytes, fmt: str, name: str) -> Response:
    audit("export", f"{name}.{fmt}")
    return download(data, f"{name}.{fmt}", MIME[fmt])


def _file_name(plan, period) -> str:
    """«Báo cáo kế hoạch 1958 - Quý III/2022» (the slash becomes a dash in the file name)."""
    number = plan.number.split("/")[0]
    when = period.label if period else clock.today().strftime("%d-%m-%Y")
    return f"Báo cáo kế hoạch {number} - {when}"


@bp.get("/report.<any(xlsx, docx):fmt>")
@login_required
def report(fmt: str):
    plan, period, board = _board()
    session = db.session()
    if fmt == "xlsx":
        data = official_report.xlsx(session, plan, board)
    else:
        focal = session.get(Unit, plan.focal_unit_id) if plan.focal_unit_id else None
        data = official_report.docx(session, plan, board, issuer=plan.issuer or "UBND tỉnh",
                                    agency=focal.name if focal else "Cơ quan đầu mối", today=clock.today())
    return _download(data, fmt, _file_name(plan, period))


@bp.get("/reports.csv")
@login_required
def reports_csv():
    plan, period, _ = _board()
    return _download(official_report.reports_csv(db.session(), plan, period), "csv",
                     _file_name(plan, period).replace("Báo cáo", "Báo cáo từng đơn vị,", 1))


@bp.get("/print")
@login_required
def print_view():
    plan, period, board = _board()
    audit("export", f"bản in {board.label}")
    return render_template("exports/print.html", plan=plan, period=period, board=board,
                           lines=official_report.lines(db.session(), plan, board),
                           columns=official_report.APPENDIX_COLUMNS)


@bp.get("/evidence.zip")
@login_required
def evidence_zip():
    """Every evidence file sent for the period, a folder per unit, with an index sheet."""
    if not permissions.can_see_dashboard(current_user):
        abort(403)
    plan = current_plan()
    period = chosen_period(plan, "period")
    if period is None:
        abort(404, description="Hãy chọn một kỳ báo cáo (?period=…).")
    name = _file_name(plan, period).replace("Báo cáo", "Minh chứng", 1) + ".zip"
    audit("export", name)
    return download(evidence.period_zip(db.engine(), period_id=period.id, state_labels=STATE_LABELS), name,
                    "application/zip")
