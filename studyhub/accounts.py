"""Logins: password reset by email, and the one-time links that let a member set a first one.

Members imported from a roster get a login with an unusable password (never activated). Both
kinds of link are Django's password-reset tokens: they hash the login's password and last
login, so a link stops working as soon as a password is set, and after a number of days
(``PASSWORD_RESET_TIMEOUT`` for a reset, ``STUDYHUB_INVITATION_DAYS`` for an invitation).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.db.models import Q
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode

DAY_SECONDS = 24 * 3600


def site_url() -> str:
    """Return the site's public address, which links in emails start with."""
    return settings.STUDYHUB_SITE_URL.rstrip("/")


def never_activated(prefix: str = "") -> Q:
    """Return a filter for logins whose password was never set (unusable since import)."""
    return Q(**{f"{prefix}password__startswith": UNUSABLE_PASSWORD_PREFIX})


def user_uid(user: Any) -> str:
    """Return the login's id as the links carry it (base64, as Django's reset views read it)."""
    return urlsafe_base64_encode(force_bytes(user.pk))


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """Tokens for invitations: a reset link cannot pass for one, and they keep their own age."""

    key_salt = "studyhub.accounts.InvitationTokenGenerator"

    def check_token(self, user: Any, token: str | None) -> bool:
        # Django's check, with the age bounded by STUDYHUB_INVITATION_DAYS instead of
        # PASSWORD_RESET_TIMEOUT (which it reads directly).
        if not (user and token):
            return False
        try:
            ts_b36, _ = token.split("-")
            timestamp = base36_to_int(ts_b36)
        except ValueError:
            return False
        if not any(
            constant_time_compare(self._make_token_with_timestamp(user, timestamp, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        ):
            return False
        age = self._num_seconds(self._now()) - timestamp
        return age <= settings.STUDYHUB_INVITATION_DAYS * DAY_SECONDS


invitation_token_generator = InvitationTokenGenerator()


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's reset form, which also reaches members who never set a password.

    Django leaves out logins with an unusable password; here that only means "imported, not
    yet activated", so such a member who has an email address may start on their own. The page
    after it reads the same whether or not any login has the address.
    """

    def get_users(self, email: str) -> Iterator[Any]:
        email_field = get_user_model().get_email_field_name()
        users = get_user_model()._default_manager.filter(
            **{f"{email_field}__iexact": email, "is_active": True}
        )
        return (
            user
            for user in users
            if auth_forms._unicode_ci_compare(email, getattr(user, email_field))
        )

    def save(self, **kwargs: Any) -> None:
        kwargs["extra_email_context"] = {
            **(kwargs.get("extra_email_context") or {}),
            "site_url": site_url(),
            "days": settings.PASSWORD_RESET_TIMEOUT // DAY_SECONDS,
        }
        super().save(**kwargs)
