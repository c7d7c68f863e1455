"""Administration from the browser: accounts, units and their groups, plans and imports.
Every page here is the administrator's only."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from sqlmodel import func, select

from .. import permissions
from ..extensions import db
from ..forms import EmptyForm, date_problem, errors_text, options, parse_date_vn
from ..models import (
    ApiToken,
    Plan,
    PlanImport,
    RosterImport,
    Unit,
    UnitGroup,
    UnitGroupMember,
    UnitKind,
    User,
)
from ..plan_scope import parse_id
from ..rendering import download
from ..security import audit
from ..services import api_tokens, clock, importer, roster
from ..services import audit as audit_log
from ..services.accounts import (
    AccountError,
    AccountProblems,
    account_problems,
    create_user,
    find_accounts,
    reset_password,
    set_user_active,
    update_user,
)
from ..services.paging import page_number
from ..services.plans import PlanMeta
from ..services.reading import AppendixError, ImportLimits, read_appendix
from ..services.roster import KIND_LABELS
from ..services.text import by_vietnamese_name, slug, vietnamese_key
from ..services.units import (
    UnitError,
    merge_units,
    save_unit,
    set_active,
    set_group_members,
)
from .forms import ROLE_LABELS, AccountForm, ImportForm, MergeForm, RosterForm, UnitForm, UserForm

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
@login_required
def _administrators_only():
    if not permissions.can_administer(current_user):
        abort(403)


def _units_choices(empty: str) -> list:
    units = by_vietnamese_name(db.session().exec(select(Unit).where(Unit.active)).all())
    return options([("", empty)] + [(u.code, u.name) for u in units])


@bp.get("")
def index():
    session = db.session()
    return render_template("admin/index.html",
                           users=len(session.exec(select(User.id)).all()),
                           units=len(session.exec(select(Unit.id).where(Unit.active)).all()),
                           plans=session.exec(select(Plan).order_by(Plan.issued_on.desc())).all())


# --- accounts ----------------------------------------------------------------------------


@bp.route("/users", methods=["GET", "POST"])
def users():
    """The accounts: «Tạo tài khoản» first, then the list, searched with `?q=`."""
    session = db.session()
    form = UserForm()
    form.unit.choices = _units_choices("(không gắn đơn vị)")
    if form.is_submitted():
        form.validate()
        fields = dict(username=form.username.data or "", password=form.password.data or "",
                      role=form.role.data or "", unit_code=form.unit.data or None, email=form.email.data or "")
        if form.errors:
            # Every fault at once: the service's too, on the fields the form let through.
            form.add_problems(account_problems(session, **fields))
        else:
            try:
                user = create_user(session, full_name=form.full_name.data or "", **fields)
            except AccountProblems as exc:
                form.add_problems(exc.problems)
            else:
                audit("admin", f"tạo tài khoản {user.username} ({ROLE_LABELS[user.role]})")
                flash(f"Đã tạo tài khoản «{user.username}».", "info")
                return redirect(url_for("admin.users"), code=303)
    q = request.args.get("q", "").strip()
    return render_template("admin/users.html", form=form, accounts=find_accounts(session, q), q=q,
                           total=session.exec(select(func.count(User.id))).one(), role_labels=ROLE_LABELS,
                           action_form=EmptyForm())


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user(user_id: int):
    session = db.session()
    account = session.get(User, user_id) or abort(404)
    form = AccountForm()
    form.unit.choices = _units_choices("(không gắn đơn vị)")
    if request.method == "GET":
        unit = session.get(Unit, account.unit_id) if account.unit_id else None
        form.full_name.data, form.email.data = account.full_name, account.email
        form.role.data, form.unit.data = account.role.value, unit.code if unit else ""
    else:
        form.validate()
        fields = dict(role=form.role.data or "", unit_code=form.unit.data or None, email=form.email.data or "")
        if form.errors:
            form.add_problems(account_problems(session, user=account, **fields))  # every fault at once
        else:
            try:
                update_user(session, user=account, full_name=form.full_name.data or "", **fields)
            except AccountProblems as exc:
                form.add_problems(exc.problems)
            else:
                audit("admin", f"sửa tài khoản {account.username} ({ROLE_LABELS[account.role]})")
                flash(f"Đã lưu tài khoản «{account.username}».", "info")
                return redirect(url_for("admin.users"), code=303)
    return render_template("admin/user.html", form=form, account=account, action_form=EmptyForm(),
                           tokens=api_tokens.tokens_of(session, account))


@bp.post("/users/<int:user_id>/active")
def user_active(user_id: int):
    session = db.session()
    account = session.get(User, user_id) or abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    if account.id == current_user.id:
        flash("Không thể tự ngừng tài khoản của chính mình.", "error")
    else:
        try:
            set_user_active(session, account, not account.active)
        except AccountError as exc:
            flash(str(exc), "error")
        else:
            audit("admin", f"{'mở lại' if account.active else 'ngừng'} tài khoản {account.username}")
            flash(f"Tài khoản «{account.username}» {'đã mở lại' if account.active else 'đã ngừng'}.", "info")
    # Back to the list as it was searched, the account in view.
    return redirect(url_for("admin.users", q=request.args.get("q") or None, _anchor="accounts"), code=303)


@bp.post("/users/<int:user_id>/tokens")
def user_token(user_id: int):
    session = db.session()
    account = session.get(User, user_id) or abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    name = request.form.get("name", "").strip()
    if not name:  # a list of tokens all called the same tells nothing of which to revoke
        flash("Hãy đặt tên cho token (ví dụ: Trung tâm IOC), để sau này biết thu hồi token nào.", "error")
        return redirect(url_for("admin.user", user_id=account.id), code=303)
    token = api_tokens.issue(session, user=account, name=name)
    audit("admin", f"cấp token API cho {account.username}")  # the token itself is never written
    flash(f"Token API mới của «{account.username}» (chỉ hiện một lần, hãy lưu lại): {token}", "warning")
    return redirect(url_for("admin.user", user_id=account.id), code=303)


@bp.post("/users/<int:user_id>/tokens/<int:token_id>/revoke")
def user_token_revoke(user_id: int, token_id: int):
    session = db.session()
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user_id:
        abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    api_tokens.revoke(session, token)
    audit("admin", f"thu hồi token API {token.prefix}… của tài khoản #{user_id}")
    flash("Đã thu hồi token.", "info")
    return redirect(url_for("admin.user", user_id=user_id), code=303)


@bp.post("/users/<int:user_id>/reset-password")
def user_reset(user_id: int):
    session = db.session()
    account = session.get(User, user_id) or abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    temporary = reset_password(session, account)
    audit("admin", f"đặt lại mật khẩu của {account.username}")  # the password itself is never written
    flash(f"Mật khẩu tạm của «{account.username}»: {temporary} — người dùng phải đổi ở lần đăng nhập tới.", "warning")
    return redirect(url_for("admin.user", user_id=account.id), code=303)


# --- units and groups --------------------------------------------------------------------


@bp.route("/units", methods=["GET", "POST"])
def units():
    session = db.session()
    form = UnitForm()
    form.parent.choices = _units_choices("(không có)")
    if form.validate_on_submit():
        try:
            unit = save_unit(session, unit=None, code=form.code.data, name=form.name.data,
                             short_name=form.short_name.data or "", kind=UnitKind(form.kind.data),
                             parent_code=form.parent.data or None, aliases=form.aliases.data or "")
            audit("admin", f"thêm đơn vị {unit.code}")
            flash(f"Đã thêm đơn vị «{unit.name}».", "info")
            return redirect(url_for("admin.units"), code=303)
        except UnitError as exc:
            form.code.errors = [*form.code.errors, str(exc)]
    all_units = sorted(session.exec(select(Unit)).all(),
                       key=lambda u: (not u.active, u.kind.value, vietnamese_key(u.name)))
    by_id = {u.id: u for u in all_units}
    groups = session.exec(select(UnitGroup).order_by(UnitGroup.id)).all()
    return render_template("admin/units.html", form=form, units=all_units, by_id=by_id, groups=groups,
                           kind_labels=KIND_LABELS, roster_form=RosterForm())


@bp.get("/roster.<any(csv, xlsx):fmt>")
def roster_export(fmt: str):
    """The province's roster in the template it is imported in."""
    session = db.session()
    data = roster.roster_csv(session) if fmt == "csv" else roster.roster_xlsx(session)
    audit("export", f"danh sách đơn vị ({fmt})")
    return download(data, f"Danh sách đơn vị.{fmt}", "text/csv" if fmt == "csv" else
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@bp.post("/roster")
def roster_upload():
    """A province's roster file: read and checked now, shown as a preview, applied on commit."""
    session = db.session()
    form = RosterForm()
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.read()
        upload.close()
        try:
            roster.read_roster_file(upload.filename or "", data, _import_limits())
        except roster.RosterError as exc:
            flash(str(exc), "error")
        else:
            pending = RosterImport(filename=upload.filename or "", data=data, uploaded_by_id=current_user.id,
                                   uploaded_at=clock.now())
            session.add(pending)
            session.commit()
            return redirect(url_for("admin.roster_preview", import_id=pending.id), code=303)
    else:
        flash(errors_text(form), "error")
    return redirect(url_for("admin.units") + "#roster", code=303)


@bp.route("/roster/<int:import_id>", methods=["GET", "POST"])
def roster_preview(import_id: int):
    session = db.session()
    pending = session.get(RosterImport, import_id)
    if pending is None or pending.committed_at is not None:
        abort(404)
    found = roster.read_roster_file(pending.filename, pending.data, _import_limits())
    form = EmptyForm()
    error = None
    if form.validate_on_submit():
        try:
            report = roster.import_roster(session, found)
        except roster.RosterError as exc:
            error = str(exc)
        else:
            pending.committed_at = clock.now()
            session.add(pending)
            session.commit()
            audit("admin", f"nhập danh sách đơn vị từ {pending.filename}")
            flash("Đã nhập danh sách đơn vị: " + (", ".join(f"{n} {what}" for what, n in report.counts.items())
                                                   or "không có thay đổi") + ".", "info")
            return redirect(url_for("admin.units"), code=303)
    return render_template("admin/roster.html", pending=pending, preview=roster.preview_roster(session, found),
                           form=form, error=error)


@bp.route("/units/<code>", methods=["GET", "POST"])
def unit(code: str):
    session = db.session()
    item = session.exec(select(Unit).where(Unit.code == code)).first() or abort(404)
    form = UnitForm()
    form.parent.choices = _units_choices("(không có)")
    merge = MergeForm(prefix="merge")
    # No unit chosen until the administrator chooses one: a merge cannot be undone.
    merge.target.choices = options([("", "— Chọn đơn vị nhận —")] + [(u.code, u.name) for u in by_vietnamese_name(
        session.exec(select(Unit).where(Unit.active, Unit.id != item.id)))])
    if request.method == "GET":
        parent = session.get(Unit, item.parent_id) if item.parent_id else None
        form.code.data, form.name.data, form.short_name.data = item.code, item.name, item.short_name
        form.kind.data, form.parent.data, form.aliases.data = item.kind.value, parent.code if parent else "", item.aliases
    elif "merge-target" not in request.form and form.validate_on_submit():
        try:
            save_unit(session, unit=item, code=form.code.data, name=form.name.data,
                      short_name=form.short_name.data or "", kind=UnitKind(form.kind.data),
                      parent_code=form.parent.data or None, aliases=form.aliases.data or "")
            audit("admin", f"sửa đơn vị {item.code}")
            flash(f"Đã lưu đơn vị «{item.name}».", "info")
            return redirect(url_for("admin.unit", code=item.code), code=303)
        except UnitError as exc:
            form.name.errors = [*form.name.errors, str(exc)]
    merged_into = session.get(Unit, item.merged_into_id) if item.merged_into_id else None
    return render_template("admin/unit.html", unit=item, form=form, merge=merge, merged_into=merged_into,
                           action_form=EmptyForm(), kind_labels=KIND_LABELS)


@bp.post("/units/<code>/active")
def unit_active(code: str):
    session = db.session()
    item = session.exec(select(Unit).where(Unit.code == code)).first() or abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    set_active(session, item, not item.active)
    audit("admin", f"{'mở lại' if item.active else 'ngừng'} đơn vị {item.code}")
    flash(f"Đơn vị «{item.name}» {'hoạt động trở lại' if item.active else 'đã ngừng hoạt động'}.", "info")
    return redirect(url_for("admin.unit", code=item.code), code=303)


@bp.post("/units/<code>/merge")
def unit_merge(code: str):
    session = db.session()
    item = session.exec(select(Unit).where(Unit.code == code)).first() or abort(404)
    merge = MergeForm(prefix="merge")
    merge.target.choices = options([(u.code, u.name) for u in session.exec(select(Unit).where(Unit.active))])
    if not merge.validate_on_submit():
        flash("Hãy chọn đơn vị nhận.", "error")
    elif not merge.confirm.data:
        flash("Hãy đánh dấu xác nhận trước khi sáp nhập.", "error")
    else:
        target = session.exec(select(Unit).where(Unit.code == merge.target.data)).one()
        try:
            moved = merge_units(session, source=item, target=target, user=current_user)
            audit("admin", f"sáp nhập đơn vị {item.code} vào {target.code}")
            flash(f"Đã sáp nhập «{item.name}» vào «{target.name}»: "
                  + ", ".join(f"{n} {what}" for what, n in moved.items()) + ".", "info")
        except UnitError as exc:
            flash(str(exc), "error")
    return redirect(url_for("admin.unit", code=item.code), code=303)


@bp.route("/groups/<code>", methods=["GET", "POST"])
def group(code: str):
    session = db.session()
    item = session.exec(select(UnitGroup).where(UnitGroup.code == code)).first() or abort(404)
    form = EmptyForm()
    if form.validate_on_submit():
        chosen = {parse_id(i) for i in request.form.getlist("member")}
        try:
            set_group_members(session, item, chosen, set(request.form.getlist("kind")))
        except UnitError as exc:
            flash(str(exc), "error")
        else:
            audit("admin", f"sửa thành viên nhóm {item.code}")
            flash(f"Đã lưu thành viên nhóm «{item.name}».", "info")
            return redirect(url_for("admin.group", code=item.code), code=303)
    members = set(session.exec(select(UnitGroupMember.unit_id).where(UnitGroupMember.group_id == item.id)).all())
    all_units = sorted(session.exec(select(Unit).where(Unit.active)).all(),
                       key=lambda u: (u.kind.value, vietnamese_key(u.name)))
    return render_template("admin/group.html", group=item, units=all_units, members=members, form=form,
                           kind_labels=KIND_LABELS, kinds=set(item.member_kinds.split()))


# --- plans and imports -------------------------------------------------------------------


@bp.route("/plans", methods=["GET", "POST"])
def plans():
    session = db.session()
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.read()
        upload.close()
        issued_on = None
        try:
            if (form.issued_on.data or "").strip():
                issued_on = parse_date_vn(form.issued_on.data)
            read_appendix(upload.filename or "", data, _import_limits())
        except ValueError as exc:
            message = str(exc) if isinstance(exc, AppendixError) else f"Ngày ban hành: {date_problem(form.issued_on.data)}"
            form.file.errors = [*form.file.errors, message]
        else:
            pending = PlanImport(filename=upload.filename or "", data=data, code=slug(form.number.data),
                                 number=form.number.data.strip(), title=(form.title.data or "").strip(),
                                 issuer=(form.issuer.data or "").strip(), issued_on=issued_on,
                                 uploaded_by_id=current_user.id, uploaded_at=clock.now())
            session.add(pending)
            session.commit()
            return redirect(url_for("admin.import_preview", import_id=pending.id), code=303)
    return render_template("admin/plans.html", form=form, action_form=EmptyForm(),
                           plans=session.exec(select(Plan).order_by(Plan.issued_on.desc(), Plan.id.desc())).all())


@bp.post("/plans/<int:plan_id>/active")
def plan_active(plan_id: int):
    session = db.session()
    plan = session.get(Plan, plan_id) or abort(404)
    if not EmptyForm().validate_on_submit():
        abort(400)
    plan.active = not plan.active
    session.add(plan)
    session.commit()
    audit("admin", f"{'theo dõi' if plan.active else 'ngừng theo dõi'} kế hoạch {plan.code}")
    flash(f"Kế hoạch {plan.number} {'đang theo dõi' if plan.active else 'đã ngừng theo dõi'}.", "info")
    return redirect(url_for("admin.plans"), code=303)


def _import_limits() -> ImportLimits:
    return ImportLimits.from_config(current_app.config)


def _pending(import_id: int) -> PlanImport:
    pending = db.session().get(PlanImport, import_id)
    if pending is None:
        abort(404)
    if pending.plan_id is not None:  # a second tab, or Back, after the import: say what happened
        plan = db.session().get(Plan, pending.plan_id)
        flash(f"Tệp «{pending.filename}» đã được nhập thành kế hoạch {plan.number}: không nhập lại.", "info")
        abort(redirect(url_for("admin.plans"), code=303))
    return pending


@bp.route("/imports/<int:import_id>", methods=["GET", "POST"])
def import_preview(import_id: int):
    """Every row as it will be loaded: its cells, the reading of its timeframe, every phrase
    and its units, the rows read against the rows seen. Unresolved phrases can be mapped to a
    unit or a group («Xem lại» shows them mapped), and remembered when the administrator
    ticks so; then «Nhập» loads all or nothing."""
    session = db.session()
    pending = _pending(import_id)
    parsed = read_appendix(pending.filename, pending.data, _import_limits())
    unresolved = importer.preview(session, parsed).unresolved  # the phrases to map, whatever is mapped now
    form = EmptyForm()
    error, chosen = None, []
    if form.validate_on_submit():
        pairs = {phrase: request.form.get(f"map-{n}", "") for n, phrase in enumerate(unresolved)}
        remember = [phrase for n, phrase in enumerate(unresolved) if request.form.get(f"remember-{n}")]
        pairs = {phrase: target for phrase, target in pairs.items() if target}
        try:
            chosen = importer.mappings_from(session, pairs, set(remember))
            if request.form.get("action") == "commit":
                return _commit_import(pending, parsed, chosen, bool(request.form.get("allow_without_lead")))
            # Kept with the import, and shown by a page of its own: Back and a reload ask nothing.
            pending.choices = {"pairs": pairs, "remember": remember}
            session.add(pending)
            session.commit()
            return redirect(url_for("admin.import_preview", import_id=pending.id), code=303)
        except AppendixError as exc:
            session.rollback()  # all or nothing
            error = str(exc)
    elif request.method == "GET" and pending.choices:
        try:
            chosen = importer.mappings_from(session, pending.choices.get("pairs", {}),
                                            set(pending.choices.get("remember", [])))
        except AppendixError as exc:  # a unit or group mapped to was removed since
            error = str(exc)
    found = importer.preview(session, parsed, chosen)
    chosen_by_phrase = {m.phrase: m for m in chosen}
    units = by_vietnamese_name(session.exec(select(Unit).where(Unit.active)).all())
    groups = by_vietnamese_name(session.exec(select(UnitGroup)).all())
    return render_template("admin/import.html", pending=pending, preview=found, form=form, error=error,
                           unresolved=unresolved, chosen=chosen_by_phrase, units=units, groups=groups,
                           unit_names={unit.code: unit.name for unit in units})


def _commit_import(pending: PlanImport, parsed, chosen, allow_without_lead: bool):
    session = db.session()
    meta = PlanMeta(code=pending.code, number=pending.number, title=pending.title or pending.number,
                    issuer=pending.issuer, issued_on=pending.issued_on, focal_unit=None)
    without_lead = importer.preview(session, parsed, chosen).without_lead
    report = importer.commit_import(session, meta=meta, parsed=parsed, mappings=chosen,
                                    allow_without_lead=allow_without_lead)
    plan = session.exec(select(Plan).where(Plan.code == pending.code)).one()
    pending.plan_id = plan.id
    session.add(pending)
    session.commit()
    audit("admin", f"nhập kế hoạch {plan.code} từ {pending.filename}")
    message = f"Đã nhập kế hoạch {plan.number}: " + ", ".join(f"{n} {what}" for what, n in report.changes.items())
    if without_lead:
        message += (f". {len(without_lead)} nhiệm vụ chưa có đơn vị chủ trì ({', '.join(without_lead[:10])}"
                    f"{'…' if len(without_lead) > 10 else ''}): Sở Nội vụ chỉ định trên trang của từng nhiệm vụ.")
    message = message.rstrip(".") + (". Các đơn vị gửi báo cáo khi Sở Nội vụ mở kỳ báo cáo cho kế hoạch này "
                                     "(trang «Kỳ báo cáo»).")
    flash(message, "warning" if without_lead else "info")
    return redirect(url_for("admin.plans"), code=303)


def _audit_filters() -> tuple[str, str]:
    event = request.args.get("event", "")
    if event and event not in audit_log.EVENT_LABELS:
        abort(400, description=f"Không có sự kiện «{event}» để lọc: hãy chọn trong danh sách «Sự kiện».")
    return event, request.args.get("username", "").strip()


@bp.get("/audit")
def audit_events():
    event, username = _audit_filters()
    events = audit_log.page(db.session(), number=page_number(request.args), event=event, username=username)
    return render_template("admin/audit.html", events=events, labels=audit_log.EVENT_LABELS,
                           event=event, username=username)


@bp.get("/audit.csv")
def audit_csv():
    event, username = _audit_filters()
    events = audit_log.for_csv(db.session(), event=event, username=username)
    audit("export", "nhật ký an ninh (CSV)")
    return download(audit_log.to_csv(events), "Nhật ký an ninh.csv", "text/csv")
