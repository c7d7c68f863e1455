"""Evidence files of one unit's report: attach (several at once), download, remove; and
downloading the files the reviewer sent with a return comment on it.

`/tasks/<ref>/units/<unit_code>/files` belongs to the report it extends: whoever may see the
report sees its files, whoever may write it attaches and removes them (permissions module).
An HTMX request gets the report's files block back; a plain form is redirected to the row.
`…/review-files/<id>` are the reviewer's files: seen with the report, sent by the review desk.
"""

from flask import Response, abort, current_app, flash, redirect, render_template
from flask_login import current_user, login_required

from .. import permissions
from ..extensions import db
from ..forms import EmptyForm, sent_files, takes_files
from ..rendering import content_disposition, wants_partial
from ..security import audit
from ..services import evidence
from ..services.reports import get_report
from .routes import ROWS_CHANGED, _return_to, _row, _row_view, bp, load_report


def _answer(ctx, view: str, *, error: str = "", notice: str = ""):
    if wants_partial():
        # A file added or removed may make a sent report one to send again: the unit's reminders follow.
        return (render_template("reports/_evidence.html", row=_row(ctx), view=view, error=error, notice=notice),
                {} if error else ROWS_CHANGED)
    flash(error or notice, "error" if error else "info")
    return redirect(_return_to(ctx, view), code=303)


@bp.post("/tasks/<ref>/units/<unit_code>/files")
@takes_files
@login_required
def attach_files(ref: str, unit_code: str):
    ctx = load_report(ref, unit_code)
    if not permissions.can_attach_evidence(ctx.rights):
        abort(403)
    limits = evidence.Limits.from_config(current_app.config)
    with sent_files() as uploads:
        view = _row_view()
        if not EmptyForm().validate_on_submit():
            abort(400)
        try:
            made = evidence.attach(db.session(), task=ctx.task, unit=ctx.unit, user=current_user, uploads=uploads,
                                   limits=limits)
        except evidence.EvidenceError as exc:
            return _answer(ctx, view, error=str(exc))
    ctx.report = get_report(db.session(), ctx.task, ctx.unit)
    names = ", ".join(f"«{a.file_name}»" for a in made)
    return _answer(ctx, view, notice=f"Đã đính kèm {len(made)} tệp: {names}.")


def _download(found: evidence.EvidenceFile) -> Response:
    headers = {
        "Content-Disposition": content_disposition(found.attachment.file_name, inline=found.inline),
        "Content-Length": str(found.stored.size),
        "X-Content-Type-Options": "nosniff",
        # Whatever a file holds, it runs nothing in the app's origin.
        "Content-Security-Policy": "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'",
        "Cache-Control": "private, no-store",
    }
    return Response(evidence.content(db.engine(), found.stored.sha256), mimetype=found.stored.media_type,
                    headers=headers)


@bp.get("/tasks/<ref>/units/<unit_code>/files/<int:attachment_id>")
@login_required
def download_file(ref: str, unit_code: str, attachment_id: int):
    ctx = load_report(ref, unit_code)
    found = evidence.find(db.session(), report=ctx.report, attachment_id=attachment_id) if ctx.report else None
    if found is None:
        abort(404)
    return _download(found)


@bp.get("/tasks/<ref>/units/<unit_code>/review-files/<int:file_id>")
@login_required
def download_review_file(ref: str, unit_code: str, file_id: int):
    ctx = load_report(ref, unit_code)
    if not permissions.can_see_review_files(ctx.rights):
        abort(404)
    found = evidence.find_review_file(db.session(), task=ctx.task, unit=ctx.unit, file_id=file_id)
    if found is None:
        abort(404)
    return _download(found)


@bp.post("/tasks/<ref>/units/<unit_code>/files/<int:attachment_id>/remove")
@login_required
def remove_file(ref: str, unit_code: str, attachment_id: int):
    ctx = load_report(ref, unit_code)
    if not permissions.can_attach_evidence(ctx.rights):
        abort(403)
    found = evidence.find(db.session(), report=ctx.report, attachment_id=attachment_id) if ctx.report else None
    if found is None or not EmptyForm().validate_on_submit():
        abort(404 if found is None else 400)
    try:
        evidence.remove(db.session(), attachment=found.attachment, user=current_user)
    except evidence.EvidenceError as exc:
        return _answer(ctx, _row_view(), error=str(exc))
    audit("evidence_removed", f"{ctx.task.ref} · {ctx.unit.code}: {found.attachment.file_name}")
    return _answer(ctx, _row_view(), notice=f"Đã gỡ tệp «{found.attachment.file_name}» khỏi báo cáo.")
