"""All table models. Import this module before creating tables.

Words follow DESIGN.md: a Plan has Sections holding Tasks (appendix rows); Units lead
or support Tasks through Assignments; a Report is one unit's progress on one task, and
every change to it is kept as a ReportChange.
"""

from datetime import date, datetime, timezone
from enum import Enum
from typing import ClassVar, Optional

from sqlalchemy import JSON, LargeBinary, Text, UniqueConstraint
from sqlalchemy import Enum as SAEnum
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def long_text() -> Field:
    """A text column without a length limit (cell texts can be paragraphs)."""
    return Field(default="", sa_type=Text)


def enum_column(enum: type[Enum], default: Enum) -> Field:
    """Store an enum by its value (``"lead"``), as plain text on every engine."""
    column_type = SAEnum(enum, values_callable=lambda e: [m.value for m in e], native_enum=False, length=20)
    return Field(default=default, sa_type=column_type)


class Role(str, Enum):
    LEAD = "lead"
    SUPPORT = "support"


class UnitKind(str, Enum):
    PROVINCE = "province"  # UBND tỉnh, HĐND tỉnh themselves
    DEPARTMENT = "department"  # a provincial department or agency (sở, ban, ngành)
    OFFICE = "office"  # a unit attached to a department
    CENTRAL = "central"  # a central agency's provincial branch (Thuế, Công an, BHXH…)
    DISTRICT = "district"  # a district's People's Committee (before 2025)
    COMMUNE = "commune"  # a commune, ward or special zone (xã, phường, đặc khu)
    ENTERPRISE = "enterprise"
    PRESS = "press"
    ORGANIZATION = "organization"  # Mặt trận, associations, unions, schools, hospitals…


class Recurrence(str, Enum):
    """How often a row is done again: a recurring row is reported every cycle, never simply done."""

    NONE = ""
    CONTINUOUS = "continuous"  # thường xuyên
    YEARLY = "yearly"
    HALF_YEARLY = "half_yearly"
    QUARTERLY = "quarterly"
    MONTHLY = "monthly"


