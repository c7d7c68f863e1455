"""Helpers that act as a user would: a client that carries its CSRF token like the page does."""

import re

from flask.testing import FlaskClient

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


class UserClient:
    """A test client that fetches the CSRF token the way a browser has it: from the page."""

    def __init__(self, client: FlaskClient):
        self.client = client
        self._token: str | None = None

    @property
    def token(self) -> str:
        if self._token is None:
            page = self.client.get("/login").get_data(as_text=True)
            self._token = TOKEN.search(page).group(1)
        return self._token

    def forget_token(self) -> None:
        self._token = None

    def get(self, url: str, *, htmx: bool = False, headers: dict | None = None, **kwargs):
        kwargs.setdefault("buffered", True)  # read whole and closed, as a server does with a streamed answer
        return self.client.get(url, headers={**({"HX-Request": "true"} if htmx else {}), **(headers or {})}, **kwargs)

    def post(self, url: str, data: dict | None = None, *, htmx: bool = False, csrf: bool = True,
             headers: dict | None = None, **kwargs):
        """A form post; an HTMX one sends the token in the header, as the page's hx-headers does."""
        data = dict(data or {})
        headers = dict(headers or {})
        if htmx:
            headers["HX-Request"] = "true"
            if csrf:
                headers["X-CSRFToken"] = self.token
        elif csrf:
            data.setdefault("csrf_token", self.token)
        return self.client.post(url, data=data, headers=headers, **kwargs)


LEAD_FIELDS = {"status": "not_started", "percent": "0", "result": "", "evidence_number": "", "evidence_date": "",
               "difficulties": "", "proposals": "", "contribution_note": ""}


def save_report(client: UserClient, ref: str, unit: str, version: int, plan: str | None = None, **fields):
    """A lead unit saves its report on a row (of the user's plan, or the plan named), as the
    in-place form does."""
    response = client.post(f"/tasks/{ref}/units/{unit}" + (f"?plan={plan}" if plan else ""),
                           {**LEAD_FIELDS, **fields, "version": str(version)}, htmx=True)
    assert response.status_code == 200 and 'class="report-form"' not in response.get_data(as_text=True), \
        response.get_data(as_text=True)[:500]
    return response


def open_period(client: UserClient, label: str, starts_on: str, ends_on: str, deadline: str, kind: str = "quarter"):
    return client.post("/review/periods", {"kind": kind, "label": label, "starts_on": starts_on,
                                           "ends_on": ends_on, "deadline": deadline})
