"""Fixtures: the app on each real database engine, its client and its command runner."""

from contextlib import contextmanager
from functools import partial
from pathlib import Path

import pytest
from flask import Flask
from jinja2 import BytecodeCache
from sqlmodel import Session
from werkzeug.routing import Rule

from webapp import create_app
from webapp.database import make_engine
from webapp.extensions import db
from webapp.services.accounts import DEMO_PASSWORD, seed_demo_accounts
from webapp.services.plans import PlanSource, load_plan
from webapp.services.roster import roster_from_db

from .databases import Databases
from .factories import UserClient

ENGINES = ["sqlite", "postgresql"]


def app_environment(monkeypatch: pytest.MonkeyPatch, instance: Path) -> None:
    """The environment an app of the tests starts in (also for fixtures wider than a test)."""
    monkeypatch.setenv("SECRET_KEY", "test-secret")
    monkeypatch.setenv("INSTANCE_PATH", str(instance))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("APP_ENV", raising=False)


@pytest.fixture(autouse=True)
def _test_environment(monkeypatch, tmp_path):
    app_environment(monkeypatch, tmp_path / "instance")


class _CompiledTemplates(BytecodeCache):
    """Jinja's compiled templates kept for the run, checked by Jinja against the template's
    source before each use."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        if bucket.key in self._code:
            bucket.bytecode_from_string(self._code[bucket.key])

    def dump_bytecode(self, bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


@pytest.fixture(scope="session", autouse=True)
def _templates_compiled_once():
    """Every test makes an app of its own, and each app would compile every template it renders
    again: a sixth of the time of a test that renders a few pages."""
    options = Flask.jinja_options
    Flask.jinja_options = {**options, "bytecode_cache": _CompiledTemplates()}
    yield
    Flask.jinja_options = options


@pytest.fixture(scope="session", autouse=True)
def _url_builders_compiled_once():
    """Every test makes an app of its own, and Werkzeug compiles a URL builder (Python code
    made and compiled at run time) for each of its seventy rules: two thirds of making an app.
    A builder's code depends only on its rule's parts, converters, defaults and kind, so one compiled
    builder serves every app's rule of the same shape."""
    original = Rule._compile_builder
    compiled: dict = {}

    def compile_once(rule: Rule, append_unknown: bool = True):
        converters = tuple((name, type(converter)) for name, converter in rule._converters.items())
        key = (tuple(rule._trace), converters, repr(sorted((rule.defaults or {}).items())), append_unknown)
        if key not in compiled:
            compiled[key] = original(rule, append_unknown)
        return compiled[key]

    Rule._compile_builder = compile_once
    yield
    Rule._compile_builder = original


@pytest.fixture(scope="session")
def databases():
    found = Databases()
    yield found
    found.close()


def load_1958(url: str) -> None:
    """Plan 1958, its units and the demo accounts (one per unit, a reviewer, a leader, an admin).

    The demo accounts of the shared template database get a cheap password hash: the suite
    logs in well over a thousand times, and scrypt's deliberate slowness (a sixth of a second
    each) would be most of its run. Logging in goes through the same code either way; the
    accounts a test creates itself are hashed as in production."""
    engine = make_engine(url)
    load_plan(engine, PlanSource.read())
    with Session(engine) as session, _cheap_password_hashes():
        seed_demo_accounts(session)
    engine.dispose()


@contextmanager
def _cheap_password_hashes():
    from webapp.services import accounts

    real = accounts.generate_password_hash
    accounts.generate_password_hash = partial(real, method="pbkdf2:sha256:1000")
    try:
        yield
    finally:
        accounts.generate_password_hash = real


@pytest.fixture(params=ENGINES)
def engine_kind(request) -> str:
    return request.param


@pytest.fixture
def database_url(databases, engine_kind):
    """A database of its own for the test, with plan 1958 loaded."""
    url = databases.with_plan(engine_kind, load_1958)
    yield url
    databases.drop(url)


@pytest.fixture
def empty_database_url(databases, engine_kind):
    url = databases.empty(engine_kind)
    yield url
    databases.drop(url)


def make_app(url: str):
    return create_app({"TESTING": True, "DATABASE_URL": url})


@pytest.fixture
def app(database_url):
    app = make_app(database_url)
    yield app
    db.engine(app).dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def login(app):
    """login(username) -> a client signed in as that demo account."""

    def sign_in(username: str, password: str = DEMO_PASSWORD) -> UserClient:
        client = UserClient(app.test_client())
        response = client.post("/login", data={"username": username, "password": password}, follow_redirects=False)
        assert response.status_code == 303, f"login of {username} failed"
        client.forget_token()  # a new session at login: the page gives a new token
        return client

    return sign_in


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def session(app):
    with Session(db.engine(app)) as session:
        yield session


@pytest.fixture(scope="session")
def roster_1958(databases):
    """The resolver's roster of plan 1958's units (read once from a loaded SQLite database)."""
    url = databases.with_plan("sqlite", load_1958)
    engine = make_engine(url)
    with Session(engine) as session:
        roster = roster_from_db(session)
    engine.dispose()
    databases.drop(url)
    return roster
