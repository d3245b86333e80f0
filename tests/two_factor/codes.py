"""What an authenticator app shows: real TOTP codes from a device's secret, at test time."""

from __future__ import annotations

from base64 import b32decode
from binascii import unhexlify
from datetime import timedelta

import time_machine
from django.utils import timezone
from django_otp.oath import totp


def hex_key(manual_key: str) -> str:
    """Return the hex secret for the base32 key the setup page shows for typing by hand."""
    return b32decode(manual_key.replace(" ", "")).hex()


def app_code(key: str) -> str:
    """Return the code an authenticator app with this (hex) secret shows now."""
    return f"{totp(unhexlify(key)):06d}"


def wrong_code(key: str) -> str:
    """Return a code the app shows at no step near now (the step before and after count too)."""
    near = {f"{totp(unhexlify(key), drift=d):06d}" for d in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in near)


def later(seconds: float):
    """Move the clock on (a new code shows every 30 seconds, and one code logs in once)."""
    return time_machine.travel(timezone.now() + timedelta(seconds=seconds), tick=True)
