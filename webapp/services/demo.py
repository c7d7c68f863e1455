"""A demonstration's past: plan 1958 as a province would have carried it out since it was
issued, so that every page and report of a fresh install looks like a real record.

The history is the same on every run (a fixed seed, rows and units in a fixed order). Each
quarter from Q3/2021 is opened, reported on, reviewed and closed through the same rules as
real use: units report on their lead rows as the work goes (some rows finish on time, some
late, some stall with difficulties), most send on time, some late, some not at all; a few
reports are returned and sent again; one deadline is extended; indicator figures are given.
The quarter of `until` stays open, its queue half reviewed. Refused in production (the
command says so); played only once, on a plan without periods.
"""

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import case, insert
from sqlmodel import Session, select

from ..models import (
    REPORT_FIELDS,
    Assignment,
    Direction,
    Extension,
    ExtensionState,
    Indicator,
    IndicatorValue,
    Period,
    PeriodKind,
    PeriodReport,
    Plan,
    Recurrence,
    Report,
    ReportChange,
    ReportStatus,
    ReviewState,
    Role,
    Task,
    Unit,
    UnitKind,
    User,
)
from . import clock
from .periods import STATE_LABELS, close_period, open_period, reports_held
from .reports import display_value
from .targets import indicator_units

SEED = 1958
FIRST_QUARTER = (2021, 3)
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}
REVIEWER = "snv-ra-soat"

