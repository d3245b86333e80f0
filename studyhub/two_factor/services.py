"""Two-step verification: an authenticator app (TOTP) with one-time backup codes.

A user turns it on by scanning a QR code and typing the app's code; from then on every login
asks for a code after the password. The session remembers, between the two steps, that a code
is due (PENDING_SESSION_KEY, set when the password step logs the user in), so a page costs no
query to find out.
"""

from __future__ import annotations

import math
import time
from base64 import b32encode
from binascii import unhexlify
from dataclasses import dataclass
from typing import Any

import segno
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from groups.permissions import must_use_second_factor

# A code is due in this session: the password was right, the code not yet given.
PENDING_SESSION_KEY = "two_factor_pending"
# The secret being set up, kept in the session (not the database) until the app proves it.
SETUP_KEY_SESSION_KEY = "two_factor_setup_key"
# Backup codes just made, shown on the next page once and then forgotten.
NEW_BACKUP_CODES_SESSION_KEY = "two_factor_new_backup_codes"
BACKUP_CODE_COUNT = 10
# The app's code may be one step (30 s) early or late: phones' clocks drift.
TOLERANCE_STEPS = 1


def app_device(user: Any) -> TOTPDevice | None:
    """Return the user's confirmed authenticator app, or None if two-step verification is off."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def second_factor_required(user: Any) -> bool:
    """Return whether the site makes this user use two-step verification."""
    return settings.STUDYHUB_REQUIRE_2FA and must_use_second_factor(user)


def backup_codes_left(user: Any) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@receiver(user_logged_in, dispatch_uid="two_factor_code_due_at_login")
def _code_due_at_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """Mark the session as waiting for a code when the user who logged in has an app."""
    if request is None or not hasattr(request, "session"):
        return
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        request.session[PENDING_SESSION_KEY] = True
    else:
        request.session.pop(PENDING_SESSION_KEY, None)


def setup_key_new() -> str:
    """Return a new random secret (hex, 20 bytes as RFC 4226 recommends)."""
    return random_hex(20)


@dataclass(frozen=True)
class Provisioning:
    """What the setup page shows for a secret: the QR code, and the key to type by hand."""

    qr_svg: SafeString
    manual_key: str


def provisioning(*, user: Any, key: str) -> Provisioning:
    """Return the QR code (inline SVG, drawn here: no outside service sees the secret)."""
    url = TOTPDevice(user=user, key=key).config_url
    # segno writes only path data (the secret is encoded in the modules, never as text).
    svg = segno.make(url, error="m").svg_inline(
        scale=1, border=2, omitsize=True, svgclass="two-factor-qr", dark="#000"
    )
    secret = b32encode(unhexlify(key)).decode()
    return Provisioning(
        qr_svg=mark_safe(svg),  # noqa: S308
        manual_key=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
    )


@transaction.atomic
def second_factor_enable(*, user: Any, key: str, code: str) -> list[str] | None:
    """Turn two-step verification on if the app shows ``code`` for ``key``; return the new
    backup codes, or None if the code does not match (nothing is saved)."""
    totp = TOTP(unhexlify(key))
    totp.time = time.time()
    if not totp.verify(int(code), tolerance=TOLERANCE_STEPS):
        return None
    TOTPDevice.objects.filter(user=user).delete()
    # The code just typed may not log in again (last_t), as with any code the app shows.
    TOTPDevice.objects.create(
        user=user, name="authenticator", key=key, confirmed=True, drift=totp.drift, last_t=totp.t()
    )
    return backup_codes_replace(user=user)


@transaction.atomic
def backup_codes_replace(*, user: Any) -> list[str]:
    """Replace the user's backup codes with a new set and return them (shown once)."""
    # The same device keeps its row: a session that logged in with a backup code stays verified.
    device, _ = StaticDevice.objects.get_or_create(
        user=user, defaults={"name": "backup", "confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def second_factor_disable(*, user: Any) -> None:
    """Turn two-step verification off: remove the app and the backup codes."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


@dataclass(frozen=True)
class CodeCheck:
    """The outcome of a code: the device that accepted it, or how long to wait before the next
    try after too many wrong ones (wait_seconds > 0), or neither (a wrong code)."""

    device: Device | None = None
    wait_seconds: int = 0


def code_check(*, user: Any, code: str) -> CodeCheck:
    """Check a code from the user's app (6 digits) or one of their backup codes.

    Each wrong code is counted on its device, and after each the next try must wait twice as
    long (django-otp's ThrottlingMixin: 1 s, 2 s, 4 s …), so codes cannot be guessed.
    """
    model = TOTPDevice if code.isdigit() else StaticDevice
    # The device row is locked until the count or the used code is saved, so two tries at once
    # cannot both use one backup code or both slip under the wait.
    with transaction.atomic():
        device = model.objects.select_for_update().filter(user=user, confirmed=True).first()
        if device is None:
            return CodeCheck()
        allowed, details = device.verify_is_allowed()
        if not allowed:
            wait = (details["locked_until"] - timezone.now()).total_seconds()
            return CodeCheck(wait_seconds=max(1, math.ceil(wait)))
        if device.verify_token(code):
            return CodeCheck(device=device)
        return CodeCheck()
