"""Invitations: a branch manager invites imported members who never activated their login."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from groups.models import MemberInvitation
from groups.org.services import roster_import
from tests.groups.factories import PERSONAS
from tests.groups.org.test_roster import csv_bytes

NEW_PASSWORD = "红旗渠-精神-1960"


@pytest.fixture
def imported(org):
    """Two members imported from a roster into the 第一党支部 (no password); one has an email."""
    roster_import(
        data=csv_bytes(
            "赵磊,男,1985-03-12,13900000011,正式党员,2008-07-01,2009-07-01,第一党支部,",
            "孙丽,女,1990-05-06,13900000012,预备党员,2025-01-05,,第一党支部,第一党小组",
        ),
        root=org.branch_a,
    )
    from groups.models import Member

    zhao, sun = Member.objects.get(name="赵磊"), Member.objects.get(name="孙丽")
    zhao.user.email = "zhao@example.cn"
    zhao.user.save()
    return zhao, sun


def path_of(url: str, settings) -> str:
    site = settings.STUDYHUB_SITE_URL.rstrip("/")
    assert url.startswith(site + "/")
    return url[len(site) :]


def emailed_link(message, settings) -> str:
    (url,) = re.findall(r"https?://\S+", message.body)
    return path_of(url, settings)


def accept(client, path: str, password: str = NEW_PASSWORD):
    """Open an invitation link and set the password; return the final response."""
    form_page = client.get(path, follow=True)
    assert "欢迎使用党员学习平台" in form_page.content.decode()
    return client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": password, "new_password2": password},
        follow=True,
    )


def test_branch_page_shows_who_has_not_activated(org, imported, login):
    page = login("secretary_a").get(reverse("groups:branch-detail", args=[org.branch_a.pk]))
    text = page.content.decode()
    assert "2 名成员尚未激活账号。" in text
    assert "向 1 名尚未激活的成员发送邀请" in text  # only 赵磊 has an email address
    assert text.count("未激活</span>") == 2 and text.count("已激活</span>") == 2
    assert "生成链接" in text and "发送邀请邮件" in text


def test_bulk_invitation_emails_and_the_member_sets_a_password_and_is_logged_in(
    org, imported, login, client, settings
):
    zhao, sun = imported
    response = login("secretary_a").post(
        reverse("groups:branch-invite", args=[org.branch_a.pk]), follow=True
    )
    assert "已向 1 名成员发送邀请。" in response.content.decode()
    assert "已于 2026-11-10 16:00 邀请" in response.content.decode()
    (message,) = mail.outbox
    assert message.to == ["zhao@example.cn"]
    assert message.subject == "【党员学习平台】邀请您设置账号密码"
    assert "赵磊同志：" in message.body and "第一党支部" in message.body
    assert f"您的登录名：{zhao.user.username}" in message.body
    assert "14 天内有效" in message.body
    invitation = MemberInvitation.objects.get()
    assert (invitation.member, invitation.sent_by, invitation.email) == (
        zhao,
        org.secretary_a.user,
        "zhao@example.cn",
    )

    client.logout()
    path = emailed_link(message, settings)
    done = accept(client, path)
    assert done.redirect_chain[-1][0] == reverse("home")
    assert "密码已设置，您已登录" in done.content.decode()
    assert client.session["_auth_user_id"] == str(zhao.user.pk)
    invitation.refresh_from_db()
    assert invitation.used_at is not None

    client.logout()
    assert (
        client.post(
            reverse("login"), {"username": zhao.user.username, "password": NEW_PASSWORD}
        ).status_code
        == 302
    )

    # Used: the same link now says so, and the branch page says 已激活.
    again = client.get(path, follow=True)
    assert again.status_code == 200 and "此邀请链接已失效" in again.content.decode()
    page = login("secretary_a").get(reverse("groups:branch-detail", args=[org.branch_a.pk]))
    assert "1 名成员尚未激活账号。" in page.content.decode()
    assert "发送邀请" not in page.content.decode().split("尚未激活账号")[1].split("</div>")[0]


def test_a_member_without_email_gets_a_link_shown_once(org, imported, login, client, settings):
    _zhao, sun = imported
    manager = login("secretary_a")
    branch_url = reverse("groups:branch-detail", args=[org.branch_a.pk])
    response = manager.post(
        reverse("groups:member-invite", args=[sun.pk]), {"next": branch_url}, follow=True
    )
    text = response.content.decode()
    assert response.redirect_chain == [(branch_url, 302)]
    assert "孙丽的激活链接" in text and f"您的登录名：{sun.user.username}" in text
    (url,) = re.findall(r'id="invitation-link">([^<]+)<', text)
    assert mail.outbox == []
    assert MemberInvitation.objects.get().email == ""
    # Shown once: the next visit has no link on it.
    assert "孙丽的激活链接" not in manager.get(branch_url).content.decode()

    client.logout()
    done = accept(client, path_of(url, settings))
    assert client.session["_auth_user_id"] == str(sun.user.pk)
    assert done.status_code == 200


def test_an_expired_invitation_gets_a_clear_page(org, imported, login, client, frozen_now):
    _zhao, sun = imported
    login("secretary_a").post(reverse("groups:member-invite", args=[sun.pk]))
    url = re.findall(
        r'id="invitation-link">([^<]+)<',
        client.get(reverse("groups:branch-detail", args=[org.branch_a.pk])).content.decode(),
    )[0]
    path = url.split("127.0.0.1:8000", 1)[1]
    client.logout()
    with time_machine.travel(frozen_now + datetime.timedelta(days=13, hours=23), tick=False):
        assert "欢迎使用党员学习平台" in client.get(path, follow=True).content.decode()
    client.logout()
    with time_machine.travel(frozen_now + datetime.timedelta(days=14, hours=1), tick=False):
        response = client.get(path, follow=True)
    assert response.status_code == 200
    text = response.content.decode()
    assert "此邀请链接已失效" in text and "14 天内有效" in text
    sun.user.refresh_from_db()
    assert not sun.user.has_usable_password()


def test_the_expiry_is_a_setting(org, imported, login, client, settings, frozen_now):
    settings.STUDYHUB_INVITATION_DAYS = 2
    zhao, _sun = imported
    login("secretary_a").post(reverse("groups:member-invite", args=[zhao.pk]))
    path = emailed_link(mail.outbox[0], settings)
    assert "2 天内有效" in mail.outbox[0].body
    client.logout()
    with time_machine.travel(frozen_now + datetime.timedelta(days=3), tick=False):
        assert "此邀请链接已失效" in client.get(path, follow=True).content.decode()


def test_a_reset_link_is_not_an_invitation(org, imported, client, settings):
    zhao, _sun = imported
    client.post(reverse("password_reset"), {"email": "zhao@example.cn"})
    reset_path = emailed_link(mail.outbox[0], settings)
    uid, token = reset_path.strip("/").split("/")[-2:]
    response = client.get(reverse("groups:invitation-accept", args=[uid, token]), follow=True)
    assert "此邀请链接已失效" in response.content.decode()


def test_an_activated_member_is_not_invited_again(org, login):
    response = login("secretary_a").post(
        reverse("groups:member-invite", args=[org.member_a.pk]), follow=True
    )
    assert "李明已激活账号；忘记密码时可自行重设。" in response.content.decode()
    assert not MemberInvitation.objects.exists() and mail.outbox == []


def test_a_bad_next_address_goes_back_to_the_members_branch(org, imported, login):
    zhao, _sun = imported
    response = login("secretary_a").post(
        reverse("groups:member-invite", args=[zhao.pk]), {"next": "https://evil.example/"}
    )
    assert response.url == reverse("groups:branch-detail", args=[zhao.branch_id])


def test_a_mail_server_failure_records_nothing_and_says_so(org, imported, login, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    zhao, _sun = imported
    client = login("secretary_a")
    response = client.post(reverse("groups:member-invite", args=[zhao.pk]), follow=True)
    assert "邀请邮件未能发送，请稍后再试。" in response.content.decode()
    bulk = client.post(reverse("groups:branch-invite", args=[org.branch_a.pk]), follow=True)
    assert "1 份邀请未能发送，请稍后再试。" in bulk.content.decode()
    assert not MemberInvitation.objects.exists()


# A member of the branch sees it but may not invite (403); 赵磊's record is outside their
# scope, and everything is outside the other branch's (404), as across the permission matrix.
#                anonymous member_a member_b sec_a sec_b sec_parent staff
MEMBER_EXPECTED = [302, 404, 404, 302, 404, 302, 302]
BRANCH_EXPECTED = [302, 403, 404, 302, 404, 302, 302]


@pytest.mark.parametrize(
    ("persona_name", "member_expected", "branch_expected"),
    list(zip(PERSONAS, MEMBER_EXPECTED, BRANCH_EXPECTED, strict=True)),
)
def test_only_the_members_managers_may_invite(
    org, imported, login, persona_name, member_expected, branch_expected
):
    zhao, _sun = imported
    client = login(persona_name)
    member_response = client.post(reverse("groups:member-invite", args=[zhao.pk]))
    branch_response = client.post(reverse("groups:branch-invite", args=[org.branch_a.pk]))
    assert member_response.status_code == member_expected
    assert branch_response.status_code == branch_expected
    allowed = persona_name in {"secretary_a", "secretary_parent", "staff"}
    assert MemberInvitation.objects.count() == (2 if allowed else 0)
    if persona_name == "anonymous":
        assert member_response.url.startswith(reverse("login"))


def test_a_member_may_not_invite_themself(org, imported, client):
    zhao, _sun = imported
    client.force_login(zhao.user)
    assert client.post(reverse("groups:member-invite", args=[zhao.pk])).status_code == 403


from tests.groups.org.test_views import BRANCH_PAGE_QUERIES  # noqa: E402 (account state annotated)


def test_branch_page_queries_stay_the_same_with_invitations(
    org, imported, login, django_assert_max_num_queries
):
    client = login("secretary_a")
    for member in imported:
        client.post(reverse("groups:member-invite", args=[member.pk]))
    client.get(reverse("groups:branch-detail", args=[org.branch_a.pk]))  # shows the link once
    with django_assert_max_num_queries(BRANCH_PAGE_QUERIES):
        response = client.get(reverse("groups:branch-detail", args=[org.branch_a.pk]))
    assert response.content.decode().count("已于 2026-11-10 16:00 邀请") == 2