RESULTS = [
    (1, "Đã xây dựng kế hoạch triển khai, phân công lãnh đạo phụ trách và công chức đầu mối theo dõi."),
    (30, "Đã tổ chức hội nghị quán triệt, hướng dẫn các phòng chuyên môn; đang triển khai các nội dung của nhiệm vụ."),
    (55, "Đã hoàn thành khoảng {percent}% khối lượng công việc; đang tổng hợp kết quả, hoàn thiện hồ sơ."),
    (80, "Đã hoàn thành phần lớn nội dung ({percent}%); đang lấy ý kiến các đơn vị phối hợp trước khi trình."),
    (100, "Đã hoàn thành nhiệm vụ: {product}."),
]
NOT_STARTED_YET = {
    False: "Chưa triển khai trong kỳ; đơn vị đang chuẩn bị kế hoạch thực hiện.",
    True: "Chưa triển khai: chờ hướng dẫn của bộ, ngành Trung ương.",
}
DIFFICULTIES = [
    "Kinh phí năm nay chưa được bố trí; hạ tầng mạng tại Bộ phận Một cửa chưa đáp ứng.",
    "Chưa có hướng dẫn của bộ, ngành Trung ương về quy trình liên thông.",
    "Nhân lực làm công tác số hóa còn thiếu, phần lớn kiêm nhiệm.",
    "Phần mềm của Bộ chưa kết nối được với Hệ thống thông tin giải quyết TTHC của tỉnh.",
]
PROPOSALS = [
    "Đề nghị Sở Tài chính bố trí kinh phí trong dự toán năm sau.",
    "Đề nghị Sở Thông tin và Truyền thông hỗ trợ kết nối, chia sẻ dữ liệu.",
    "Đề nghị UBND tỉnh cho phép điều chỉnh tiến độ.",
]
RETURN_COMMENTS = [
    "Đề nghị bổ sung số liệu cụ thể và số, ngày văn bản làm căn cứ.",
    "Kết quả chưa khớp với tỷ lệ hoàn thành; đề nghị làm rõ phần việc đã xong.",
    "Đề nghị nêu rõ khó khăn, vướng mắc và đề xuất cụ thể.",
]
SUPPORT_NOTES = [
    "Đã cử công chức tham gia tổ công tác, góp ý dự thảo theo đề nghị của đơn vị chủ trì.",
    "Đã cung cấp số liệu thuộc lĩnh vực quản lý cho đơn vị chủ trì.",
]


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int

    @property
    def starts_on(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def ends_on(self) -> date:
        following = self.next()
        return following.starts_on - timedelta(days=1)

    @property
    def deadline(self) -> date:
        return self.ends_on + timedelta(days=5)

    @property
    def label(self) -> str:
        return f"Quý {ROMAN[self.number]}/{self.year}"

    def next(self) -> "Quarter":
        return Quarter(self.year + self.number // 4, self.number % 4 + 1)

    def holds(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on


def quarters_until(until: date) -> list[Quarter]:
    found, quarter = [], Quarter(*FIRST_QUARTER)
    while quarter.starts_on <= until:
        found.append(quarter)
        quarter = quarter.next()
    return found


def moment(day: date, hour: int = 9) -> datetime:
    """A working hour of that day, in Vietnam, as stored (UTC)."""
    return datetime.combine(day, time(hour), clock.LOCAL_TZ).astimezone(timezone.utc)


@dataclass
class Course:
    """How one lead unit's work on one row goes, quarter by quarter (indexes of the quarters)."""

    start: int
    finish: int | None  # the quarter it is done in; None: not done within the history
    plateau: int = 100  # where a row that stalls stays
    blocked_from: int | None = None


def _course(rng: random.Random, task: Task, quarters: list[Quarter]) -> Course:
    due = task.due_on
    due_index = next((i for i, q in enumerate(quarters) if due and q.holds(due)), len(quarters) - 1 if due else None)
    if due_index is None:  # waiting for guidance: most stay untouched
        return Course(start=rng.randint(6, 12), finish=None, plateau=rng.choice([0, 0, 20, 35]))
    course = course_toward(rng, due_index, late_by=4)
    if course.finish is not None and course.finish >= len(quarters):
        course.finish = None
    return course


def course_toward(rng: random.Random, due_index: int, *, late_by: int) -> Course:
    """A row due in the quarter due_index: most done by then, some up to late_by quarters
    late, the rest stalled part way (some of them blocked from the deadline on)."""
    draw = rng.random()
    if draw < 0.55:
        finish = max(0, due_index - rng.randint(0, 1))
    elif draw < 0.8:
        finish = due_index + rng.randint(1, late_by)
    else:
        stalled = Course(start=max(0, due_index - rng.randint(1, 3)), finish=None, plateau=rng.choice([40, 50, 65, 80]))
        if draw > 0.9:
            stalled.blocked_from = due_index
        return stalled
    return Course(start=max(0, finish - rng.randint(1, 4)), finish=finish)


def _unit_course(rng: random.Random, row: Course, quarters: list[Quarter]) -> Course:
    """A lead's own course on a row: the row's, a unit now and then a quarter or two behind."""
    lag = rng.choice([0, 0, 0, 0, 1, 2])
    finish = row.finish + lag if row.finish is not None and row.finish + lag < len(quarters) else None
    return Course(start=row.start, finish=finish, plateau=row.plateau, blocked_from=row.blocked_from)


def _percent(course: Course, index: int, task: Task, quarter: Quarter) -> int:
    if task.recurrence == Recurrence.YEARLY:  # done again each year, by its last quarter
        return 100 if quarter.number == 4 else 25 * quarter.number
    if index < course.start:
        return 0
    return progress(course, index)


def progress(course: Course, index: int) -> int:
    """How far a row on its course is in the quarter index (from its start on), in steps of 5."""
    if course.finish is not None and index >= course.finish:
        return 100
    span = (course.finish if course.finish is not None else course.start + 6) - course.start + 1
    return min(course.plateau, max(5, round(100 * (index - course.start + 1) / span / 5) * 5), 95)


def _said(course: Course, index: int, percent: int) -> ReportStatus:
    if percent == 100:
        return ReportStatus.DONE
    if percent == 0:
        return ReportStatus.NOT_STARTED
    if course.blocked_from is not None and index >= course.blocked_from:
        return ReportStatus.BLOCKED
    return ReportStatus.IN_PROGRESS


def _result(percent: int, task: Task) -> str:
    if not percent:
        return NOT_STARTED_YET[task.awaits_guidance]
    text = next(t for floor, t in reversed(RESULTS) if percent >= floor)
    product = (task.product or "báo cáo kết quả thực hiện").rstrip(".")
    return text.format(percent=percent, product=product[0].lower() + product[1:] if product else product)


def _evidence(rng: random.Random, unit: Unit, day: date) -> tuple[str, date]:
    issuer = unit.code.upper() if unit.kind in (UnitKind.DEPARTMENT, UnitKind.OFFICE) else "UBND"
    return f"{rng.randint(12, 480)}/{rng.choice(['KH', 'BC', 'QĐ'])}-{issuer}", day


@dataclass
class Played:
    closed: int = 0
    open_label: str = ""
    reports: int = 0
    sent: int = 0
    returned: int = 0


def play_history(session: Session, *, plan: Plan, until: date) -> Played | None:
    """Play the plan's history up to `until`; None when the plan already has periods."""
    if session.exec(select(Period.id).where(Period.plan_id == plan.id)).first() is not None:
        return None
    # Objects stay loaded across the quarters' commits: reading each report back one by one
    # would take most of the time.
    expire_on_commit, session.expire_on_commit = session.expire_on_commit, False
    try:
        return _History(session, plan, until).play()
    finally:
        session.expire_on_commit = expire_on_commit


class HistoryWriter:
    """A played history written in bulk, as the services write it one step at a time: each
    save's changed fields in the report's history, each report sent for a period as its copy.
    The demonstration's history and the benchmark's synthetic province both play through it."""

    def __init__(self, session: Session, users: dict[str, User], *, latest: datetime | None = None):
        self.session, self.users = session, users
        self.latest = latest  # nothing played is stamped later (the demonstration's: the moment it is played)
        self.reviewer = users[REVIEWER]
        self.reports: dict[tuple[int, int], Report] = {}
        self.changes: list[dict] = []  # history lines, written in one statement at write_out
        self.copies: list[dict] = []  # reports sent for a period, likewise
        # (task, unit) the open period kept accepted as done (periods.carry_finished): nothing
        # more to write or send on them.
        self.finished: set[tuple[int, int]] = set()

    def ensure_reports(self, pairs) -> None:
        """The reports about to be written, created blank where the unit has none yet (one flush)."""
        for task, unit in pairs:
            if (task.id, unit.id) not in self.reports:
                self.reports[(task.id, unit.id)] = Report(task_id=task.id, unit_id=unit.id, version=0)
                self.session.add(self.reports[(task.id, unit.id)])
        self.session.flush()

    def at(self, moment_played: datetime, *, not_before: datetime | None = None) -> datetime:
        """When a step is stamped: after what it follows (a report is sent after it was written,
        reviewed after it was sent), never after `latest`."""
        if not_before is not None:
            moment_played = max(moment_played, not_before)
        return min(moment_played, self.latest) if self.latest else moment_played

    def write(self, task, unit, values, at) -> None:
        """The unit saves its report: the fields that changed, each in the history, as a save does."""
        report, user = self.reports[(task.id, unit.id)], self.users[unit.code]
        at = self.at(at)
        changed = {name: value for name, value in values.items() if getattr(report, name) != value}
        if not changed:
            return
        for name, value in changed.items():
            self.changes.append(dict(report_id=report.id, changed_by_id=user.id, changed_at=at, period_id=None,
                                     field=name, old_value=display_value(name, getattr(report, name)),
                                     new_value=display_value(name, value)))
            setattr(report, name, value)
        if "status" in changed:
            done = changed["status"] == ReportStatus.DONE
            report.completed_on = at.astimezone(clock.LOCAL_TZ).date() if done else None
        report.version += 1
        report.updated_by_id, report.updated_at = user.id, at
        self.session.add(report)

    def send(self, report: Report, period: Period, user: User, at: datetime) -> dict:
        """The unit sends the report for the period: its copy, waiting for review."""
        at = self.at(at, not_before=report.updated_at)
        copy = dict(period_id=period.id, task_id=report.task_id, unit_id=report.unit_id, **copied_fields(report),
                    state=ReviewState.SUBMITTED, submitted_by_id=user.id, submitted_at=at,
                    reviewed_by_id=None, reviewed_at=None, review_comment="")
        self.copies.append(copy)
        self.step(report, user, at, period, "submission", "", f"Gửi báo cáo kỳ {period.label}")
        return copy

    def review(self, copy: dict, report, at, period, *, accept: bool, comment: str) -> None:
        at = self.at(at, not_before=copy["submitted_at"])
        copy.update(state=ReviewState.ACCEPTED if accept else ReviewState.RETURNED, reviewed_by_id=self.reviewer.id,
                    reviewed_at=at, review_comment=comment)
        verdict = "Chấp nhận" if accept else "Trả lại"
        self.step(report, self.reviewer, at, period, "review", STATE_LABELS[ReviewState.SUBMITTED],
                  f"{verdict} ({period.label})" + (f": {comment}" if comment else ""))

    def step(self, report, user, at, period, field, old, new) -> None:
        self.changes.append(dict(report_id=report.id, changed_by_id=user.id, changed_at=self.at(at),
                                 period_id=period.id if period else None, field=field, old_value=old, new_value=new))

    def write_out(self, figures: Sequence[dict] = ()) -> None:
        """What was played so far (and the indicator figures given), one statement a table, committed."""
        self.session.flush()
        for model, rows in ((ReportChange, self.changes), (PeriodReport, self.copies), (IndicatorValue, figures)):
            if rows:
                self.session.execute(insert(model), rows)
        self.changes, self.copies = [], []
        self.session.commit()


class _History(HistoryWriter):
    def __init__(self, session: Session, plan: Plan, until: date):
        super().__init__(session, {u.username: u for u in session.exec(select(User))}, latest=clock.now())
        self.plan, self.until = plan, until
        self.rng = random.Random(SEED)
        self.quarters = quarters_until(until)
        lead_first = case((Assignment.role == Role.LEAD, 0), else_=1)
        pairs = session.exec(
            select(Task, Unit, Assignment.role).join(Assignment, Assignment.task_id == Task.id)
            .join(Unit, Assignment.unit_id == Unit.id).where(Task.plan_id == plan.id, Unit.active)
            .order_by(Task.position, lead_first, Unit.id)).all()
        self.leads = [(task, unit) for task, unit, role in pairs if role == Role.LEAD and unit.code in self.users]
        self.supports = [(task, unit) for task, unit, role in pairs if role == Role.SUPPORT and unit.code in self.users]
        tasks = {task.id: task for task, _ in self.leads}
        rows = {task_id: _course(self.rng, task, self.quarters) for task_id, task in tasks.items()}
        self.courses = {(task.id, unit.id): _unit_course(self.rng, rows[task.id], self.quarters)
                        for task, unit in self.leads}
        self.diligence = {unit.id: self.rng.uniform(0.7, 0.98) for _, unit in self.leads}
        self.indicators = [(indicator, [u for u in indicator_units(session, indicator) if u.code in self.users])
                           for indicator in session.exec(select(Indicator).join(Task).where(Task.plan_id == plan.id)
                                                         .order_by(Indicator.id))]
        self.played = Played()
        self.extended = _pick_extension(self.leads, self.courses, self.quarters)

    def play(self) -> Played:
        for index in range(len(self.quarters)):
            self.quarter(index)
        self.played.reports = len(self.reports)
        return self.played

    def quarter(self, index: int) -> None:
        quarter, session, rng = self.quarters[index], self.session, self.rng
        is_last = index == len(self.quarters) - 1
        with clock.pinned(moment(quarter.starts_on)):
            period = open_period(session, plan=self.plan, kind=PeriodKind.QUARTER, label=quarter.label,
                                 starts_on=quarter.starts_on, ends_on=quarter.ends_on, deadline=quarter.deadline,
                                 user=self.reviewer, today=quarter.starts_on)
        self.finished = reports_held(session, period)
        # The units write how the work went, in the quarter's last weeks.
        written = quarter.ends_on - timedelta(days=12)
        if is_last:
            written = min(self.until, written)
        saves = []
        for task, unit in self.leads:
            if (task.id, unit.id) in self.finished:
                continue
            course = self.courses[(task.id, unit.id)]
            percent = _percent(course, index, task, quarter)
            said = _said(course, index, percent)
            day = written - timedelta(days=rng.randint(0, 20))
            values = {"status": said, "percent": percent, "result": _result(percent, task)}
            if said == ReportStatus.BLOCKED:
                values["difficulties"] = DIFFICULTIES[(task.id + unit.id) % len(DIFFICULTIES)]
                values["proposals"] = PROPOSALS[(task.id + unit.id) % len(PROPOSALS)]
            if said == ReportStatus.DONE:
                values["evidence_number"], values["evidence_date"] = _evidence(rng, unit, day)
            saves.append((task, unit, values, moment(day, 9 + rng.randint(0, 7))))
        if index % 3 == 1:
            saves += [(task, unit, {"contribution_note": SUPPORT_NOTES[(task.id + index) % len(SUPPORT_NOTES)]},
                       moment(written - timedelta(days=3))) for task, unit in self.supports[index % 7::11]]
        self.ensure_reports([(task, unit) for task, unit, _, _ in saves])
        with session.no_autoflush:
            for task, unit, values, at in saves:
                self.write(task, unit, values, at)
        if self.extended and index == self.extended[2]:
            self.extension()
        self.send_and_review(period, self.until if is_last else None)
        if is_last:
            self.changed_after_acceptance()
        self.write_out(self.indicator_figures(period, index))
        if is_last:
            self.played.open_label = quarter.label
            return
        closing = quarter.deadline + timedelta(days=6)
        with clock.pinned(moment(closing, 16)):
            close_period(session, period=period, user=self.reviewer, today=closing)
        self.played.closed += 1

    def send_and_review(self, period: Period, today: date | None) -> None:
        """Each unit sends its filled lead reports (most by the deadline, some late, some never);
        the reviewer accepts most and returns a few, which are sent again and accepted. In the
        open quarter (today given) only what has happened by today."""
        rng, returns = self.rng, 0
        for task, unit in self.leads:
            report = self.reports.get((task.id, unit.id))
            if report is None or (task.id, unit.id) in self.finished or rng.random() > self.diligence[unit.id]:
                continue
            late = rng.random() < 0.1
            sent_on = period.deadline + timedelta(days=rng.randint(1, 6)) if late else \
                period.deadline - timedelta(days=rng.randint(0, 9))
            if today is not None:  # the open quarter: about half have sent already
                sent_on = today - timedelta(days=rng.randint(0, 25))
                if rng.random() < 0.5 or sent_on < period.starts_on:
                    continue
            user = self.users[unit.code]
            sent_at = moment(sent_on, 8 + rng.randint(0, 8))
            copy = self.send(report, period, user, sent_at)
            self.played.sent += 1
            reviewed_on = sent_on + timedelta(days=rng.randint(1, 4))
            if today is not None and reviewed_on > today:
                continue  # still waiting in the reviewer's queue
            reviewed_at = moment(reviewed_on, 14)
            if rng.random() < 0.06 and returns < 3:
                comment = RETURN_COMMENTS[returns % len(RETURN_COMMENTS)]
                returns += 1
                self.played.returned += 1
                self.review(copy, report, reviewed_at, period, accept=False, comment=comment)
                resent_on = reviewed_on + timedelta(days=rng.randint(1, 3))
                if today is not None and resent_on > today:
                    continue
                resent_at = self.at(moment(resent_on, 10))
                self.write(task, unit, {"result": f"{report.result} Bổ sung: văn bản số {rng.randint(20, 300)}/BC-"
                                                  f"{unit.code.upper()}."}, resent_at)
                copy.update(copied_fields(report), state=ReviewState.SUBMITTED, submitted_at=resent_at, reviewed_by_id=None,
                            reviewed_at=None, review_comment="")
                self.step(report, user, resent_at, period, "submission", STATE_LABELS[ReviewState.RETURNED],
                          f"Gửi báo cáo kỳ {period.label}")
                reviewed_at = moment(resent_on + timedelta(days=2), 15)
                if today is not None and reviewed_at.date() > today:
                    continue
            self.review(copy, report, reviewed_at, period, accept=True, comment="")

    def changed_after_acceptance(self) -> None:
        """A unit moves on after its report was accepted: its row says so and asks to send again."""
        copy = next((c for c in self.copies if c["state"] == ReviewState.ACCEPTED and c["percent"] < 95), None)
        if copy is None:
            return
        task, unit = self.session.get(Task, copy["task_id"]), self.session.get(Unit, copy["unit_id"])
        percent = copy["percent"] + 5
        # Work under way once a percent is given (a rule of the report form).
        self.write(task, unit, {"status": ReportStatus.IN_PROGRESS if copy["status"] == ReportStatus.NOT_STARTED
                                else copy["status"], "percent": percent, "result": _result(percent, task)},
                   moment(self.until, 10))


    def extension(self) -> None:
        """The lead of a row due this quarter asks, in time, for three more months, and gets them."""
        task, unit, _ = self.extended
        user = self.users[unit.code]
        asked_at = self.at(moment(task.due_on - timedelta(days=20)))
        extension = Extension(task_id=task.id, unit_id=unit.id, original_due_on=task.due_on,
                              new_due_on=task.due_on + timedelta(days=90),
                              reason="Chờ Bộ hoàn thiện phần mềm dùng chung để kết nối.",
                              state=ExtensionState.APPROVED, requested_by_id=user.id, requested_at=asked_at,
                              decided_by_id=self.reviewer.id, decided_at=self.at(asked_at + timedelta(days=3)),
                              decision_comment="Đồng ý gia hạn 3 tháng.")
        self.session.add(extension)
        self.ensure_reports([(task, unit)])
        new = extension.new_due_on.strftime("%d/%m/%Y")
        report = self.reports[(task.id, unit.id)]
        self.step(report, user, asked_at, None, "extension", "", f"Đề nghị gia hạn đến {new}: {extension.reason}")
        self.step(report, self.reviewer, extension.decided_at, None, "extension", "Chờ duyệt",
                  f"Đồng ý gia hạn đến {new}: {extension.decision_comment}")

    def indicator_figures(self, period: Period, index: int) -> list[dict]:
        """Each unit's figures, nearing their targets as the quarters go (some fall short)."""
        rows, count = [], len(self.quarters)
        for indicator, units in self.indicators:
            for unit in units:
                share = min(1.0, (index + 1) / max(count - 2, 1)) * (0.9 + 0.25 * ((unit.id * 7 + indicator.id) % 5) / 4)
                if indicator.direction == Direction.AT_MOST:
                    value = round(indicator.target_value * (2.2 - 1.2 * share), 1)
                else:
                    value = round(indicator.target_value * share, 1)
                    if indicator.unit_of_measure.strip() == "%":
                        value = min(value, 100.0)
                rows.append(dict(indicator_id=indicator.id, unit_id=unit.id, period_id=period.id, value=value,
                                 source=f"Hệ thống thông tin giải quyết TTHC tỉnh, số liệu {period.label}",
                                 explanation_request="", explanation="", updated_by_id=self.users[unit.code].id,
                                 updated_at=self.at(moment(period.deadline - timedelta(days=2)))))
        return rows


def copied_fields(report: Report) -> dict:
    """What a period's copy keeps of the report sent."""
    return {name: getattr(report, name) for name in REPORT_FIELDS}


def _pick_extension(leads, courses, quarters):
    """A row finished one quarter late, whose lead will have asked in time for three more months."""
    for task, unit in leads:
        course = courses[(task.id, unit.id)]
        due = task.due_on
        if (task.recurrence == Recurrence.NONE and due and course.finish is not None and course.finish < len(quarters)
                and 0 < course.finish and quarters[course.finish - 1].holds(due)):
            return task, unit, course.finish - 1
    return None
