"""Every page of every role, reached as a person would (following the links each page shows):
none scrolls sideways at 360 and 390 px, none repeats an `id`, none asks for anything that
is not there (a favicon included) or breaks its Content-Security-Policy, and axe-core finds
no violation of WCAG 2.1 A and AA at phone and desktop width."""

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from .conftest import DESKTOP, log_in

# axe-core from the npm registry, kept beside the tests (MPL-2.0, licence alongside).
AXE = (Path(__file__).parent / "vendor" / "axe-core-4.14.1.min.js").read_text()
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Rules whose outcome can change with the layout: colours over what lies behind, hidden or
# clipped content, scrolling regions, text reflowed or zoomed.
LAYOUT_RULES = ["color-contrast", "scrollable-region-focusable", "meta-viewport", "link-in-text-block",
                "nested-interactive", "frame-focusable-content"]

ROLES = ["stttt", "snv-ra-soat", "lanh-dao", "quan-tri"]
PHONES = [360, 390]
# Links that are not pages: downloads (evidence files too), the API, signing out.
NOT_PAGES = re.compile(r"^/(logout|static/|api/)|\.(xlsx|docx|csv|json|zip)$|^/exports/(report|reports)|/files/\d+$")
MOST_PAGES = 70


def page_kind(path_and_query: str) -> str:
    """Pages that differ only by an id, a ref, a unit code, the plan or the period are one kind of page."""
    path, _, query = path_and_query.partition("?")
    path = re.sub(r"/\d+", "/N", path)
    path = re.sub(r"/tasks/[^/]+", "/tasks/R", path)
    path = re.sub(r"/units/[^/]+", "/units/U", path)
    path = re.sub(r"/groups/[^/]+", "/groups/G", path)
    keys = sorted({part.partition("=")[0] for part in query.split("&") if part} - {"plan", "period", "compare"})
    return path + ("?" + "&".join(keys) if keys else "")


def crawl(page, base: str):
    """Yield each kind of page the signed-in user can reach from the home page, once."""
    seen, queue = set(), ["/"]
    while queue and len(seen) < MOST_PAGES:
        path = queue.pop(0)
        if page_kind(path) in seen:
            continue
        seen.add(page_kind(path))
        response = page.goto(base + path)
        assert response.ok, f"{path} answered {response.status}"
        landed = urlsplit(page.url)
        landed_kind = page_kind(landed.path + (f"?{landed.query}" if landed.query else ""))
        if landed_kind != page_kind(path) and landed_kind in seen:
            continue  # a redirect to a page already checked (the home page to the role's landing page)
        seen.add(landed_kind)
        yield path
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))"):
            url = urlsplit(href)
            if url.netloc or not url.path.startswith("/") or NOT_PAGES.search(url.path):
                continue
            link = url.path + (f"?{url.query}" if url.query else "")
            if page_kind(link) not in seen:
                queue.append(link)


@pytest.mark.parametrize("user", ROLES)
def test_every_page_holds_at_phone_widths(browser, demo_server, user):
    context = browser.new_context(viewport={"width": PHONES[0], "height": 800}, locale="vi-VN")
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)
    log_in(page, demo_server, user)
    visited = 0
    for path in crawl(page, demo_server):
        visited += 1
        for width in PHONES:
            page.set_viewport_size({"width": width, "height": 800})
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            assert scroll_width <= width, f"{path} is {scroll_width}px wide at {width}px"
        repeated = page.evaluate("""() => {
            const ids = [...document.querySelectorAll('[id]')].map(e => e.id);
            return [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))]; }""")
        assert repeated == [], f"{path} repeats the ids {repeated}"
        # The page's markup is the same at every width: every WCAG 2.1 A and AA rule runs at phone
        # width, and at desktop width the rules whose outcome depends on the layout run again.
        for size, rules in (({"width": PHONES[-1], "height": 800}, None), (DESKTOP, LAYOUT_RULES)):
            page.set_viewport_size(size)
            violations = accessibility_violations(page, rules)
            assert violations == [], f"{path} at {size['width']}px: {violations}"
        page.set_viewport_size({"width": PHONES[0], "height": 800})
    context.close()
    assert visited >= 4, f"{user} reached only {visited} pages"
    assert problems == [], f"the browser reported: {problems}"


def accessibility_violations(page, rules: list[str] | None = None) -> list[str]:
    """axe-core's WCAG 2.1 A and AA violations on the page as it is (or those of some rules),
    one line each."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE)  # evaluated by the browser's debugger, so the page's CSP stays as it is
    only = {"type": "rule", "values": rules} if rules else {"type": "tag", "values": WCAG_21_AA}
    return page.evaluate("""async only => {
        const result = await axe.run(document, {runOnly: only, resultTypes: ["violations"]});
        return result.violations.map(v => `${v.id} (${v.impact}): ${v.help} — ` +
            v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", "));
    }""", only)
