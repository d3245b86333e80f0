"""The Content-Security-Policy in a real browser: it blocks what it should, and the admin works.

Every browser test fails on a violation (conftest's CspWatch); this shows the watch sees one.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser import conftest
from tests.browser.conftest import ARTIFACTS, CspWatch


def log_in(page, live_server, username: str, password: str) -> None:
    page.goto(f"{live_server.url}{reverse('login')}")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("form button[type=submit]").last.click()
    expect(page).not_to_have_url(f"{live_server.url}{reverse('login')}")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_injected_inline_script_is_blocked_and_reported(live_server, browser_page):
    page = browser_page
    page.goto(f"{live_server.url}{reverse('login')}")
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.injected = true";
          document.body.append(script);
          const box = document.createElement("div");
          box.innerHTML = '<p style="color: red">styled</p>';
          document.body.append(box);
        }"""
    )
    page.wait_for_timeout(300)
    assert page.evaluate("window.injected") is None
    found = list(conftest.csp_violations)
    conftest.csp_violations.clear()  # seen on purpose: not this test's failure
    assert any("script-src-elem blocked inline" in v for v in found), found
    assert any("style-src-attr blocked inline" in v for v in found), found


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_admin_works_under_the_policy(live_server, chromium):
    """Django's admin needs no exemption: its scripts are files, its data in data- attributes.

    No axe-core here: the admin's markup is Django's, not ours.
    """
    get_user_model().objects.create_superuser("root", password="pw-root-admin")
    context = chromium.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    CspWatch(context)
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, live_server, "root", "pw-root-admin")
    for name in (
        "admin:index",
        "admin:groups_branch_changelist",
        "admin:groups_member_changelist",
        "admin:groups_studysession_add",
    ):
        page.goto(f"{live_server.url}{reverse(name)}")
        expect(page.locator("#content")).to_be_visible()
    # The admin's own scripts run: the date widget's "Today" shortcut fills the field.
    page.locator(".datetimeshortcuts a").first.click()
    assert page.locator("input.vDateField").first.input_value() != ""
    page.screenshot(path=ARTIFACTS / "admin-session-add.png", full_page=True)
    context.close()
