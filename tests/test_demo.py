"""The first impression: `seed-demo` plays plan 1958's history since Q3/2021, the same on
every run and on both databases, so that every page looks like a province's real record;
production refuses it."""

import re
from dataclasses import dataclass
from datetime import date, datetime, timezone

import pytest
from sqlmodel import select

from webapp import create_app
from webapp.extensions import db
from webapp.models import (
    Extension,
    ExtensionState,
    IndicatorValue,
    Period,
    PeriodReport,
    Report,
    ReportChange,
    ReportStatus,
    ReviewState,
)
from webapp.services import clock
from webapp.services.periods import differs

from .conftest import ENGINES, app_environment, load_1958, make_app

TODAY = date(2026, 11, 29)
MORNING = datetime(2026, 11, 29, 7, 30, tzinfo=clock.LOCAL_TZ)  # before the working hours the history plays


@dataclass
class History:
    url: str
    output: str


@pytest.fixture(scope="module", params=ENGINES)
def history(request, databases, tmp_path_factory):
    """`seed-demo` run on plan 1958, today being TODAY: once per engine for the module, as playing
    the history takes seconds."""
    url = databases.with_plan(request.param, load_1958)
    with pytest.MonkeyPatch.context() as monkeypatch:
        app_environment(monkeypatch, tmp_path_factory.mktemp("instance"))
        monkeypatch.setattr(clock, "now", lambda: clock._pinned.get() or MORNING)
        app = make_app(url)
        result = app.test_cli_runner().invoke(args=["seed-demo"])
        db.engine(app).dispose()
    assert result.exit_code == 0, result.output
    yield History(url, result.output)
    databases.drop(url)


@pytest.fixture
def database_url(databases, history):
    """A copy of the played database for each test: logging in and a second run write to it."""
    url = databases.copy(history.url)
    yield url
    databases.drop(url)


@pytest.fixture
def played(history, monkeypatch):
    """What `seed-demo` printed, today being TODAY as it was when it ran."""
    monkeypatch.setattr(clock, "today", lambda: TODAY)
    return history.output


def test_the_history_is_a_provinces_record_the_same_every_time(played, session):
    assert "21 kỳ đã đóng, kỳ Quý IV/2026 đang mở" in played
    periods = session.exec(select(Period).order_by(Period.starts_on)).all()
    assert [p.label for p in periods[:2]] == ["Quý III/2021", "Quý IV/2021"] and periods[-1].label == "Quý IV/2026"
    assert all(not p.is_open for p in periods[:-1]) and periods[-1].is_open
    copies = session.exec(select(PeriodReport)).all()
    states = {state: sum(c.state == state for c in copies) for state in ReviewState}
    # Most reports accepted, some never sent, a few waiting in the open quarter's queue.
    assert states[ReviewState.ACCEPTED] > 4 * states[ReviewState.MISSING] > 0
    assert 0 < states[ReviewState.SUBMITTED] < states[ReviewState.ACCEPTED] / 10
    extension = session.exec(select(Extension)).one()
    assert extension.state == ExtensionState.APPROVED
    assert session.exec(select(IndicatorValue)).first() is not None
    # The same history on every run and on both engines: a fingerprint of it.
    assert (len(copies), states[ReviewState.RETURNED] + states[ReviewState.ACCEPTED]) == (8921, 7752)


def test_the_history_never_tells_of_the_future_nor_breaks_a_rule(played, session):
    """Played in the morning, nothing is stamped later that day; a report sent unchanged was
    sent after it was written; no report says «chưa thực hiện» with a percent."""
    def utc(moment):
        return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment

    stamps = [*session.exec(select(ReportChange.changed_at)), *session.exec(select(Report.updated_at)),
              *session.exec(select(PeriodReport.submitted_at)), *session.exec(select(PeriodReport.reviewed_at)),
              *session.exec(select(IndicatorValue.updated_at)), *session.exec(select(Extension.decided_at))]
    assert max(utc(s) for s in stamps if s) <= MORNING
    assert not session.exec(select(Report).where(Report.status == ReportStatus.NOT_STARTED, Report.percent > 0)).all()
    open_quarter = session.exec(select(Period).where(Period.closed_at.is_(None))).one()
    sent = session.exec(select(PeriodReport, Report).join(Report, (Report.task_id == PeriodReport.task_id)
                                                          & (Report.unit_id == PeriodReport.unit_id))
                        .where(PeriodReport.period_id == open_quarter.id, PeriodReport.submitted_at.is_not(None))).all()
    unchanged = [(copy, report) for copy, report in sent if not differs(report, copy)]
    assert unchanged and all(utc(copy.submitted_at) >= utc(report.updated_at) for copy, report in unchanged)


def test_every_page_shows_the_record(played, login, session):
    reviewer = login("snv-ra-soat")
    desk = reviewer.get("/review").get_data(as_text=True)
    assert "Kỳ <strong>Quý IV/2026</strong>" in desk and 'class="queue-row' in desk
    closed = session.exec(select(Period).where(Period.label == "Quý IV/2025")).one()
    board = login("lanh-dao").get(f"/dashboard?period={closed.id}").get_data(as_text=True)
    assert "Quý IV/2025" in board and "Hoàn thành đúng hạn" in board
    newest = reviewer.get("/tasks/A.I.3").get_data(as_text=True)
    total = int(re.search(r"\((\d+) thay đổi\)", newest).group(1))
    oldest = reviewer.get(f"/tasks/A.I.3?history={max(total - 20, 0)}", htmx=True).get_data(as_text=True)
    assert "Gửi báo cáo kỳ Quý III/2021" in oldest and "Chấp nhận (Quý III/2021)" in oldest
    from webapp.models import Report, Unit

    open_quarter = session.exec(select(Period.id).where(Period.label == "Quý IV/2026")).one()
    changed = [(copy, report) for copy, report in session.exec(
        select(PeriodReport, Report).join(Report, (Report.task_id == PeriodReport.task_id)
                                          & (Report.unit_id == PeriodReport.unit_id))
        .where(PeriodReport.period_id == open_quarter, PeriodReport.state == ReviewState.ACCEPTED))
        if report.percent != copy.percent]
    assert len(changed) == 1  # a unit moved on after its report was accepted
    copy, report = changed[0]
    row = login(session.get(Unit, copy.unit_id).code).get("/my").get_data(as_text=True)
    assert f"tỷ lệ hoàn thành nay {report.percent}%" in row and "cần gửi lại" in row


def test_a_second_run_keeps_the_history(played, runner, session):
    before = len(session.exec(select(PeriodReport)).all())
    again = runner.invoke(args=["seed-demo"])
    assert "giữ nguyên, không dựng lại lịch sử" in again.output
    session.rollback()
    assert len(session.exec(select(PeriodReport)).all()) == before


def test_production_refuses_demo_data(database_url, monkeypatch):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    app = create_app({"DATABASE_URL": database_url})
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code != 0 and "Không tạo dữ liệu dùng thử ở chế độ production" in result.output
