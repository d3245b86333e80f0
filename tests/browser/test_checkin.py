"""A secretary puts the check-in code on screen; one member scans it, another types it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from groups.models import Attendance, BranchKind, BranchRole
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_schedule_and_read import log_in
from tests.groups.factories import make_branch, make_member, make_session


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_members_check_in_by_scanning_and_by_typing_the_code(
    live_server,
    browser_page,
):
    branch = make_branch("第一党支部", BranchKind.BRANCH)
    make_member("张书记", branch, username="shuji", role=BranchRole.Role.SECRETARY)
    scanner = make_member("李党员", branch, username="saoma")
    typist = make_member("王党员", branch, username="shuru")
    session = make_session(branch, starts_at=timezone.now() + timedelta(minutes=10))
    page = browser_page

    log_in(page, live_server.url, "shuji")
    page.goto(f"{live_server.url}{session.get_absolute_url()}")
    page.get_by_role("link", name="Show the check-in code").click()
    expect(page.get_by_role("img", name="QR code to check in")).to_be_visible()
    expect(page.locator("[data-expected]")).to_have_text("3")
    page.screenshot(path=ARTIFACTS / "checkin-1-display.png", full_page=True)
    code = page.locator("[data-code]").get_attribute("data-code")
    qr_link = page.locator("a[href*='token=']").get_attribute("href")

    # Scanning while logged out: through the login form and back to the confirmation.
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    page.goto(qr_link)
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))
    page.fill("#id_username", "saoma")
    page.fill("#id_password", "pw-saoma")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="Check me in").click()
    expect(page.get_by_role("alert").first).to_contain_text("marked present")
    page.screenshot(path=ARTIFACTS / "checkin-2-scanned.png", full_page=True)

    log_in(page, live_server.url, "shuru")
    page.goto(f"{live_server.url}/groups/check-in/")
    page.get_by_label("Check-in code").fill(f"{code[:3]} {code[3:]}")
    page.get_by_role("button", name="Check in").click()
    expect(page.get_by_role("alert").first).to_contain_text("marked present")
    page.screenshot(path=ARTIFACTS / "checkin-3-typed.png", full_page=True)

    marked = dict(Attendance.objects.filter(session=session).values_list("member__name", "status"))
    assert marked == {"张书记": "", scanner.name: "present", typist.name: "present"}
