"""Two-step verification: set up with an app, the code step of logging in, backup codes,
turning it off, and the site's rule for staff and branch managers."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from studyhub.two_factor.services import SETUP_KEY_SESSION_KEY
from tests.two_factor.codes import app_code, later, wrong_code
from tests.two_factor.conftest import app_key, turn_on

pytestmark = pytest.mark.django_db

SETUP = reverse("two_factor:setup")
VERIFY = reverse("two_factor:verify")
HOME = reverse("home")


def log_in(client, username: str = "member"):
    """Log in with the password form, as a person does; return the response."""
    return client.post(reverse("login"), {"username": username, "password": "pw-" + username})


def page(response) -> str:
    return response.content.decode()


def test_setup_shows_a_qr_code_and_turns_on_only_with_the_apps_code(client, member):
    client.force_login(member)
    response = client.get(SETUP)
    html = page(response)
    assert response.status_code == 200
    assert "两步验证" in html and "腾讯身份验证器" in html
    assert 'class="two-factor-qr"><path' in html
    key = client.session[SETUP_KEY_SESSION_KEY]
    # The key to type by hand is the secret in base32, as the apps expect it.
    assert response.context["provisioning"].manual_key.replace(" ", "") in html.replace(" ", "")

    wrong = f"{(int(app_code(key)) + 1) % 1_000_000:06d}"
    refused = client.post(SETUP, {"code": wrong})
    assert refused.status_code == 200
    assert "验证码不正确" in page(refused)
    assert not TOTPDevice.objects.filter(user=member).exists()
    # The same secret stays on the page: the account already added to the app still works.
    assert client.session[SETUP_KEY_SESSION_KEY] == key

    done = client.post(SETUP, {"code": app_code(key)})
    assert done.status_code == 302 and done.url == SETUP
    assert TOTPDevice.objects.get(user=member).confirmed
    status = client.get(SETUP)
    codes = status.context["new_backup_codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert "两步验证已开启" in page(status) and f"{codes[0][:4]} {codes[0][4:]}" in page(status)
    # The backup codes are shown once, then only counted.
    again = client.get(SETUP)
    assert codes[0][:4] + " " + codes[0][4:] not in page(again)
    assert "还剩 10 个备用验证码" in page(again)


def test_a_setup_code_typed_with_spaces_or_junk(client, member):
    client.force_login(member)
    client.get(SETUP)
    response = client.post(SETUP, {"code": "12ab"})
    assert "请输入身份验证器显示的 6 位数字" in page(response)
    key = client.session[SETUP_KEY_SESSION_KEY]
    code = app_code(key)
    assert client.post(SETUP, {"code": f"{code[:3]} {code[3:]}"}).status_code == 302


def test_login_asks_for_a_code_after_the_password(client, member, with_app):
    response = log_in(client)
    assert response.status_code == 302
    # Every page sends the user to the code step, and back to the page after it.
    held = client.get(reverse("groups:session-list"))
    assert held.status_code == 302
    assert held.url == f"{VERIFY}?next=%2Fgroups%2Fsessions%2F"
    assert client.get(HOME).url.startswith(VERIFY)
    form = client.get(held.url)
    assert form.status_code == 200 and "输入验证码" in page(form)

    key = app_key(member)
    wrong = client.post(VERIFY, {"code": wrong_code(key), "next": "/groups/sessions/"})
    assert wrong.status_code == 200 and "验证码不正确" in page(wrong)
    assert client.get(HOME).status_code == 302

    # A wrong code makes the next try wait a second (then 2, 4, 8 … seconds).
    with later(2):
        right = client.post(VERIFY, {"code": app_code(key), "next": "/groups/sessions/"})
        assert right.status_code == 302 and right.url == "/groups/sessions/"
        assert client.get(HOME).status_code == 200


def test_the_same_code_does_not_log_in_twice(client, member, with_app):
    log_in(client)
    code = app_code(app_key(member))
    assert client.post(VERIFY, {"code": code}).status_code == 302
    client.logout()
    log_in(client)
    replay = client.post(VERIFY, {"code": code})
    assert replay.status_code == 200 and "验证码不正确" in page(replay)


def test_the_code_step_never_sends_the_user_to_another_site(client, member, with_app):
    log_in(client)
    response = client.post(
        VERIFY, {"code": app_code(app_key(member)), "next": "https://example.com/"}
    )
    assert response.status_code == 302 and response.url == HOME


def test_repeated_wrong_codes_make_the_next_try_wait(client, member, with_app):
    log_in(client)
    key = app_key(member)
    with later(0) as clock:
        # Each wrong code doubles the wait before the next try: 1, 2, 4, 8 seconds …
        for wait in (1, 2, 4, 8, 16):
            wrong = client.post(VERIFY, {"code": wrong_code(key)})
            assert wrong.status_code == 200 and "验证码不正确" in page(wrong)
            clock.shift(wait / 2)
            if wait < 16:
                too_soon = client.post(VERIFY, {"code": app_code(key)})
                assert too_soon.status_code == 429
                assert "错误次数过多" in page(too_soon) and "秒后再试" in page(too_soon)
                clock.shift(wait)
        # Five wrong codes: even the right one waits 16 seconds.
        throttled = client.post(VERIFY, {"code": app_code(key)})
        assert throttled.status_code == 429
        assert client.get(HOME).status_code == 302
        assert TOTPDevice.objects.get(user=member).throttling_failure_count == 5

        clock.shift(9)
        accepted = client.post(VERIFY, {"code": app_code(key)})
        assert accepted.status_code == 302
        assert client.get(HOME).status_code == 200
        assert TOTPDevice.objects.get(user=member).throttling_failure_count == 0


def test_a_backup_code_logs_in_once(client, member, with_app):
    code = with_app[0]
    log_in(client)
    # Typed as it is printed, with the space, in capitals.
    used = client.post(VERIFY, {"code": f"{code[:4]} {code[4:]}".upper()}, follow=True)
    assert used.redirect_chain[0][0] == HOME
    assert "还剩 9 个" in page(used)
    client.logout()

    log_in(client)
    again = client.post(VERIFY, {"code": code})
    assert again.status_code == 200 and "验证码不正确" in page(again)
    with later(2):
        assert client.post(VERIFY, {"code": with_app[1]}).status_code == 302


def test_new_backup_codes_replace_the_old_ones(client, member, with_app):
    log_in(client)
    client.post(VERIFY, {"code": with_app[0]})
    with later(31):
        response = client.post(
            reverse("two_factor:backup-codes"), {"codes-code": app_code(app_key(member))}
        )
    assert response.status_code == 302
    fresh = client.get(SETUP).context["new_backup_codes"]
    assert set(fresh).isdisjoint(with_app) and len(fresh) == 10
    client.logout()
    log_in(client)
    assert client.post(VERIFY, {"code": with_app[1]}).status_code == 200
    with later(2):
        assert client.post(VERIFY, {"code": fresh[0]}).status_code == 302


def test_turning_off_needs_a_current_code(client, member, with_app):
    log_in(client)
    client.post(VERIFY, {"code": with_app[0]})
    refused = client.post(reverse("two_factor:disable"), {"off-code": wrong_code(app_key(member))})
    assert refused.status_code == 200 and "验证码不正确" in page(refused)
    assert TOTPDevice.objects.filter(user=member).exists()

    with later(2):
        off = client.post(reverse("two_factor:disable"), {"off-code": app_code(app_key(member))})
    assert off.status_code == 302
    assert not TOTPDevice.objects.filter(user=member).exists()
    assert not StaticDevice.objects.filter(user=member).exists()
    assert "两步验证已关闭" in page(client.get(SETUP))
    client.logout()
    log_in(client)
    assert client.get(HOME).status_code == 200


def test_an_unverified_session_cannot_turn_it_off_or_see_the_page(client, member, with_app):
    log_in(client)
    response = client.post(reverse("two_factor:disable"), {"off-code": with_app[0]})
    assert response.status_code == 302 and response.url.startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=member).exists()
    assert StaticToken.objects.filter(token=with_app[0]).exists()


def test_off_by_default_nobody_is_held(login):
    for name in ("staff", "secretary_a", "member_a"):
        assert login(name).get(HOME).status_code == 200


@override_settings(STUDYHUB_REQUIRE_2FA=True)
@pytest.mark.parametrize("name", ["staff", "secretary_a", "secretary_parent"])
def test_required_staff_and_managers_must_set_it_up_first(login, name, persona):
    client = login(name)
    held = client.get(reverse("groups:session-list"))
    assert held.status_code == 302 and held.url == SETUP
    setup = client.get(SETUP)
    assert setup.status_code == 200 and "必须使用两步验证" in page(setup)
    # Logging out and switching the language still work.
    assert (
        client.post(reverse("set_language"), {"language": "en", "next": SETUP}).status_code == 302
    )

    turn_on(client)
    assert client.get(reverse("groups:session-list")).status_code == 200
    status = client.get(SETUP)
    assert "cannot be turned off" in page(status)
    code = app_code(app_key(persona(name)))
    with later(31):
        refused = client.post(reverse("two_factor:disable"), {"off-code": code})
    assert refused.status_code == 403
    assert TOTPDevice.objects.filter(user=persona(name)).exists()


@override_settings(STUDYHUB_REQUIRE_2FA=True)
def test_required_ordinary_members_are_never_held(login):
    for name in ("member_a", "member_b"):
        assert login(name).get(HOME).status_code == 200


@override_settings(STUDYHUB_REQUIRE_2FA=True)
def test_required_managers_give_a_code_at_each_login(client, org):
    client.force_login(org.secretary_a.user)
    with later(-60):
        turn_on(client)
    client.logout()
    log_in(client, "secretary_a")
    assert client.get(HOME).url.startswith(VERIFY)
    client.post(VERIFY, {"code": app_code(app_key(org.secretary_a.user))})
    assert client.get(HOME).status_code == 200


def test_the_status_page_runs_a_fixed_number_of_queries(
    client, member, with_app, django_assert_max_num_queries
):
    log_in(client)
    client.post(VERIFY, {"code": with_app[0]})
    with django_assert_max_num_queries(8):
        assert client.get(SETUP).status_code == 200
