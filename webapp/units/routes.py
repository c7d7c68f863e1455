"""«Việc của đơn vị»: a unit focal point's home, the rows where the unit leads or supports in
every plan it follows, and sending the period's reports."""

from dataclasses import dataclass

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from .. import permissions
from ..extensions import db
from ..forms import EmptyForm
from ..fragment_cache import cached_part, request_data_stamp
from ..models import Plan, Unit
from ..plan_scope import own_unit, plans_shown
from ..rendering import has_messages, wants_partial
from ..services import clock
from ..services.evidence import show_review_files
from ..services.paging import Page, page_number
from ..services.periods import PeriodError, open_periods, submit_many
from ..services.plans import plans_of_unit
from ..services.reminders import reminders_for, reminders_from
from ..services.rows import STATUS_CHOICES, Filters, RowCounts, by_plan, section_choices, sending, unit_rows
from ..tasks.forms import FilterForm

HOME_PAGE_SIZE = 100  # rows of a unit's home; its counts and reminders cover every row

bp = Blueprint("units", __name__)


@bp.get("/my")
@login_required
def home():
    """Kept whole, header included, for the person, the day, the address and the data stamp:
    a unit's page, asked again and again from phones between saves, is rendered once for each
    change of the data and then costs the account, read with the stamp (one read). A page with a
    message to show once (flash) is rendered for this request alone."""
    if not permissions.has_unit_home(current_user):
        abort(403)
    partial = wants_partial()
    template = "units/_results.html" if partial else "units/home.html"
    if has_messages():
        return render_template(template, **_home(partial))
    key = ("unit home", request_data_stamp(), current_user.id, clock.today(), partial,
           tuple(request.args.items(multi=True)))
    return cached_part(key, template, lambda: _home(partial))


@bp.get("/my/standing")
@login_required
def standing():
    """The reminders and the rows' counts alone, asked again by the page after a row was saved
    or sent in place (the event rows_changed), so that they never tell of the rows before."""
    if not permissions.has_unit_home(current_user):
        abort(403)
    found = _rows_asked()
    return render_template("units/_standing.html", counts=RowCounts.of(found.rows), several_plans=found.several_plans,
                           reminders=_reminders(found))


@dataclass
class RowsAsked:
    """The unit's rows as the page's filters ask for them, with what they were read against."""
    unit: Unit
    followed: list[Plan]
    plans: list[Plan]
    form: FilterForm
    periods: dict
    rows: list

    @property
    def filtered(self) -> bool:
        return any(value for name, value in request.args.items() if name != "page")

    @property
    def several_plans(self) -> bool:
        return len(self.followed) > 1


def _rows_asked() -> RowsAsked:
    unit = own_unit()
    session = db.session()
    followed = plans_of_unit(session, unit)
    plans = plans_shown(followed, every_plan_by_default=True)
    form = FilterForm(request.args)
    form.set_choices(sections=section_choices(session, plans[0]) if len(plans) == 1 else (), statuses=STATUS_CHOICES,
                     plans=followed)
    periods = open_periods(session, plans)
    rows = unit_rows(session, plans=plans, unit=unit, today=clock.today(), filters=form.filters(), periods=periods)
    return RowsAsked(unit, followed, plans, form, periods, rows)


def _home(partial: bool) -> dict:
    """What the unit's home shows: its rows in every plan it follows, a page at a time, with
    counts and reminders over every row."""
    found = _rows_asked()
    unit = found.unit
    page = Page.of(found.rows, page_number(request.args), HOME_PAGE_SIZE)
    user = current_user._get_current_object()  # once, not through the proxy for every row
    for row in page.items:
        row.rights = permissions.report_rights(user, {unit.id: row.role}, unit.id)
    show_review_files(db.session(), page.items)
    fields = (["plan"] if found.several_plans else []) + ["status", "role"] + (["section"] if len(found.plans) == 1 else [])
    return dict(unit=unit, form=found.form, groups=by_plan(page.items), page=page, counts=RowCounts.of(found.rows),
                filtered=found.filtered, several_plans=found.several_plans, fields=fields + ["overdue"],
                reminders=None if partial else _reminders(found))


def _reminders(found: RowsAsked):
    """Unfiltered, the page's own rows hold every reminder of every plan: no second reading."""
    if not found.filtered:
        return reminders_from(found.rows, plans=found.followed, periods=found.periods, today=clock.today())
    return reminders_for(db.session(), plans=found.followed, unit=found.unit, today=clock.today())


@bp.route("/my/submit", methods=["GET", "POST"])
@login_required
def submit_all():
    """Send every lead row ready to go for its plan's open period, after showing what will be
    sent and which rows, never filled in, will not."""
    unit = own_unit()
    session = db.session()
    followed = plans_of_unit(session, unit)
    periods = open_periods(session, followed)
    rows = unit_rows(session, plans=followed, unit=unit, today=clock.today(), filters=Filters(role="lead"),
                     periods=periods)
    to_send = sending(rows)
    form = EmptyForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        if request.form.get("count") != str(len(to_send.ready)):
            flash("Danh sách báo cáo cần gửi vừa thay đổi: hãy xem lại trước khi gửi.", "warning")
        elif not to_send.ready:
            flash("Không có báo cáo nào cần gửi.", "info")
            return redirect(url_for("units.home"), code=303)
        else:
            try:
                sent = submit_many(session, rows=to_send.ready, unit=unit, user=current_user)
            except PeriodError as exc:
                flash(f"Chưa gửi báo cáo nào: {exc}", "error")
            else:
                left = f" {len(to_send.blank)} nhiệm vụ chưa có nội dung không được gửi." if to_send.blank else ""
                flash(f"Đã gửi {sent} báo cáo.{left}", "info")
                return redirect(url_for("units.home"), code=303)
        return redirect(url_for("units.submit_all"), code=303)
    return render_template("units/submit.html", unit=unit, sending=to_send, form=form,
                           periods=[(plan, periods[plan.id]) for plan in followed if plan.id in periods],
                           several_plans=len(followed) > 1)
