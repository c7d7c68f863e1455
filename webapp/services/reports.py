"""Saving a unit's report: one transaction, refused when stale, every change recorded."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, select

from ..database import lock_for_write
from ..models import Report, ReportChange, ReportStatus, Task, Unit, User
from . import clock

LEAD_NOTE_LABEL = "Ghi chú"  # a lead's contribution_note, named so on its form
FIELD_LABELS = {
    "submission": "Gửi báo cáo kỳ",
    "review": "Kết quả rà soát",
    "extension": "Gia hạn",
    "assignment": "Phân công",
    "status": "Tình trạng",
    "percent": "Tỷ lệ hoàn thành (%)",
    "result": "Kết quả thực hiện",
    "evidence_number": "Số, ký hiệu văn bản",
    "evidence_date": "Ngày văn bản",
    "difficulties": "Khó khăn, vướng mắc",
    "proposals": "Đề xuất, kiến nghị",
    "contribution_note": "Ý kiến, kết quả phối hợp",
    "evidence_file": "Tệp minh chứng",
    "review_file": "Tệp gửi kèm nhận xét",
}
STATUS_LABELS = {
    ReportStatus.NOT_STARTED: "Chưa thực hiện",
    ReportStatus.IN_PROGRESS: "Đang thực hiện",
    ReportStatus.DONE: "Hoàn thành",
    ReportStatus.BLOCKED: "Có vướng mắc",
}


class ReportConflict(Exception):
    """Someone saved the report since the form was opened."""

    def __init__(self, current: Report | None):
        super().__init__("report changed since it was read")
        self.current = current


@dataclass(frozen=True)
class BlankReport:
    """What a report holds before its unit first saves it: the defaults, at version 0.

    A plain value rather than an unsaved Report, which is costly to build for every row.
    """

    status: ReportStatus = ReportStatus.NOT_STARTED
    percent: int = 0
    result: str = ""
    evidence_number: str = ""
    evidence_date: date | None = None
    difficulties: str = ""
    proposals: str = ""
    contribution_note: str = ""
    completed_on: date | None = None
    version: int = 0
    updated_by_id: int | None = None
    updated_at: None = None


BLANK_REPORT = BlankReport()


def display_value(field: str, value) -> str:
    """A field's value as people read it (history, conflict messages)."""
    if value is None or value == "":
        return ""
    if field == "status" and value in set(ReportStatus):
        return STATUS_LABELS[ReportStatus(value)]
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def get_report(session: Session, task: Task, unit: Unit) -> Report | None:
    return session.exec(select(Report).where(Report.task_id == task.id, Report.unit_id == unit.id)).first()


def ensure_report(session: Session, task: Task, unit: Unit, user: User) -> Report:
    """The unit's report on the row, created blank when the first step concerning it is
    not a save (a submission, an extension), so that the step has a history to go in."""
    report = get_report(session, task, unit)
    if report is None:
        report = Report(task_id=task.id, unit_id=unit.id, version=0)  # still blank: nothing saved yet
        session.add(report)
        session.flush()
    return report


# A save's two writes, built once on the tables (the ORM's bulk statements cost several times
# as much for one row): the report at the version read, with the columns given, and its history.
_REPORT = Report.__table__
WRITE_REPORT = update(_REPORT).where(_REPORT.c.id == bindparam("report_id"),
                                     _REPORT.c.version == bindparam("expected_version"))
WRITE_HISTORY = insert(ReportChange.__table__)


def save_report(
    session: Session, *, task: Task, unit: Unit, report: Report | None, user: User, values: dict,
    expected_version: int, today: date,
) -> Report:
    """Write the fields that changed, if the report is still at expected_version.

    report: the unit's report as read before (None: never saved). Raises ReportConflict,
    writing nothing, when someone saved it in between.
    """
    lock_for_write(session)
    if report is None or report.version != expected_version:
        # Never saved (a blank may have been made since), or stale already: ask the database.
        report = get_report(session, task, unit)
        if (report.version if report else 0) != expected_version:
            session.rollback()
            raise ReportConflict(report)
    # Otherwise what was read is what is there, unless a save came in between: the update
    # below is made only at expected_version, and every write moves the version on.
    before = report or BLANK_REPORT
    changed = {field: value for field, value in values.items() if getattr(before, field) != value}
    if not changed:
        session.rollback()
        return before
    stamp = {"version": expected_version + 1, "updated_by_id": user.id, "updated_at": clock.now()}
    if "status" in changed:
        stamp["completed_on"] = today if changed["status"] == ReportStatus.DONE else None
    history = [{"changed_by_id": user.id, "changed_at": stamp["updated_at"], "field": field,
                "old_value": display_value(field, getattr(before, field)), "new_value": display_value(field, value)}
               for field, value in changed.items()]
    try:
        if report is None:
            report = Report(task_id=task.id, unit_id=unit.id, **{**values, **stamp})
            session.add(report)
            session.flush()
        else:
            written = session.connection().execute(
                WRITE_REPORT, {**changed, **stamp, "report_id": report.id, "expected_version": expected_version})
            if written.rowcount != 1:
                raise ReportConflict(None)
            for field, value in {**changed, **stamp}.items():
                set_committed_value(report, field, value)  # as written: nothing to read back
    except (IntegrityError, ReportConflict):
        session.rollback()
        raise ReportConflict(get_report(session, task, unit)) from None
    session.connection().execute(WRITE_HISTORY, [{"report_id": report.id, **change} for change in history])
    session.commit()
    return report
