"""Two-step verification fixtures: the organisation's personas, and a user's app codes."""

from __future__ import annotations

from binascii import unhexlify
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from studyhub.two_factor.services import SETUP_KEY_SESSION_KEY
from tests.groups.conftest import login, org, persona  # noqa: F401  (the personas)


def app_code(key: str) -> str:
    """Return the code an authenticator app with this secret shows now."""
    return f"{totp(unhexlify(key)):06d}"


def wrong_code(key: str) -> str:
    """Return a code the app shows at no step near now (the step before and after count too)."""
    near = {f"{totp(unhexlify(key), drift=d):06d}" for d in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in near)


def later(seconds: int):
    """Move the clock on (a new code shows every 30 seconds, and one code logs in once)."""
    return time_machine.travel(timezone.now() + timedelta(seconds=seconds), tick=True)


def turn_on(client) -> list[str]:
    """Set up two-step verification for the logged-in client; return the backup codes."""
    client.get(reverse("two_factor:setup"))
    key = client.session[SETUP_KEY_SESSION_KEY]
    response = client.post(reverse("two_factor:setup"), {"code": app_code(key)})
    assert response.status_code == 302
    page = client.get(reverse("two_factor:setup"))
    return list(page.context["new_backup_codes"])


def app_key(user) -> str:
    return TOTPDevice.objects.get(user=user).key


@pytest.fixture
def with_app(client, member):
    """The member, with two-step verification on, logged out; returns their backup codes."""
    client.force_login(member)
    # A minute ago, so the code that turned it on is not the one the app shows now.
    with later(-60):
        codes = turn_on(client)
    client.logout()
    return codes
