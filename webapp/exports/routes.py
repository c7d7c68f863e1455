"""The official report for a period: Excel, Word, a print view, and a CSV of every report."""

from flask import Blueprint, Response, abort, render_template
from flask_login import current_user, login_required

from .. import permissions
from ..dashboard.routes import chosen_period
from ..extensions import db
from ..models import Unit
from ..plan_scope import current_plan
from ..security import audit
from ..services import clock, official_report
from ..services.dashboard import build

bp = Blueprint("exports", __name__, url_prefix="/exports")

MIME = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "csv": "text/csv; charset=utf-8",
}


def _board():
    if not permissions.can_see_dashboard(current_user):
        abort(403)
    plan = current_plan()
    period = chosen_period(plan, "period")
    return plan, period, build(db.session(), plan=plan, period=period, today=clock.today())


def _download(data: bytes, fmt: str, name: str) -> Response:
    audit("export", f"{name}.{fmt}")
    return Response(data, content_type=MIME[fmt], headers={
        "Content-Disposition": f'attachment; filename="{name}.{fmt}"', "Cache-Control": "no-store"})


def _file_name(plan, period) -> str:
    number = plan.number.split("/")[0]
    when = period.label.replace("/", "-").replace(" ", "-") if period else clock.today().strftime("%Y-%m-%d")
    return f"bao-cao-ke-hoach-{number}-{when}"


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
                     "bao-cao-tung-don-vi-" + _file_name(plan, period).removeprefix("bao-cao-"))


@bp.get("/print")
@login_required
def print_view():
    plan, period, board = _board()
    audit("export", f"bản in {board.label}")
    return render_template("exports/print.html", plan=plan, period=period, board=board,
                           lines=official_report.lines(db.session(), plan, board),
                           columns=official_report.APPENDIX_COLUMNS)
