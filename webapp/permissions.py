"""The one policy: who may see and do what (DESIGN.md, "Roles and what each may do").

Every view, partial, export and endpoint asks here; templates receive the answers as
flags and never test roles themselves.
"""

from dataclasses import dataclass

from .models import Role, User, UserRole

# What each kind of report form may write.
LEAD_FIELDS = frozenset(
    {"status", "percent", "result", "evidence_number", "evidence_date", "difficulties", "proposals", "contribution_note"}
)
SUPPORT_FIELDS = frozenset({"contribution_note"})


def sees_every_row(user: User) -> bool:
    return user.role in (UserRole.REVIEWER, UserRole.LEADER, UserRole.ADMIN)


def has_unit_home(user: User) -> bool:
    return user.role == UserRole.UNIT and user.unit_id is not None


def home_page(user: User) -> str:
    """Where each user starts (after login, and at `/`), by the work they come for: a unit its
    rows, a reviewer the review desk, a leader the dashboard, an administrator administration."""
    if has_unit_home(user):
        return "units.home"
    return {UserRole.REVIEWER: "review.desk", UserRole.LEADER: "dashboard.dashboard",
            UserRole.ADMIN: "admin.index"}.get(user.role, "tasks.overview")


def can_see_task(user: User, roles_on_task: dict[int, Role]) -> bool:
    """roles_on_task: unit id -> its role on the row."""
    return sees_every_row(user) or (has_unit_home(user) and user.unit_id in roles_on_task)


def can_see_overview(user: User) -> bool:
    return sees_every_row(user)


def can_review(user: User) -> bool:
    return user.role == UserRole.REVIEWER


def can_see_dashboard(user: User) -> bool:
    """The dashboard, the indicators and the official report: the province-wide figures."""
    return sees_every_row(user)


def can_report_indicator(user: User, concerned: bool) -> bool:
    """A unit's focal point enters its own figures for the indicators of its rows."""
    return has_unit_home(user) and concerned and user.active


def can_follow_units(user: User) -> bool:
    """The reviewer's desk and the periods: every unit's figures, read only but for the reviewer."""
    return sees_every_row(user)


def can_set_due_dates(user: User) -> bool:
    return can_review(user)


def can_name_units(user: User) -> bool:
    """Name the units a row's "các cơ quan có liên quan" stands for."""
    return can_review(user)


def can_manage_periods(user: User) -> bool:
    return user.role in (UserRole.REVIEWER, UserRole.ADMIN)


def can_administer(user: User) -> bool:
    return user.role == UserRole.ADMIN


@dataclass(frozen=True)
class ReportRights:
    """What a user may do with one unit's report on one row."""

    see: bool
    fields: frozenset[str]  # the fields the user may write; empty: read only

    @property
    def edit(self) -> bool:
        return bool(self.fields)

    @property
    def edit_status(self) -> bool:
        return "status" in self.fields

    @property
    def submit(self) -> bool:
        """Send the report for the period, ask for an extension: the lead unit's own steps."""
        return self.edit_status


def can_attach_evidence(rights: ReportRights) -> bool:
    """Files go with what the user writes: a lead's report, a supporter's contribution. Seeing
    the report is seeing its files."""
    return rights.edit


def can_see_review_files(rights: ReportRights) -> bool:
    """The files a reviewer sent with a return comment go with the report, as the comment does:
    whoever sees the report sees them. Only the reviewer sends them (can_review)."""
    return rights.see


def report_rights(user: User, roles_on_task: dict[int, Role], unit_id: int) -> ReportRights:
    """A unit focal point writes its own unit's report only: a lead every field, a supporter its note."""
    role = roles_on_task.get(unit_id)
    if role is None or not can_see_task(user, roles_on_task):
        return ReportRights(False, frozenset())
    if not (has_unit_home(user) and user.unit_id == unit_id and user.active):
        return ReportRights(True, frozenset())
    return ReportRights(True, LEAD_FIELDS if role == Role.LEAD else SUPPORT_FIELDS)
