"""The login throttle behind a reverse proxy, and against one address trying many user names.

(Issue 9, items 3 and 5.) Both clients of a test stand behind the same proxy, 10.0.0.2, which
appends the address it saw to X-Forwarded-For, as nginx does.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.test_project import run_manage

PROXY = "10.0.0.2"
pytestmark = pytest.mark.django_db


@pytest.fixture
def behind_one_proxy(settings):
    """What DJANGO_PROXY_COUNT=1 sets (test_the_proxy_count_setting_reads_the_forwarded_header)."""
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    settings.AXES_IPWARE_PROXY_COUNT = 0


def client_at(address: str | None) -> Client:
    if address is None:
        return Client(REMOTE_ADDR=PROXY)
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=address)


def log_in(client: Client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_the_proxy_count_setting_reads_the_forwarded_header():
    show = "from django.conf import settings as s; print(s.AXES_IPWARE_META_PRECEDENCE_ORDER)"
    assert "HTTP_X_FORWARDED_FOR" in run_manage("shell", "-c", show, DJANGO_PROXY_COUNT="1").stdout
    without = run_manage("shell", "-c", show).stdout
    assert "HTTP_X_FORWARDED_FOR" not in without and "REMOTE_ADDR" in without


def test_wrong_passwords_from_one_client_do_not_lock_out_another_behind_the_same_proxy(
    member, behind_one_proxy
):
    attacker, colleague = client_at("203.0.113.7"), client_at("198.51.100.9")
    for _ in range(5):
        log_in(attacker, "member", "wrong")
    assert log_in(attacker, "member", "pw-member").status_code == 429
    assert log_in(colleague, "member", "pw-member").status_code == 302


def test_without_the_proxy_setting_everyone_behind_it_is_one_address(member):
    # What happened before ipware: the proxy's address was everyone's.
    for _ in range(5):
        log_in(client_at("203.0.113.7"), "member", "wrong")
    assert log_in(client_at("198.51.100.9"), "member", "pw-member").status_code == 429


def test_with_no_proxy_a_forged_forwarded_header_does_not_escape_the_throttle(member):
    for n in range(5):
        log_in(client_at(f"192.0.2.{n}"), "member", "wrong")
    assert log_in(client_at("192.0.2.99"), "member", "pw-member").status_code == 429


def test_one_address_trying_many_user_names_is_paused(member, settings, behind_one_proxy):
    settings.STUDYHUB_LOGIN_ADDRESS_FAILURE_LIMIT = 20
    sprayer = client_at("203.0.113.7")
    names = [f"1380000{n:04d}" for n in range(20)]
    User.objects.bulk_create(User(username=name) for name in names[:10])
    # One or two guesses per user name: never the five that pause a user name.
    answers = [log_in(sprayer, name, "123456").status_code for name in names[:19]]
    assert answers == [200] * 19
    paused = log_in(sprayer, names[19], "123456")
    assert paused.status_code == 429
    assert "此网络地址" in paused.content.decode() and "15 分钟" in paused.content.decode()
    # The address stays paused, even for a right password; the member's own address is not.
    assert log_in(sprayer, "member", "pw-member").status_code == 429
    assert log_in(client_at("198.51.100.9"), "member", "pw-member").status_code == 302


def test_an_address_below_its_limit_still_logs_in(member, settings, behind_one_proxy):
    settings.STUDYHUB_LOGIN_ADDRESS_FAILURE_LIMIT = 20
    office = client_at("203.0.113.7")
    for n in range(19):
        log_in(office, f"typo{n}", "wrong")
    assert log_in(office, "member", "pw-member").status_code == 302


def test_the_address_pause_ends_after_the_cool_off(member, settings, behind_one_proxy):
    settings.STUDYHUB_LOGIN_ADDRESS_FAILURE_LIMIT = 3
    sprayer = client_at("203.0.113.7")
    for n in range(3):
        log_in(sprayer, f"name{n}", "wrong")
    assert log_in(sprayer, "member", "pw-member").status_code == 429
    with time_machine.travel(timezone.now() + timedelta(minutes=16), tick=False):
        assert log_in(sprayer, "member", "pw-member").status_code == 302
