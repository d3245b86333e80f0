"""Two-step verification in a phone's browser, in Chinese: set it up, then log in with a code."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, AxeWatch
from tests.two_factor.codes import app_code, hex_key, later, wrong_code

PHONE = {"width": 390, "height": 844}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_set_up_on_a_phone_then_log_in_with_the_apps_code(live_server, chromium):
    user = get_user_model().objects.create_user(
        "zuzhibu", password="demo-pass", is_staff=True, first_name="组织部"
    )
    ARTIFACTS.mkdir(exist_ok=True)
    context = chromium.new_context(locale="zh-CN", viewport=PHONE)
    axe = AxeWatch(context)
    page = context.new_page()
    page.set_default_timeout(10_000)

    def log_in() -> None:
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", "zuzhibu")
        page.fill("#id_password", "demo-pass")
        page.locator("form button[type=submit]").last.click()

    log_in()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    page.goto(f"{live_server.url}/accounts/two-step/")
    expect(page.locator("h1")).to_have_text("两步验证")
    qr = page.locator("svg.two-factor-qr")
    expect(qr).to_be_visible()
    assert qr.bounding_box()["width"] >= 180  # big enough for a phone's camera
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=ARTIFACTS / "two-factor-setup-390.png", full_page=True)

    # The key shown for typing by hand is the one the app would scan.
    key = hex_key(page.locator("[data-setup-key]").inner_text())
    # A minute ago, so the code that turns it on is not the one that logs in below.
    with later(-60):
        page.fill("#id_code", app_code(key))
        page.get_by_role("button", name="开启两步验证").click()
        expect(page.locator("[data-backup-codes] li")).to_have_count(10)
    expect(page.locator(".alert-success").first).to_contain_text("两步验证已开启")
    page.screenshot(path=ARTIFACTS / "two-factor-backup-codes-390.png", full_page=True)

    page.locator("nav .navbar-toggler").click()
    page.get_by_role("button", name="退出").click()
    # Wait for the logout to land: going to the login page while the POST is still in flight
    # cancels it, and the still-logged-in user is sent on from the login page.
    expect(page.locator("#id_username")).to_be_visible()
    log_in()
    expect(page).to_have_url(re.compile(r"/accounts/two-step/verify/"))
    expect(page.locator("h1")).to_have_text("输入验证码")
    page.screenshot(path=ARTIFACTS / "two-factor-verify-390.png", full_page=True)
    assert TOTPDevice.objects.get(user=user).key == key
    page.fill("#id_code", wrong_code(key))
    page.get_by_role("button", name="验证").click()
    expect(page.locator(".invalid-feedback")).to_contain_text("验证码不正确")
    page.wait_for_timeout(1100)  # a wrong code makes the next try wait a second
    page.fill("#id_code", app_code(key))
    page.get_by_role("button", name="验证").click()
    expect(page).to_have_url(f"{live_server.url}/")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/accounts/two-step/")
    expect(page.locator("[data-backup-codes-left]")).to_have_text("还剩 10 个备用验证码。")
    page.screenshot(path=ARTIFACTS / "two-factor-status-1280.png", full_page=True)
    axe.check(page)
    context.close()