class ReportStatus(str, Enum):
    """What a lead unit says of its work; on-time, overdue and recurring are derived."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    BLOCKED = "blocked"


class UserRole(str, Enum):
    UNIT = "unit"  # a unit's focal point (cán bộ đầu mối)
    REVIEWER = "reviewer"  # Sở Nội vụ, Văn phòng UBND tỉnh
    LEADER = "leader"  # read-only
    ADMIN = "admin"


class Direction(str, Enum):
    AT_LEAST = ">="
    AT_MOST = "<="


class Level(str, Enum):
    """Administrative level an indicator applies to."""

    ALL = ""
    PROVINCE = "province"
    DISTRICT = "district"
    COMMUNE = "commune"


class Plan(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    code: str = Field(unique=True, index=True)
    number: str
    title: str = long_text()
    issuer: str = ""
    issued_on: Optional[date] = None
    focal_unit_id: Optional[int] = Field(default=None, foreign_key="unit.id")
    active: bool = True
    # The titles of the appendix's other columns (Nguồn kinh phí, Ghi chú…), in their order.
    extra_columns: list[str] = Field(default_factory=list, sa_type=JSON)
    created_at: datetime = Field(default_factory=utcnow)
    # Raised whenever the plan's rows or assignments change (reports have their own
    # history); pages cached by it know when to render again.
    revision: int = 0


class Section(SQLModel, table=True):
    """A heading of the appendix: a part (A, B) or a section under it (A.I, B.8)."""

    __table_args__ = (UniqueConstraint("plan_id", "code"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    parent_id: Optional[int] = Field(default=None, foreign_key="section.id")
    code: str
    stt: str = ""
    title: str = long_text()
    position: int = 0


class Task(SQLModel, table=True):
    """One appendix row, its six cells kept exactly as written."""

    __table_args__ = (UniqueConstraint("plan_id", "ref"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    section_id: int = Field(foreign_key="section.id", index=True)
    ref: str = Field(index=True)
    stt: str = ""
    position: int = 0
    content: str = long_text()
    lead_text: str = long_text()
    support_text: str = long_text()
    timeframe_text: str = long_text()
    product: str = long_text()
    # The appendix's other columns for this row: column title -> cell text as written.
    extra: dict[str, str] = Field(default_factory=dict, sa_type=JSON)
    due_on: Optional[date] = None
    starts_on: Optional[date] = None  # the start of a range («Quý IV/2025 - Quý II/2026»)
    recurrence: Recurrence = enum_column(Recurrence, Recurrence.NONE)
    awaits_guidance: bool = False
    # The date the reviewer sets for the row: once the guidance it waited for gives one, or
    # to correct the reading of its timeframe (the text as written stays).
    set_due_on: Optional[date] = None
    # The row's texts folded (no diacritics, lower case), so that "so hoa" finds "số hóa".
    search_text: str = long_text()


class Unit(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    code: str = Field(unique=True, index=True)
    name: str
    short_name: str = ""
    kind: UnitKind = enum_column(UnitKind, UnitKind.DEPARTMENT)
    parent_id: Optional[int] = Field(default=None, foreign_key="unit.id")
    active: bool = True
    aliases: str = long_text()  # one alias a line
    merged_into_id: Optional[int] = Field(default=None, foreign_key="unit.id")  # when merged into another unit


class UnitGroup(SQLModel, table=True):
    """A phrase that stands for many units ("Sở, ban, ngành", "UBND cấp huyện"): every active
    unit of its kinds, and the units named as members."""

    id: Optional[int] = Field(default=None, primary_key=True)
    code: str = Field(unique=True, index=True)
    name: str
    aliases: str = long_text()  # one alias a line
    member_kinds: str = ""  # unit kinds, one a line: a unit of such a kind is a member, added later too
    stand_in_id: Optional[int] = Field(default=None, foreign_key="unitgroup.id")


class UnitGroupMember(SQLModel, table=True):
    group_id: int = Field(foreign_key="unitgroup.id", primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", primary_key=True)


class Assignment(SQLModel, table=True):
    """(task, unit, role); phrase is the words of the cell that named the unit."""

    __table_args__ = (UniqueConstraint("task_id", "unit_id"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id", index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    role: Role = enum_column(Role, Role.LEAD)
    phrase: str = ""
    # "plan": read from the cells (refreshed with the plan); "reviewer": a unit the reviewer
    # named where a cell said only "các cơ quan có liên quan" (kept across refreshes).
    source: str = "plan"


class Indicator(SQLModel, table=True):
    """A numeric target found in a task's text."""

    id: Optional[int] = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id", index=True)
    position: int = 0
    name: str = long_text()
    target_value: float
    unit_of_measure: str
    direction: Direction = enum_column(Direction, Direction.AT_LEAST)
    level: Level = enum_column(Level, Level.ALL)
    yearly_step: Optional[float] = None  # "+20% a year up to the target"
    target_date: Optional[date] = None
    source_text: str = long_text()
    baseline_value: Optional[float] = None  # where the province stood when the plan began, if known


