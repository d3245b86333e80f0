"""Password change and reset by email: the pages, the email, the link, logging in after."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.urls import reverse

from tests.conftest import make_user

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "红旗渠-精神-1960"


def link_in(message, settings) -> str:
    """Return the path of the one link in an email, checking it is absolute on the site."""
    (url,) = re.findall(r"https?://\S+", message.body)
    site = settings.STUDYHUB_SITE_URL.rstrip("/")
    assert url.startswith(site + "/")
    return url[len(site) :]


def without_csrf(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def logs_in(client, username: str, password: str) -> bool:
    client.logout()
    response = client.post(reverse("login"), {"username": username, "password": password})
    return response.status_code == 302


def test_login_page_links_to_the_reset(client):
    page = client.get(reverse("login")).content.decode()
    assert f'href="{reverse("password_reset")}"' in page
    assert "忘记密码？" in page


def test_reset_by_email_sets_a_new_password(client, settings):
    settings.STUDYHUB_SITE_URL = "https://study.example.cn/"
    make_user("wang", email="wang@example.cn", first_name="王伟")
    page = client.get(reverse("password_reset"))
    assert page.status_code == 200 and "重设密码" in page.content.decode()

    response = client.post(reverse("password_reset"), {"email": "WANG@example.cn"})
    assert response.status_code == 302 and response.url == reverse("password_reset_done")
    (message,) = mail.outbox
    assert message.to == ["wang@example.cn"]
    assert message.subject == "【党员学习平台】设置新密码"
    assert "王伟同志：" in message.body and "您的登录名：wang" in message.body
    assert "3 天内有效" in message.body

    path = link_in(message, settings)
    form_page = client.get(path, follow=True)
    assert form_page.redirect_chain[0][0].endswith("/set-password/")  # the token leaves the URL
    assert "设置新密码" in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[0][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.url == reverse("password_reset_complete")
    assert "新密码已设置" in client.get(done.url).content.decode()
    assert logs_in(client, "wang", NEW_PASSWORD)
    assert not logs_in(client, "wang", "pw-wang")

    # Used once, the link is spent: a clear page, not an error.
    again = client.get(path)
    assert again.status_code == 200 and "此链接已失效" in again.content.decode()


def test_reset_does_not_say_whether_anybody_has_the_address(client):
    make_user("wang", email="wang@example.cn")
    known = client.post(reverse("password_reset"), {"email": "wang@example.cn"}, follow=True)
    unknown = client.post(reverse("password_reset"), {"email": "nobody@example.cn"}, follow=True)
    assert known.redirect_chain == unknown.redirect_chain == [(reverse("password_reset_done"), 302)]
    # The same page, byte for byte, but for the (per-response masked) CSRF token.
    assert without_csrf(known) == without_csrf(unknown)
    assert "请查收邮件" in unknown.content.decode()
    assert len(mail.outbox) == 1


def test_reset_refuses_a_malformed_address_with_a_message(client):
    response = client.post(reverse("password_reset"), {"email": "not an address" * 50})
    assert response.status_code == 200
    assert "输入一个有效的 Email 地址" in response.content.decode()
    assert mail.outbox == []


def test_a_member_who_never_set_a_password_can_start_with_a_reset(client):
    get_user_model().objects.create(
        username="13900000011", email="zhao@example.cn", password=make_password(None)
    )
    client.post(reverse("password_reset"), {"email": "zhao@example.cn"})
    assert len(mail.outbox) == 1


def test_a_deactivated_login_gets_no_reset_email(client):
    make_user("gone", email="gone@example.cn", is_active=False)
    client.post(reverse("password_reset"), {"email": "gone@example.cn"})
    assert mail.outbox == []


def test_a_reset_link_expires_after_the_configured_days(client, settings, frozen_now):
    settings.PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600
    make_user("wang", email="wang@example.cn")
    client.post(reverse("password_reset"), {"email": "wang@example.cn"})
    path = link_in(mail.outbox[0], settings)
    with time_machine.travel(frozen_now + datetime.timedelta(days=3, hours=1), tick=False):
        response = client.get(path)
    assert response.status_code == 200
    assert "此链接已失效" in response.content.decode()
    assert "重新申请链接" in response.content.decode()


def test_a_made_up_link_gets_the_same_clear_page(client):
    response = client.get(reverse("password_reset_confirm", args=["zzzz", "1-abc"]))
    assert response.status_code == 200 and "此链接已失效" in response.content.decode()


def test_change_password_from_the_user_menu(client, member):
    client.force_login(member)
    home = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("password_change")}"' in home and "修改密码" in home

    wrong = client.post(
        reverse("password_change"),
        {"old_password": "nope", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert wrong.status_code == 200 and "旧密码" in wrong.content.decode()

    response = client.post(
        reverse("password_change"),
        {"old_password": "pw-member", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("password_change_done")
    assert "密码已修改" in response.content.decode()
    # Still logged in after the change (Django keeps the session's hash up to date).
    assert client.get(reverse("home")).status_code == 200
    assert logs_in(client, "member", NEW_PASSWORD)


def test_change_password_needs_a_login(client):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize(
    "name", ["password_reset", "password_reset_done", "password_reset_complete", "login"]
)
def test_reset_pages_are_open_without_a_login(client, name):
    assert client.get(reverse(name)).status_code == 200
