"""Evidence files of one unit's report: attach (several at once), download, remove.

`/tasks/<ref>/units/<unit_code>/files` belongs to the report it extends: whoever may see the
report sees its files, whoever may write it attaches and removes them (permissions module).
An HTMX request gets the report's files block back; a plain form is redirected to the row.
"""

from flask import Response, abort, current_app, flash, redirect, render_template, request
from flask_login import current_user, login_required

from .. import permissions
from ..extensions import db
from ..forms import EmptyForm
from ..rendering import content_disposition, wants_partial
from ..security import audit
from ..services import evidence
from ..services.reports import get_report
from .routes import _return_to, _row, _row_view, bp, load_report

# A margin over the files themselves for the form's other fields and the multipart framing.
FORM_MARGIN = 1024 * 1024


def _answer(ctx, view: str, *, error: str = "", notice: str = ""):
    if wants_partial():
        return render_template("reports/_evidence.html", row=_row(ctx), view=view, error=error, notice=notice)
    flash(error or notice, "error" if error else "info")
    return redirect(_return_to(ctx, view), code=303)


@bp.post("/tasks/<ref>/units/<unit_code>/files")
@login_required
def attach_files(ref: str, unit_code: str):
    ctx = load_report(ref, unit_code)
    if not permissions.can_attach_evidence(ctx.rights):
        abort(403)
    limits = evidence.Limits.from_config(current_app.config)
    request.max_content_length = limits.max_report + FORM_MARGIN  # read before the body is parsed
    view = _row_view()
    if not EmptyForm().validate_on_submit():
        abort(400)
    received = request.files.getlist("files")
    uploads = [evidence.Upload(f.filename, f.stream) for f in received if f.filename]
    try:
        made = evidence.attach(db.session(), task=ctx.task, unit=ctx.unit, user=current_user, uploads=uploads,
                               limits=limits)
    except evidence.EvidenceError as exc:
        return _answer(ctx, view, error=str(exc))
    finally:
        for file in received:  # large uploads wait in temporary files: free them now
            file.close()
    ctx.report = get_report(db.session(), ctx.task, ctx.unit)
    names = ", ".join(f"«{a.file_name}»" for a in made)
    return _answer(ctx, view, notice=f"Đã đính kèm {len(made)} tệp: {names}.")


@bp.get("/tasks/<ref>/units/<unit_code>/files/<int:attachment_id>")
@login_required
def download_file(ref: str, unit_code: str, attachment_id: int):
    ctx = load_report(ref, unit_code)
    found = evidence.find(db.session(), report=ctx.report, attachment_id=attachment_id) if ctx.report else None
    if found is None:
        abort(404)
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
