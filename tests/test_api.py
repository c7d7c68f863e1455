"""The read-only data API: tokens an administrator issues and revokes, scope by the same
policy as the pages, and schemathesis run against the OpenAPI document on the live app."""

import os
import re
import shutil
import subprocess
import sys
import threading

import pytest
from sqlmodel import select
from werkzeug.serving import make_server

from webapp.extensions import db
from webapp.models import User

from .conftest import load_1958, make_app


def issue_token(admin, session, username: str) -> str:
    user = session.exec(select(User).where(User.username == username)).one()
    page = admin.post(f"/admin/users/{user.id}/tokens", {"name": "Trung tâm IOC"},
                      follow_redirects=True).get_data(as_text=True)
    return re.search(r"hãy lưu lại\): (pt_[A-Za-z0-9_-]+)", page).group(1)


def api(client, path: str, token: str | None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get(f"/api/v1{path}", headers=headers)


def test_a_token_is_issued_with_a_name_only(login, session):
    """Tokens are told apart by their names when one has to be revoked."""
    from webapp.models import ApiToken

    admin = login("quan-tri")
    user = session.exec(select(User).where(User.username == "snv-ra-soat")).one()
    page = admin.post(f"/admin/users/{user.id}/tokens", {"name": "  "}, follow_redirects=True).get_data(as_text=True)
    assert "Hãy đặt tên cho token" in page and "hãy lưu lại" not in page
    session.rollback()
    assert session.exec(select(ApiToken)).all() == []


def test_a_token_is_needed(client):
    assert api(client, "/plans", None).status_code == 401
    assert api(client, "/plans", "pt_made_up").status_code == 401
    assert client.get("/api/v1/plans", headers={"Authorization": "Basic eDp5"}).status_code == 401
    assert client.get("/api/v1/openapi.json").status_code == 200


def test_a_reviewer_token_sees_the_whole_plan(login, session, client):
    token = issue_token(login("quan-tri"), session, "snv-ra-soat")
    plans = api(client, "/plans", token).get_json()
    assert [p["number"] for p in plans] == ["1958/QĐ-UBND"]
    tasks = api(client, "/plans/1958-qd-ubnd/tasks", token).get_json()
    assert len(tasks) == 58
    a15 = next(t for t in tasks if t["ref"] == "A.I.5")
    assert [a["unit"] for a in a15["assignments"] if a["role"] == "lead"] == ["stttt", "cat", "skhdt"]
    assert a15["status"]["code"] == "waiting"
    assert len(api(client, "/plans/1958-qd-ubnd/sections", token).get_json()) == 13
    assert {u["code"] for u in api(client, "/units", token).get_json()} >= {"snv", "donghung"}
    assert len(api(client, "/plans/1958-qd-ubnd/indicators", token).get_json()) == 22


def test_a_unit_token_sees_only_its_rows(login, session, client):
    token = issue_token(login("quan-tri"), session, "cat")
    refs = [t["ref"] for t in api(client, "/plans/1958-qd-ubnd/tasks", token).get_json()]
    assert refs == ["A.I.1", "A.I.5", "A.I.13"]
    assert api(client, "/plans/1958-qd-ubnd/tasks/A.I.5", token).status_code == 200
    assert api(client, "/plans/1958-qd-ubnd/tasks/B.8.1", token).status_code == 404
    assert api(client, "/plans/1958-qd-ubnd/indicators", token).get_json() == []


def test_a_revoked_token_and_a_deactivated_user_lose_access(login, session, client):
    admin = login("quan-tri")
    token = issue_token(admin, session, "lanh-dao")
    assert api(client, "/plans", token).status_code == 200
    from webapp.models import ApiToken

    session.rollback()
    user = session.exec(select(User).where(User.username == "lanh-dao")).one()
    row = session.exec(select(ApiToken).where(ApiToken.user_id == user.id)).one()
    assert row.token_hash != token and len(row.prefix) == 10  # only a hash and a prefix are kept
    admin.post(f"/admin/users/{user.id}/tokens/{row.id}/revoke", {})
    assert api(client, "/plans", token).status_code == 401
    second = issue_token(admin, session, "lanh-dao")
    admin.post(f"/admin/users/{user.id}/active", {})
    assert api(client, "/plans", second).status_code == 401


@pytest.mark.parametrize("username", ["snv-ra-soat", "stttt"])
def test_schemathesis_against_the_live_api(databases, username, tmp_path):
    """Every operation, fuzzed from the OpenAPI document, answers as the document says."""
    executable = shutil.which("st", path=os.path.dirname(sys.executable))
    if executable is None:
        pytest.fail("schemathesis is missing: `pip install -e '.[test]'` (`make test` does this)", pytrace=False)
    app = make_app(databases.with_plan("sqlite", load_1958))
    from webapp.services import api_tokens

    with app.app_context():
        session = db.session()
        token = api_tokens.issue(session, user=session.exec(select(User).where(User.username == username)).one(),
                                 name="schemathesis")
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        result = subprocess.run(
            [executable, "run", f"{base}/api/v1/openapi.json", "--url", f"{base}/api/v1",
             "-H", f"Authorization: Bearer {token}", "--checks", "all", "--max-examples", "15", "--seed", "1958",
             "--report-dir", str(tmp_path), "--request-timeout", "20"],
            capture_output=True, text=True, timeout=300, env={**os.environ, "NO_COLOR": "1"},
        )
    finally:
        server.shutdown()
        db.engine(app).dispose()
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
