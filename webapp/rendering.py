"""How pages answer: a full page, or for an HTMX request only the partial it swaps.

One rule decides (Hypermedia Systems; django-htmx): an HTMX request gets the partial,
except a boosted one or a history restore, which need the whole page. Responses that
differ by request kind say so with `Vary: HX-Request`.
"""

from datetime import date, datetime

from flask import Flask, Response, redirect, render_template

from .extensions import htmx
from .services import clock

VARY_HEADERS = ("HX-Request", "HX-History-Restore-Request")


def wants_partial() -> bool:
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


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


def _add_vary(response: Response) -> Response:
    for header in VARY_HEADERS:
        response.vary.add(header)
    return response


def date_vn(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def datetime_vn(value: datetime | None) -> str:
    return clock.local(value).strftime("%H:%M %d/%m/%Y") if value else ""


def days_left_vn(days: int | None) -> str:
    if days is None:
        return ""
    if days > 0:
        return f"còn {days} ngày"
    if days == 0:
        return "hết hạn hôm nay"
    return f"quá hạn {-days} ngày"


def init_app(app: Flask) -> None:
    app.after_request(_add_vary)
    app.add_template_filter(date_vn)
    app.add_template_filter(datetime_vn)
    app.add_template_filter(days_left_vn)