class IndicatorValue(SQLModel, table=True):
    """A unit's actual figure for an indicator in a period, with where it comes from, and
    its explanation (giải trình) when the reviewer asks for one."""

    __table_args__ = (UniqueConstraint("indicator_id", "unit_id", "period_id"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    indicator_id: int = Field(foreign_key="indicator.id", index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    period_id: int = Field(foreign_key="period.id", index=True)
    value: float
    source: str = long_text()
    explanation_request: str = long_text()
    explanation: str = long_text()
    updated_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    updated_at: Optional[datetime] = None


class ReportFields(SQLModel):
    """What a unit says of its work on a row: the live report and each period's copy."""

    status: ReportStatus = enum_column(ReportStatus, ReportStatus.NOT_STARTED)
    percent: int = 0
    result: str = long_text()
    evidence_number: str = ""
    evidence_date: Optional[date] = None
    difficulties: str = long_text()
    proposals: str = long_text()
    contribution_note: str = long_text()
    completed_on: Optional[date] = None  # the day the status became "done"


REPORT_FIELDS = tuple(ReportFields.model_fields)


class Report(ReportFields, table=True):
    """One unit's progress on one task, as it stands now (the unit's working copy)."""

    __table_args__ = (UniqueConstraint("task_id", "unit_id"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id", index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    version: int = 1
    updated_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    updated_at: Optional[datetime] = None


class PeriodKind(str, Enum):
    QUARTER = "quarter"
    HALF_YEAR = "half_year"
    YEAR = "year"


class Period(SQLModel, table=True):
    """A reporting period (kỳ báo cáo): units submit by its deadline; closing freezes it."""

    id: Optional[int] = Field(default=None, primary_key=True)
    plan_id: int = Field(foreign_key="plan.id", index=True)
    kind: PeriodKind = enum_column(PeriodKind, PeriodKind.QUARTER)
    label: str
    starts_on: date
    ends_on: date
    deadline: date  # submission deadline
    opened_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    opened_at: datetime = Field(default_factory=utcnow)
    closed_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    closed_at: Optional[datetime] = None
    # The last reopening of a closed period, and why (each one is also in the audit log).
    reopened_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    reopened_at: Optional[datetime] = None
    reopen_reason: str = long_text()

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class ReviewState(str, Enum):
    SUBMITTED = "submitted"
    ACCEPTED = "accepted"
    RETURNED = "returned"
    MISSING = "missing"  # not submitted when the period closed


class PeriodReport(ReportFields, table=True):
    """A lead unit's report as submitted for a period, its review, and, once the period
    is closed, the status it stood at (frozen: later edits never change it)."""

    __table_args__ = (UniqueConstraint("period_id", "task_id", "unit_id"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    period_id: int = Field(foreign_key="period.id", index=True)
    task_id: int = Field(foreign_key="task.id", index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    state: ReviewState = enum_column(ReviewState, ReviewState.SUBMITTED)
    submitted_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    submitted_at: Optional[datetime] = None
    reviewed_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    reviewed_at: Optional[datetime] = None
    review_comment: str = long_text()
    frozen_status: str = ""  # the derived status when the period closed
    frozen_due_on: Optional[date] = None
    # What was accepted before a newer version was sent: it still counts while that version waits
    # for review or was returned. The report's fields, as JSON.
    accepted_values: Optional[dict] = Field(default=None, sa_type=JSON(none_as_null=True))


class PeriodTaskStatus(SQLModel, table=True):
    """A row's status as it stood when its period closed."""

    period_id: int = Field(foreign_key="period.id", primary_key=True)
    task_id: int = Field(foreign_key="task.id", primary_key=True)
    status: str  # its bucket (services.status.Derived)
    due_on: Optional[date] = None
    blocked: bool = False  # a lead said «có vướng mắc»
    leads: int = 0
    reported: int = 0  # leads whose report was accepted


class ExtensionState(str, Enum):
    PENDING = "pending"
    APPROVED = "approved"
    REFUSED = "refused"


class Extension(SQLModel, table=True):
    """A lead unit's request for a later due date (gia hạn), and the reviewer's answer."""

    id: Optional[int] = Field(default=None, primary_key=True)
    task_id: int = Field(foreign_key="task.id", index=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    original_due_on: Optional[date] = None  # the date in force when asked
    new_due_on: date
    reason: str = long_text()
    state: ExtensionState = enum_column(ExtensionState, ExtensionState.PENDING)
    requested_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    requested_at: datetime = Field(default_factory=utcnow)
    decided_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    decided_at: Optional[datetime] = None
    decision_comment: str = long_text()


class ReminderLog(SQLModel, table=True):
    """A unit's reminder digest, at most one a day."""

    unit_id: int = Field(foreign_key="unit.id", primary_key=True)
    sent_on: date = Field(primary_key=True)
    sent_at: datetime = Field(default_factory=utcnow)
    recipients: str = long_text()


class ReportChange(SQLModel, table=True):
    """One field of a report changed: who, when, before, after."""

    id: Optional[int] = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="report.id", index=True)
    changed_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    changed_at: datetime = Field(default_factory=utcnow)
    period_id: Optional[int] = Field(default=None, foreign_key="period.id")  # submission and review steps
    field: str
    old_value: str = long_text()
    new_value: str = long_text()


class DataStamp(SQLModel, table=True):
    """One row whose version every committed write moves on (database.stamp_writes): a page
    part cached under it is never served after a change, in any process."""

    id: Optional[int] = Field(default=None, primary_key=True)
    version: int = 0


class User(SQLModel, table=True):
    """An account. A unit focal point belongs to a unit; other roles may name one too."""

    id: Optional[int] = Field(default=None, primary_key=True)
    username: str = Field(unique=True, index=True)
    full_name: str = ""
    role: UserRole = enum_column(UserRole, UserRole.UNIT)
    unit_id: Optional[int] = Field(default=None, foreign_key="unit.id", index=True)
    email: str = ""
    active: bool = True
    must_change_password: bool = False
    # The plan the user's pages are about, as last chosen (pinned at first login): importing a
    # new plan never moves anyone's pages.
    plan_id: Optional[int] = Field(default=None, foreign_key="plan.id")
    password_hash: str
    # Changing it (logout everywhere, password change, deactivation) ends every session.
    session_token: str = ""
    created_at: datetime = Field(default_factory=utcnow)

    # The interface Flask-Login expects of a user.
    is_authenticated: ClassVar[bool] = True
    is_anonymous: ClassVar[bool] = False

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"


class PlanImport(SQLModel, table=True):
    """An uploaded plan file between its preview and its commit (the app keeps no state)."""

    id: Optional[int] = Field(default=None, primary_key=True)
    filename: str
    data: bytes = Field(sa_type=LargeBinary)
    code: str
    number: str
    title: str = long_text()
    issuer: str = ""
    issued_on: Optional[date] = None
    uploaded_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    uploaded_at: datetime = Field(default_factory=utcnow)
    plan_id: Optional[int] = Field(default=None, foreign_key="plan.id")  # once committed
    # The phrases mapped so far («Xem lại»): {"pairs": {phrase: "unit:CODE"}, "remember": [phrase…]}.
    choices: dict = Field(default_factory=dict, sa_type=JSON)


class RosterImport(SQLModel, table=True):
    """An uploaded roster file between its preview and its commit."""

    id: Optional[int] = Field(default=None, primary_key=True)
    filename: str
    data: bytes = Field(sa_type=LargeBinary)
    uploaded_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    uploaded_at: datetime = Field(default_factory=utcnow)
    committed_at: Optional[datetime] = None


class AuditEvent(SQLModel, table=True):
    """A security event: logins and failed logins, password changes, refusals, admin
    actions, exports. Written in a transaction of its own, so a refusal is kept too."""

    id: Optional[int] = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    event: str = Field(index=True)
    user_id: Optional[int] = Field(default=None, foreign_key="user.id")
    username: str = Field(default="", index=True)  # as typed, for failed logins; the log is filtered by it
    address: str = ""
    detail: str = long_text()


class LoginThrottle(SQLModel, table=True):
    """Failed logins counted per account and per address, shared by every worker and server."""

    key: str = Field(primary_key=True)  # "account:<username>" or "address:<ip>"
    failures: int = 0
    window_started_at: datetime = Field(default_factory=utcnow)
    locked_until: Optional[datetime] = None


class ApiToken(SQLModel, table=True):
    """A token for the read-only API, issued to a user by an administrator; only its hash is kept."""

    id: Optional[int] = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    name: str = ""
    token_hash: str = Field(unique=True, index=True)
    prefix: str = ""  # the first characters, to tell tokens apart
    created_at: datetime = Field(default_factory=utcnow)
    last_used_at: Optional[datetime] = None
    revoked_at: Optional[datetime] = None


class StoredFile(SQLModel, table=True):
    """A file's content, kept once however often it is attached, named by its SHA-256. It lives
    in the database (so several app servers, backups and restores need nothing more), in chunks,
    so that neither an upload nor a download holds a large file whole in memory."""

    sha256: str = Field(primary_key=True, max_length=64)
    size: int
    media_type: str
    created_at: datetime = Field(default_factory=utcnow)


class FileChunk(SQLModel, table=True):
    sha256: str = Field(foreign_key="storedfile.sha256", primary_key=True, max_length=64)
    seq: int = Field(primary_key=True)
    data: bytes = Field(sa_type=LargeBinary)


class Attachment(SQLModel, table=True):
    """A file a unit attached to its report on a row (evidence: a decision, a report, a photo).
    Removing it from the draft keeps the row: what was sent for a period still holds it."""

    id: Optional[int] = Field(default=None, primary_key=True)
    report_id: int = Field(foreign_key="report.id", index=True)
    sha256: str = Field(foreign_key="storedfile.sha256", max_length=64)
    file_name: str
    uploaded_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    uploaded_at: datetime = Field(default_factory=utcnow)
    removed_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
    removed_at: Optional[datetime] = None


class PeriodAttachment(SQLModel, table=True):
    """The files a report carried when it was sent for a period."""

    period_report_id: int = Field(foreign_key="periodreport.id", primary_key=True)
    attachment_id: int = Field(foreign_key="attachment.id", primary_key=True, index=True)


class ReviewAttachment(SQLModel, table=True):
    """A file the reviewer sent with a return comment (a marked-up copy, a template to follow).
    It belongs to that one review: the copy shows it while its reviewed_at is this file's; a
    new submission clears the review, and the file stays in the report's history."""

    id: Optional[int] = Field(default=None, primary_key=True)
    period_report_id: int = Field(foreign_key="periodreport.id", index=True)
    reviewed_at: datetime  # the review it came with: PeriodReport.reviewed_at at that moment
    sha256: str = Field(foreign_key="storedfile.sha256", max_length=64)
    file_name: str
    uploaded_by_id: Optional[int] = Field(default=None, foreign_key="user.id")
