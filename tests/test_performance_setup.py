"""A whole province, fast: compressed responses, static files with versioned names and a year's
cache, and the synthetic province the benchmark measures, built the same from the same seed."""

import gzip
import hashlib
import re
from datetime import date
from pathlib import Path

import brotli
import pytest
from flask import Response
from sqlmodel import Session, func, select

from bench.province import PLAN_CODE, ProvinceError, build_province, fingerprint
from webapp.database import make_engine, writer
from webapp.extensions import db
from webapp.models import Assignment, Period, PeriodReport, PeriodTaskStatus, ReviewState, Role, Task, Unit, User
from webapp.schema import upgrade

from .conftest import make_app

STATIC = Path(__file__).resolve().parent.parent / "static"
ASSET = re.compile(r'(?:href|src)="(/static/([^"?]+)\?v=([0-9a-f]+))"')
GZIP = {"Accept-Encoding": "gzip"}
# The page's CSRF token is signed with the second it was made in (token.time.signature): two
# fetches of one page differ there when a second starts between them.
SIGNED_AT = re.compile(rb'("X-CSRFToken": "[\w-]+)\.[\w-]+\.[\w-]+"')


def unsigned(page: bytes) -> bytes:
    return SIGNED_AT.sub(rb'\1"', page)


def vary(response) -> set[str]:
    return {item.strip().lower() for item in response.headers.get("Vary", "").split(",")}


def test_a_page_comes_back_compressed_and_varies_on_both(login):
    reviewer = login("snv-ra-soat")
    plain = reviewer.get("/tasks")
    squeezed = reviewer.get("/tasks", headers=GZIP)
    assert "Content-Encoding" not in plain.headers
    assert squeezed.headers["Content-Encoding"] == "gzip"
    assert unsigned(gzip.decompress(squeezed.data)) == unsigned(plain.data)
    assert len(squeezed.data) < len(plain.data) / 3
    assert {"accept-encoding", "hx-request"} <= vary(squeezed) and {"accept-encoding", "hx-request"} <= vary(plain)
    partial = reviewer.get("/tasks", htmx=True, headers={"Accept-Encoding": "br, gzip"})
    assert partial.headers["Content-Encoding"] == "br" and b"<html" not in brotli.decompress(partial.data)
    assert {"accept-encoding", "hx-request"} <= vary(partial)


def test_styles_and_scripts_come_back_compressed(login):
    page = login("snv").get("/my").get_data(as_text=True)
    assets = {name: url for url, name, _ in ASSET.findall(page)}
    assert {"app.css", "app.js"} <= assets.keys() and any(name.endswith(".js") for name in assets if "vendor" in name)
    for name, url in assets.items():
        response = login("snv").get(url, headers=GZIP)
        body = (STATIC / name).read_bytes()
        if len(body) >= 500:
            assert response.headers["Content-Encoding"] == "gzip", name
            assert gzip.decompress(response.data) == body
            assert int(response.headers["Content-Length"]) == len(response.data) < len(body)
        assert "accept-encoding" in vary(response)


def test_a_download_is_never_compressed(login):
    response = login("snv-ra-soat").get("/exports/report.xlsx", headers={"Accept-Encoding": "br, gzip"})
    assert response.status_code == 200 and response.data[:2] == b"PK"
    assert "Content-Encoding" not in response.headers
    assert "attachment" in response.headers["Content-Disposition"]


def test_a_streamed_response_stays_streamed(database_url):
    app = make_app(database_url)

    @app.get("/_stream")
    def stream():
        return Response((f"<p>{n}</p>" * 100 for n in range(5)), mimetype="text/html")

    try:
        response = app.test_client().get("/_stream", headers=GZIP)
        assert response.is_streamed and "Content-Length" not in response.headers
        assert "Content-Encoding" not in response.headers
        assert response.get_data(as_text=True).count("<p>") == 500
    finally:
        db.engine(app).dispose()


def test_compression_can_be_left_to_the_proxy(database_url, monkeypatch):
    monkeypatch.setenv("COMPRESS_RESPONSES", "0")
    from webapp import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": database_url})
    try:
        client = app.test_client()
        page = client.get("/login", headers=GZIP, buffered=True)
        asset = client.get("/static/app.css", headers=GZIP, buffered=True)
        assert "Content-Encoding" not in page.headers and "Content-Encoding" not in asset.headers
        assert "hx-request" in vary(page) and "accept-encoding" not in vary(page)
    finally:
        db.engine(app).dispose()


def test_static_urls_carry_the_files_version_and_are_kept_a_year(login):
    client = login("snv")
    page = client.get("/my")
    assets = ASSET.findall(page.get_data(as_text=True))
    assert assets
    for url, name, version in assets:
        assert version == hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:10]
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        # A file kept for a year by every browser and cache carries nobody's session.
        assert "Set-Cookie" not in response.headers and "cookie" not in vary(response)
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    url, name, _ = assets[0]
    for other in (f"/static/{name}", f"/static/{name}?v=0123456789"):
        assert client.get(other).headers["Cache-Control"] == "public, max-age=300"
    assert client.get("/static/no-such-file.css").status_code == 404
    # Same origin: the policy's 'self' covers them.
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy


