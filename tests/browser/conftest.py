"""A real headless Chromium (Debian's) driving the app served on a loopback port.

Screenshots of the pages visited go to tests/screenshots/ (git-ignored).
"""

import os
import shutil
import threading
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from sqlmodel import Session, select
from werkzeug.serving import make_server

from webapp.extensions import db
from webapp.models import Plan
from webapp.services import clock
from webapp.services.demo import play_history

from ..conftest import load_1958, make_app

SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium (`apt-get install chromium`; "
                    "`make test` does this)", pytrace=False)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Playwright for Python is missing: `pip install -e '.[test]'` (`make test` does this)",
                    pytrace=False)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync",
                  "--disable-background-networking", "--disable-component-update"],
        )
        yield browser
        browser.close()


def serve(app):
    """The app served from a thread on a free loopback port."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture
def live_server(databases):
    """The app on SQLite (plan 1958 and demo accounts loaded), served from a thread."""
    url = databases.with_plan("sqlite", load_1958)
    app = make_app(url)
    server = serve(app)
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    db.engine(app).dispose()
    databases.drop(url)


@pytest.fixture(scope="session")
def demo_server(databases):
    """Plan 1958 with its demonstration history up to today, served (read by the tests only)."""
    app = make_app(databases.with_plan("sqlite", load_1958))
    with Session(db.engine(app)) as session:
        play_history(session, plan=session.exec(select(Plan)).one(), until=clock.today())
    server = serve(app)
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    db.engine(app).dispose()


@pytest.fixture(params=[PHONE, DESKTOP], ids=["phone", "desktop"])
def viewport(request):
    """Both widths, unless the test names the one its person uses (AT_PHONE, AT_DESKTOP): a
    flow whose layout does not change with the width runs once, to keep the suite short."""
    return request.param


AT_PHONE = pytest.mark.parametrize("viewport", [PHONE], ids=["phone"], indirect=True)
AT_DESKTOP = pytest.mark.parametrize("viewport", [DESKTOP], ids=["desktop"], indirect=True)


def size_name(viewport: dict) -> str:
    return "phone" if viewport["width"] < 500 else "desktop"


def new_page(browser, viewport: dict):
    """A page in a context of its own (a person of their own), at that width."""
    page = browser.new_context(viewport=viewport, locale="vi-VN").new_page()
    page.set_default_timeout(10_000)
    return page


def watch_csp(page) -> list[str]:
    """Messages of the page breaking the Content-Security-Policy (none are expected)."""
    broken: list[str] = []
    page.on("console", lambda m: broken.append(m.text) if "Content Security Policy" in m.text else None)
    return broken


@pytest.fixture
def page(browser, viewport):
    page = new_page(browser, viewport)
    broken = watch_csp(page)
    yield page
    page.context.close()
    assert broken == [], f"the page broke its Content-Security-Policy: {broken}"


@pytest.fixture
def shoot(page):
    """shoot(name): a screenshot of the page as it is now."""
    def take(name: str, full_page: bool = True) -> Path:
        return screenshot(page, name, full_page)

    return take


def screenshot(page, name: str, full_page: bool = True) -> Path:
    """A screenshot of the page as it is now, named after its width."""
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}-{size_name(page.viewport_size)}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def log_in(page, base: str, username: str, password: str = "demo-1958") -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    # Signed in once the landing page has loaded; waiting for the network to go idle instead
    # would add half a second to every sign-in.
    page.wait_for_url(lambda url: urlsplit(url).path != "/login")
    settled(page)


def settled(page) -> None:
    """Wait until htmx has finished its requests and swaps (as a person's pace would allow)."""
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping, .htmx-added')"
    )


def ready(page) -> None:
    """Wait until the page shown has run its scripts: Back or Forward pressed before then would
    find no handler (a person's pace always allows it)."""
    page.wait_for_function("() => document.readyState === 'complete' && window.htmx !== undefined")
