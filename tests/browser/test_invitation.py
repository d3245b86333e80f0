"""A secretary makes an invitation link for a member with only a phone; on the member's phone
the link sets a password and logs them in. In Chinese, at 390 px, checked by axe-core."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from groups.models import BranchKind, BranchRole, MemberCategory
from groups.org.services import member_create
from tests.browser.conftest import ARTIFACTS, AxeWatch
from tests.groups.factories import make_branch, make_member

PHONE = {"width": 390, "height": 844}


def chinese_phone(chromium, base_url: str):
    context = chromium.new_context(locale="zh-CN", viewport=PHONE)
    axe = AxeWatch(context)
    page = context.new_page()
    page.set_default_timeout(10_000)
    context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": base_url}])
    return context, axe, page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_invitation_link_sets_a_password_and_logs_the_member_in(live_server, chromium):
    ARTIFACTS.mkdir(exist_ok=True)
    branch = make_branch("第一党支部", BranchKind.BRANCH)
    make_member("张书记", branch, username="shuji", role=BranchRole.Role.SECRETARY)
    imported = member_create(
        name="孙丽",
        branch=branch,
        category=MemberCategory.objects.get(code=MemberCategory.FULL),
        phone="13900000012",
    )
    assert not imported.user.has_usable_password()

    context, axe, page = chinese_phone(chromium, live_server.url)
    page.goto(f"{live_server.url}/accounts/login/")
    expect(page.get_by_role("link", name="忘记密码？")).to_be_visible()
    page.fill("#id_username", "shuji")
    page.fill("#id_password", "pw-shuji")
    page.get_by_role("button", name="登录").click()
    page.goto(f"{live_server.url}{branch.get_absolute_url()}")
    expect(page.get_by_text("1 名成员尚未激活账号。")).to_be_visible()
    page.get_by_role("button", name="生成链接 · 孙丽").click()
    expect(page.get_by_role("heading", name="孙丽的激活链接")).to_be_visible()
    expect(page.get_by_text("您的登录名：13900000012")).to_be_visible()
    link = page.locator("#invitation-link").inner_text().strip()
    page.screenshot(path=ARTIFACTS / "invitation-1-link-390.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=ARTIFACTS / "invitation-1-link-desktop.png", full_page=True)
    page.reload()
    expect(page.get_by_role("heading", name="孙丽的激活链接")).to_have_count(0)
    axe.check(page)
    context.close()

    context, axe, page = chinese_phone(chromium, live_server.url)
    page.goto(link.replace("http://127.0.0.1:8000", live_server.url))
    expect(page).to_have_url(re.compile(r"/set-password/$"))
    expect(page.get_by_role("heading", name="欢迎使用党员学习平台")).to_be_visible()
    page.fill("#id_new_password1", "红旗渠-精神-1960")
    page.fill("#id_new_password2", "红旗渠-精神-1960")
    page.screenshot(path=ARTIFACTS / "invitation-2-set-password-390.png", full_page=True)
    page.get_by_role("button", name="设置密码并登录").click()
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("alert").first).to_contain_text("密码已设置，您已登录")
    page.screenshot(path=ARTIFACTS / "invitation-3-logged-in-390.png", full_page=True)
    imported.user.refresh_from_db()
    assert imported.user.has_usable_password()
    axe.check(page)
    context.close()
