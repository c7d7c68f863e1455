"""The application factory, its configuration and the home page."""

import pytest

from webapp import create_app
from webapp.config import ConfigError


def test_production_without_a_secret_key_refuses_to_start(monkeypatch):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.delenv("SECRET_KEY")
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()


def test_development_generates_a_secret_key_once_into_the_instance_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY")
    first = create_app().config["SECRET_KEY"]
    key_file = tmp_path / "instance" / "secret_key"
    assert key_file.read_text() == first and len(first) >= 32
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    assert create_app().config["SECRET_KEY"] == first


def test_the_database_defaults_to_sqlite_in_the_instance_folder(tmp_path):
    assert create_app().config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'instance' / 'plan-tracker.sqlite3'}"


def test_database_url_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u@db.example/plans")
    assert create_app().config["DATABASE_URL"] == "postgresql+psycopg://u@db.example/plans"


def test_the_overview_lists_the_plan_sections(login):
    page = login("lanh-dao").get("/tasks").get_data(as_text=True)
    assert "Kế hoạch số 1958/QĐ-UBND" in page
    for title in ("Năm 2021", "Năm 2023 - 2025", "Sở Tài chính, Cục thuế tỉnh", "Sở Thông tin và Truyền thông"):
        assert title in page
    assert "58 nhiệm vụ" in page


@pytest.mark.parametrize(("username", "landing"), [
    ("snv", "/my"), ("snv-ra-soat", "/review"), ("lanh-dao", "/dashboard"), ("quan-tri", "/admin"),
])
def test_each_user_lands_on_the_page_of_their_work(client, login, username, landing):
    from tests.factories import UserClient

    arrived = UserClient(client).post("/login", {"username": username, "password": "demo-1958"},
                                      follow_redirects=True)
    assert arrived.status_code == 200 and arrived.request.path == landing
    assert login(username).get("/").headers["Location"] == landing


def test_the_page_asked_for_wins_over_the_landing(client):
    from tests.factories import UserClient

    response = UserClient(client).post("/login", {"username": "snv-ra-soat", "password": "demo-1958",
                                                  "next": "/tasks?q=so+hoa"})
    assert response.headers["Location"] == "/tasks?q=so+hoa"


def test_without_a_plan_the_pages_say_how_to_load_one(empty_database_url):
    from sqlmodel import Session

    from tests.conftest import make_app
    from webapp.extensions import db
    from webapp.schema import upgrade
    from webapp.services.accounts import save_user

    app = make_app(empty_database_url)
    upgrade(db.engine(app))
    with Session(db.engine(app)) as session:
        save_user(session, username="lead", password="mat-khau-dai", role="leader")
    client = app.test_client()
    token = client.get("/login").get_data(as_text=True).split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post("/login", data={"csrf_token": token, "username": "lead", "password": "mat-khau-dai"})
    page = client.get("/tasks")
    db.engine(app).dispose()
    assert page.status_code == 404
    assert "flask --app webapp load-plan" in page.get_data(as_text=True)


def test_healthz_answers_without_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_data(as_text=True) == "ok"
