"""A leader's glance on a phone: the few numbers that matter and the rows needing attention."""

import re

from playwright.sync_api import expect

from .conftest import log_in


def test_a_leader_glances_at_the_dashboard_on_a_phone(page, live_server, viewport, shoot):
    log_in(page, live_server, "lanh-dao")
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    glance = page.locator(".glance")
    expect(glance).to_contain_text("nhiệm vụ")
    expect(glance).to_contain_text("quá hạn")
    if viewport["width"] < 500:
        # The numbers and the first rows needing attention fit the first screen.
        assert glance.bounding_box()["y"] + glance.bounding_box()["height"] <= viewport["height"]
    first = page.locator(".attention li a.ref").first
    expect(first).to_be_visible()
    shoot("dashboard", full_page=False)
    shoot("dashboard-full")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    ref = first.inner_text()
    first.click()
    expect(page.get_by_role("heading", name=re.compile(f"Nhiệm vụ {re.escape(ref)}"))).to_be_visible()
