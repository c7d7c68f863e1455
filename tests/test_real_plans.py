"""Real appendices, as published (tests/data/real_plans/, each folder with its README naming
its source), and layouts constructed as provinces lay theirs out (tests/data/constructed_plans/):
imported as they are, in .docx and in .xlsx, and compared row by row with what the plan says —
every cell's text, the extra columns, the reading of each timeframe and what each lead and
support phrase names."""

import csv
import json
from pathlib import Path

import pytest
from sqlmodel import Session, select

from webapp.database import make_engine
from webapp.models import Plan, Task
from webapp.schema import upgrade
from webapp.services import importer
from webapp.services.plans import PlanMeta
from webapp.services.reading import read_appendix
from webapp.services.reading.phrases import resolve_cell
from webapp.services.reading.timeframes import parse_timeframe
from webapp.services.roster import import_roster, read_roster_file, resolver_roster

DATA = Path(__file__).parent / "data"
REAL = sorted(p for p in (DATA / "real_plans").iterdir() if (p / "expected.csv").exists())
FOLDERS = REAL + sorted(p for p in (DATA / "constructed_plans").iterdir() if (p / "expected.csv").exists())
FORMATS = ("docx", "xlsx")


def expected_rows(folder: Path) -> list[dict]:
    with open(folder / "expected.csv", encoding="utf-8-sig", newline="") as source:
        return list(csv.DictReader(source))


def said(phrases) -> str:
    """What each phrase of a cell names, as expected.csv writes it."""
    return ";".join(f"{p.kind.value}:{p.code}" if p.code else p.kind.value if p.kind.value == "related"
                    else f"unknown:{p.text}" for p in phrases)


def test_the_corpus_is_there():
    assert len(REAL) >= 2, "tests/data/real_plans/ lost its plans"
    assert len(FOLDERS) >= 12
    for folder in FOLDERS:
        assert (folder / "README.md").read_text(encoding="utf-8").strip(), folder


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("folder", FOLDERS, ids=[f.name for f in FOLDERS])
def test_a_real_appendix_reads_as_the_plan_says(folder, fmt):
    roster = resolver_roster(read_roster_file("roster.csv", (folder / "roster.csv").read_bytes()))
    parsed = read_appendix(f"appendix.{fmt}", (folder / f"appendix.{fmt}").read_bytes())
    expected = expected_rows(folder)
    assert parsed.rows_read == parsed.rows_seen  # nothing dropped silently
    assert [t.ref for t in parsed.tasks] == [e["ref"] for e in expected]
    for task, row in zip(parsed.tasks, expected):
        timeframe = parse_timeframe(task.timeframe)
        got = {
            "stt": task.stt, "content": task.content, "lead": task.lead, "support": task.support,
            "timeframe": task.timeframe, "product": task.product, "extra": task.extra,
            "due_on": timeframe.due_on.isoformat() if timeframe.due_on else "",
            "starts_on": timeframe.starts_on.isoformat() if timeframe.starts_on else "",
            "recurrence": timeframe.recurrence.value, "awaits": "1" if timeframe.awaits_guidance else "",
            "lead_resolved": said(resolve_cell(task.lead, roster)),
            "support_resolved": said(resolve_cell(task.support, roster)),
        }
        want = {key: json.loads(row[key]) if key == "extra" else row[key] for key in got}
        assert got == want, task.ref


@pytest.mark.parametrize("folder", REAL, ids=[f.name for f in REAL])
def test_a_real_plan_imports_with_its_province_roster(folder, databases):
    """The whole path on a fresh database: the province's roster, then the plan, as an
    administrator does it; the rows keep their extra columns."""
    url = databases.empty("sqlite")
    engine = make_engine(url)
    upgrade(engine)
    with Session(engine) as session:
        import_roster(session, read_roster_file("roster.csv", (folder / "roster.csv").read_bytes()))
        parsed = read_appendix("appendix.docx", (folder / "appendix.docx").read_bytes())
        meta = PlanMeta(code=folder.name, number=folder.name, title=folder.name, issuer="", issued_on=None,
                        focal_unit=None)
        importer.commit_import(session, meta=meta, parsed=parsed, allow_without_lead=True)
        session.commit()
        plan = session.exec(select(Plan)).one()
        stored = session.exec(select(Task).where(Task.plan_id == plan.id).order_by(Task.position)).all()
        assert [(t.ref, t.content, t.extra) for t in stored] == [(t.ref, t.content, t.extra) for t in parsed.tasks]
        assert plan.extra_columns == parsed.extra_columns
    engine.dispose()