def test_changing_nothing_gives_the_same_version(login, database_url):
    first = ASSET.findall(login("snv").get("/my").get_data(as_text=True))
    again = ASSET.findall(login("snv").get("/my").get_data(as_text=True))
    other_app = make_app(database_url)
    try:
        with other_app.test_request_context():
            from flask import url_for

            css = url_for("static", filename="app.css")
    finally:
        db.engine(other_app).dispose()
    assert first == again
    assert css == next(url for url, name, _ in first if name == "app.css")


def test_a_revalidated_versioned_file_keeps_its_lifetime(client):
    url = next(url for url, name, _ in ASSET.findall(client.get("/login").get_data(as_text=True)) if name == "app.css")
    first = client.get(url, headers=GZIP, buffered=True)
    again = client.get(url, headers={**GZIP, "If-None-Match": first.headers["ETag"]}, buffered=True)
    assert again.status_code == 304
    assert again.headers["Cache-Control"] == "public, max-age=31536000, immutable"


# --- the synthetic province --------------------------------------------------------------------

SMALL = dict(tasks=40, units=15, periods=2, today=date(2026, 11, 29))


def _build(url: str, seed: int = 7) -> dict:
    engine = make_engine(url)
    upgrade(engine)
    try:
        with Session(writer(engine)) as session:
            build_province(session, seed=seed, **SMALL)
            found = fingerprint(session)
            leads = session.exec(select(Task.id).where(~Task.id.in_(
                select(Assignment.task_id).where(Assignment.role == Role.LEAD)))).all()
            closed = session.exec(select(Period).where(Period.closed_at.is_not(None))).all()
            frozen = session.exec(select(func.count()).select_from(PeriodTaskStatus)).one()
            open_states = set(session.exec(select(PeriodReport.state).join(Period).where(Period.closed_at.is_(None))))
            missing = session.exec(select(func.count()).select_from(PeriodReport)
                                   .where(PeriodReport.state == ReviewState.MISSING)).one()
            kinds = {u.kind.value for u in session.exec(select(Unit))}
            children = session.exec(select(func.count()).select_from(Unit).where(Unit.parent_id.is_not(None))).one()
            accounts = set(session.exec(select(User.username)))
    finally:
        engine.dispose()
    return dict(found=found, leads=leads, closed=closed, frozen=frozen, open_states=open_states, missing=missing,
                kinds=kinds, children=children, accounts=accounts)


@pytest.fixture(scope="module")
def province(databases):
    """province(engine, seed, copy) -> what a build of the province found, and its database's url;
    each build made once for the module (copy tells two builds from one seed apart)."""
    built: dict[tuple, dict] = {}

    def build(engine: str, seed: int = 7, copy: int = 0) -> dict:
        if (engine, seed, copy) not in built:
            url = databases.empty(engine)
            built[engine, seed, copy] = {**_build(url, seed), "url": url}
        return built[engine, seed, copy]

    yield build
    for found in built.values():
        databases.drop(found["url"])


def test_the_province_is_built_the_same_from_the_same_seed(province, engine_kind):
    first = province(engine_kind)
    counts = first["found"]["counts"]
    assert (counts["task"], counts["unit"], counts["period"]) == (40, 15, 3)
    assert 3 * 40 <= counts["assignment"] <= 5 * 40 and not first["leads"]  # every row has a lead
    assert len(first["closed"]) == 2 and first["frozen"] == 2 * 40 and first["missing"] > 0
    assert {ReviewState.ACCEPTED, ReviewState.SUBMITTED} <= first["open_states"]
    assert {"department", "district", "commune"} <= first["kinds"] and first["children"] > 0
    assert {"snv", "snv-ra-soat", "lanh-dao"} <= first["accounts"] and counts["user"] == 15 + 3
    assert counts["extension"] >= 2 and counts["indicatorvalue"] > 0 and counts["reportchange"] > counts["report"]
    again = province(engine_kind, copy=1)
    assert again["found"] == first["found"]
    other_seed = province(engine_kind, seed=8)
    assert other_seed["found"]["digest"] != first["found"]["digest"]


def test_the_province_is_the_same_on_both_engines(province):
    assert province("sqlite")["found"] == province("postgresql")["found"]


def test_the_province_needs_an_empty_database(database_url):
    engine = make_engine(database_url)
    try:
        with Session(writer(engine)) as session, pytest.raises(ProvinceError):
            build_province(session, seed=1, **SMALL)
    finally:
        engine.dispose()


def test_the_provinces_pages_answer(province, databases):
    url = databases.copy(province("sqlite")["url"])  # signing in writes
    app = make_app(url)
    try:
        client = app.test_client()
        from tests.factories import UserClient

        reviewer = UserClient(client)
        assert reviewer.post("/login", data={"username": "snv-ra-soat", "password": "demo-1958"}).status_code == 303
        reviewer.forget_token()
        with Session(db.engine(app)) as session:
            closed = session.exec(select(Period.id).where(Period.closed_at.is_not(None))).first()
        for page in ("/tasks", "/review", f"/review/periods/{closed}", "/dashboard", "/exports/report.xlsx"):
            response = reviewer.get(f"{page}{'&' if '?' in page else '?'}plan={PLAN_CODE}")
            assert response.status_code == 200, page
    finally:
        db.engine(app).dispose()
        databases.drop(url)
