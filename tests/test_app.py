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


def test_home_page_lists_the_plan_sections(client):
    page = client.get("/").get_data(as_text=True)
    assert "Kế hoạch số 1958/QĐ-UBND" in page
    for title in ("NHÓM NHIỆM VỤ CHUNG", "Năm 2023 - 2025", "Sở Tài chính, Cục thuế tỉnh", "Sở Thông tin và Truyền thông"):
        assert title in page
    assert "21 nhiệm vụ" in page  # A.I


def test_home_page_on_an_empty_database_says_how_to_load(empty_database_url):
    from tests.conftest import make_app
    from webapp.extensions import db
    from webapp.services.plans import ensure_schema

    app = make_app(empty_database_url)
    ensure_schema(db.engine(app))
    page = app.test_client().get("/").get_data(as_text=True)
    db.engine(app).dispose()
    assert "flask --app webapp load-plan" in page
