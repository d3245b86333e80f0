"""Two-step verification fixtures: the organisation's personas, and a user's app codes."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from studyhub.two_factor.services import SETUP_KEY_SESSION_KEY
from tests.groups.conftest import login, org, persona, plain_user  # noqa: F401  (the personas)
from tests.two_factor.codes import app_code, later


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
