"""How pages answer: a full page, or for an HTMX request only the partial it swaps.

One rule decides (Hypermedia Systems; django-htmx): an HTMX request gets the partial,
except a boosted one or a history restore, which need the whole page. Responses that
differ by request kind say so with `Vary: HX-Request`.
"""

import re
from datetime import date, datetime
from urllib.parse import quote

from flask import Flask, Response, jsonify, redirect, render_template, request, session
from werkzeug.exceptions import HTTPException

from .extensions import db, htmx
from .services import clock
from .services.reading.formats import size_text
from .services.targets import target_text
from .services.text import figure_vn, fold, nfc

VARY_HEADERS = ("HX-Request", "HX-History-Restore-Request")


def wants_partial() -> bool:
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def has_messages() -> bool:
    """A message waits to be shown once (flash): the page that shows it is not one to keep."""
    return "_flashes" in session


def render(full_template: str, partial_template: str, **context) -> str:
    """The full page, whose template includes partial_template, or the partial alone."""
    return render_template(partial_template if wants_partial() else full_template, **context)


def redirect_for_client(location: str) -> Response:
    """A redirect an HTMX request follows as a page load, not into the swapped element."""
    if htmx:
        response = Response(status=200)
        response.headers["HX-Redirect"] = location
        return response
    return redirect(location, code=303)


_NOT_IN_FILE_NAMES = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """A file's name for the browser, Vietnamese included (RFC 6266: an ASCII name for old
    clients and the UTF-8 name in filename*)."""
    name = _NOT_IN_FILE_NAMES.sub("-", nfc(filename)).strip(" .-") or "tep"
    stem, dot, extension = name.rpartition(".")
    ascii_stem = re.sub(r"[^a-z0-9]+", "-", fold(stem if dot else name)).strip("-") or "tep"
    ascii_name = f"{ascii_stem}.{extension}" if dot and extension.isascii() else ascii_stem
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def download(data, filename: str, mimetype: str) -> Response:
    """A file to save under its own name; never cached along the way. data: bytes, or an
    iterable of bytes sent as it is produced."""
    return Response(data, mimetype=mimetype,
                    headers={"Content-Disposition": content_disposition(filename), "Cache-Control": "no-store"})


def _add_vary(response: Response) -> Response:
    for header in VARY_HEADERS:
        response.vary.add(header)
    return response


def date_vn(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def datetime_vn(value: datetime | None) -> str:
    return clock.local(value).strftime("%H:%M %d/%m/%Y") if value else ""


def excerpt(text: str, length: int) -> str:
    """The start of a long text, cut between words, with «…» (not «.…» where a sentence ended)."""
    if len(text) <= length + 5:
        return text
    return text[:length - 1].rsplit(" ", 1)[0].rstrip(" ,.;:") + "…"


def days_left_vn(days: int | None) -> str:
    if days is None:
        return ""
    if days > 0:
        return f"còn {days} ngày"
    if days == 0:
        return "hết hạn hôm nay"
    return f"quá hạn {-days} ngày"


ERROR_TITLES = {
    400: "Yêu cầu không hợp lệ",
    403: "Không có quyền",
    404: "Không tìm thấy",
    405: "Không hỗ trợ thao tác này",
    413: "Dữ liệu gửi lên quá lớn",
    500: "Lỗi hệ thống",
}
ERROR_MESSAGES = {
    403: "Tài khoản của bạn không có quyền xem hoặc thay đổi nội dung này.",
    404: "Trang hoặc nhiệm vụ này không có, hoặc không thuộc phạm vi của đơn vị bạn.",
    500: "Đã có lỗi khi xử lý yêu cầu. Vui lòng thử lại; nếu lỗi còn, hãy báo quản trị hệ thống.",
}


def error_page(error: HTTPException):
    """Errors in Vietnamese, revealing nothing of the code; an HTMX request gets an alert,
    the data API a JSON body. The error's own headers (Allow after a 405) are kept.

    The request's unfinished work is rolled back first: the page itself may need the
    database (the header's plans), and nothing half-done may be committed later.
    """
    db.rollback()
    code = error.code or 500
    given = error.description if error.description != type(error).description else None
    message = (given if code != 500 else None) or ERROR_MESSAGES.get(code, "Yêu cầu không thực hiện được.")
    if code == 413 and not given:  # the body was never read: say the limit, and the way back
        message = (f"Dữ liệu gửi lên vượt giới hạn {size_text(request.max_content_length)} của một lần gửi. "
                   "Hãy quay lại trang trước và chọn tệp nhỏ hơn.")
    headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
    if request.path.startswith("/api/"):
        return jsonify(error=message or ERROR_TITLES.get(code, "Lỗi")), code, headers
    if wants_partial():
        # Shown in the page's message area (htmx is configured to swap error responses).
        headers.update({"HX-Retarget": "#flash", "HX-Reswap": "innerHTML"})
        return render_template("_alert.html", message=message, category="error"), code, headers
    return render_template("error.html", title=ERROR_TITLES.get(code, "Lỗi"), message=message), code, headers


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, error_page)
    app.after_request(_add_vary)
    app.add_template_filter(date_vn)
    app.add_template_filter(target_text)
    app.add_template_filter(datetime_vn)
    app.add_template_filter(figure_vn)
    app.add_template_filter(excerpt)
    app.add_template_filter(days_left_vn)
