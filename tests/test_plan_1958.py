"""Plan 1958 in the database is the appendix of the source document, cell for cell."""

import csv
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from webapp.database import make_engine
from webapp.extensions import db
from webapp.models import Assignment, Indicator, Report, Task, Unit
from webapp.services.plans import PLAN_1958, PlanSource, load_plan
from webapp.services.spreadsheet_text import restore

from .plan_text import read_appendix

PLAN_HEADER = ["ref", "section", "stt", "content", "lead", "support", "timeframe", "product"]


def read_csv(data: bytes) -> list[list[str]]:
    """The cells as written: a cell starting as a formula would («- Bảo hiểm…») carries a
    protective apostrophe in the CSV, which the importer, like this reader, takes off."""
    return [[restore(cell) for cell in row] for row in csv.reader(io.StringIO(data.decode("utf-8"), newline=""))]


def test_export_plan_equals_the_appendix_of_the_source_document(runner):
    result = runner.invoke(args=["export-plan", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes.startswith("\ufeff".encode()), "UTF-8 with BOM"
    header, *rows = read_csv(result.stdout_bytes.removeprefix("\ufeff".encode()))
    assert header == PLAN_HEADER

    expected, _ = read_appendix()
    assert [r[0] for r in rows] == [e.ref for e in expected]
    for row, text_row in zip(rows, expected):
        assert row == [text_row.ref, text_row.section, text_row.stt, text_row.content, text_row.lead,
                       text_row.support, text_row.timeframe, text_row.product], text_row.ref


def test_every_section_of_the_document_is_loaded_with_its_rows(runner):
    header, *rows = read_csv(runner.invoke(args=["export-plan"]).stdout_bytes.removeprefix("\ufeff".encode()))
    sections = {row[1] for row in rows}
    assert sections == {"A.I", "A.II", "A.III", *(f"B.{n}" for n in range(1, 9))}
    refs = [row[0] for row in rows]
    # Task references as DESIGN.md gives them, the unnumbered B rows taking ".1".
    for ref in ("A.I.5", "A.III.9", "B.1.3", "B.2.1", "B.6.1", "B.7.1", "B.8.2"):
        assert ref in refs
    assert len(refs) == len(set(refs)) == 58


def test_cell_texts_are_kept_exactly_as_written(runner):
    rows = {r[0]: r for r in read_csv(runner.invoke(args=["export-plan"]).stdout_bytes.removeprefix("\ufeff".encode()))}
    assert rows["B.1.3"][4] == "Vần phòng UBND tỉnh"
    assert rows["B.8.1"][4] == "Sả Thông tin và Truyền thông"
    assert rows["A.II.2"][4] == "- Bảo hiểm xã hội tỉnh;\n- Sở Tài nguyên và Môi trường."
    assert rows["A.I.6"][5] == "Sở Thông tin và Truyền thông, Văn phòng UBND tỉnh,"
    assert rows["B.2.1"][2] == ""


def test_xlsx_export_holds_the_same_table(runner, tmp_path):
    csv_rows = read_csv(runner.invoke(args=["export-plan"]).stdout_bytes.removeprefix("\ufeff".encode()))
    out = tmp_path / "plan.xlsx"
    result = runner.invoke(args=["export-plan", "--format", "xlsx", "-o", str(out)])
    assert result.exit_code == 0, result.output
    sheet = load_workbook(out).active
    xlsx_rows = [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]
    assert xlsx_rows == csv_rows


def test_export_assignments_lists_every_resolved_unit_with_its_role(runner):
    result = runner.invoke(args=["export-assignments", "--format", "csv"])
    assert result.exit_code == 0, result.output
    header, *rows = read_csv(result.stdout_bytes)
    assert header == ["ref", "unit_code", "unit_name", "role"]
    by_ref: dict[str, dict[str, str]] = {}
    for ref, code, _name, role in rows:
        assert code not in by_ref.setdefault(ref, {}), f"{code} twice on {ref}"
        by_ref[ref][code] = role
    assert {c for c, r in by_ref["A.I.6"].items() if r == "support"} == {"stttt", "vpubnd"}
    assert by_ref["A.I.5"] == {"stttt": "lead", "cat": "lead", "skhdt": "lead", "vpubnd": "support",
                               **{d: "support" for d in ("tpthaibinh", "donghung", "hungha", "kienxuong",
                                                          "quynhphu", "thaithuy", "tienhai", "vuthu")}}
    assert by_ref["B.8.1"]["stttt"] == "lead"
    assert by_ref["B.1.3"] == {"vpubnd": "lead", "stttt": "support", **{
        c: "support" for c, r in by_ref["B.1.1"].items() if r == "support"}}
    assert set(by_ref) == {t.ref for t in read_appendix()[0]}, "every row has at least its lead"


def test_list_units_gives_every_unit_with_a_stable_code(runner):
    result = runner.invoke(args=["list-units"])
    header, *rows = read_csv(result.stdout_bytes)
    assert header == ["code", "name", "kind"]
    codes = {code: (name, kind) for code, name, kind in rows}
    assert codes["snv"] == ("Sở Nội vụ", "department")
    assert {c for c, (_, kind) in codes.items() if kind == "district"} == {
        "tpthaibinh", "donghung", "hungha", "kienxuong", "quynhphu", "thaithuy", "tienhai", "vuthu"}
    assert all(code.isascii() and code == code.lower() for code in codes)


def test_timeframes_and_indicators_are_read_at_load(session):
    task = session.exec(select(Task).where(Task.ref == "A.I.6")).one()
    assert task.due_on.isoformat() == "2021-12-31"
    indicators = session.exec(select(Indicator).where(Indicator.task_id == task.id).order_by(Indicator.position)).all()
    assert [(i.target_value, i.level.value) for i in indicators] == [(30, "province"), (20, "district"), (15, "commune")]
    waiting = session.exec(select(Task).where(Task.ref == "A.I.3")).one()
    assert waiting.due_on is None and waiting.awaits_guidance


def test_loading_twice_changes_nothing(database_url, runner):
    result = runner.invoke(args=["load-plan"])
    assert result.exit_code == 0, result.output
    assert "không có thay đổi" in result.output


def test_loading_creates_the_schema_in_an_empty_database(empty_database_url):
    from tests.conftest import make_app

    app = make_app(empty_database_url)
    result = app.test_cli_runner().invoke(args=["load-plan"])
    assert result.exit_code == 0, result.output
    assert "58 nhiệm vụ thêm mới" in result.output
    again = app.test_cli_runner().invoke(args=["load-plan"])
    assert "không có thay đổi" in again.output
    db.engine(app).dispose()


def test_loading_names_every_phrase_it_could_not_resolve(runner):
    output = runner.invoke(args=["load-plan"]).output
    assert "«Sả Thông tin và Truyền thông» đọc gần đúng thành «Sở Thông tin và Truyền thông»" in output
    assert "«Ủy ban nhân cấp huyện» đọc gần đúng thành «UBND cấp huyện»" in output
    assert "«Sở, ban, ngành có liên quan» (A.III.1): không chỉ định đơn vị cụ thể" in output
    assert "không khớp đơn vị hay nhóm nào" not in output


def _edited_plan(tmp_path: Path, edit) -> PlanSource:
    directory = tmp_path / "plan"
    shutil.copytree(PLAN_1958, directory)
    (directory / "plan.toml").write_text(
        (directory / "plan.toml").read_text(encoding="utf-8").replace(
            'roster = "../', f'roster = "{PLAN_1958.parent}/'), encoding="utf-8")
    appendix = directory / "appendix.csv"
    appendix.write_text(edit(appendix.read_text(encoding="utf-8")), encoding="utf-8")
    return PlanSource.read(directory)


def test_a_refresh_updates_texts_and_assignments_and_keeps_every_report(session, database_url, tmp_path):
    task = session.exec(select(Task).where(Task.ref == "B.3.1")).one()
    stc = session.exec(select(Unit).where(Unit.code == "stc")).one()
    session.add(Report(task_id=task.id, unit_id=stc.id, contribution_note="Đã góp ý dự thảo"))
    session.commit()

    # The province corrects B.3.1: Sở Tư pháp supports instead of Sở Tài chính.
    source = _edited_plan(tmp_path, lambda text: text.replace(
        "Sở Nội vụ,Sở Tài chính và các cơ quan có liên quan", "Sở Nội vụ,Sở Tư pháp và các cơ quan có liên quan"))
    engine = make_engine(database_url)
    report = load_plan(engine, source)
    engine.dispose()
    assert report.changes["nhiệm vụ cập nhật"] == 1

    session.expire_all()
    assert session.exec(select(Task).where(Task.ref == "B.3.1")).one().support_text.startswith("Sở Tư pháp")
    units = {a.unit_id for a in session.exec(select(Assignment).where(Assignment.task_id == task.id))}
    assert stc.id not in units
    kept = session.exec(select(Report).where(Report.task_id == task.id)).one()
    assert kept.contribution_note == "Đã góp ý dự thảo"


def test_a_phrase_matching_no_unit_is_named_when_loading(database_url, tmp_path):
    source = _edited_plan(tmp_path, lambda text: text.replace(
        "Sở Kế hoạch và Đầu tư,Các cơ quan có liên quan", "Sở Kế hoạch và Đầu tư,Hội đồng thẩm định dự án"))
    engine = make_engine(database_url)
    report = load_plan(engine, source)
    engine.dispose()
    assert "A.I.18, cột phối hợp: «Hội đồng thẩm định dự án» không khớp đơn vị hay nhóm nào, chưa phân công." in report.notes


@pytest.mark.parametrize("engine_kind", ["sqlite"])
def test_the_real_command_line_prints_the_contract_headers(database_url, tmp_path):
    env = {**os.environ, "DATABASE_URL": database_url}
    flask = [sys.executable, "-m", "flask", "--app", "webapp"]
    plan = subprocess.run([*flask, "export-plan", "--format", "csv"], env=env, capture_output=True, check=True)
    assert plan.stdout.decode("utf-8-sig").splitlines()[0] == ",".join(PLAN_HEADER)
    to_file = tmp_path / "plan.csv"
    subprocess.run([*flask, "export-plan", "--format", "csv", "-o", str(to_file)], env=env, check=True)
    assert to_file.read_bytes() == plan.stdout
    assignments = subprocess.run([*flask, "export-assignments", "--format", "csv"], env=env, capture_output=True,
                                 check=True)
    assert assignments.stdout.decode().splitlines()[0] == "ref,unit_code,unit_name,role"
    units = subprocess.run([*flask, "list-units"], env=env, capture_output=True, check=True)
    assert units.stdout.decode().splitlines()[0] == "code,name,kind"
