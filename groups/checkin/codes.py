"""Self check-in: rotating signed QR tokens and short codes, the check-in window, the check-in.

Time is cut into 60-second windows (window = floor(unix time / 60)). For each session and
window the display shows a QR link carrying a signed token of "<session>:<window>" and a
6-digit short code, HMAC-SHA256 of the same value under a key derived from SECRET_KEY.
Both are accepted in their own window and the one after it, so a code read at second 59
still works; older ones are expired. A token or code names its session, so it can only
ever mark that session, and only for a member expected at it, inside its window.
"""

from __future__ import annotations

import hmac
from datetime import datetime

from django.core import signing
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from groups.models import StudySession

SALT = "studyhub.checkin"
ROTATION_SECONDS = 60
CODE_DIGITS = 6
# Codes this many windows old are still recognised, to tell "expired" from "wrong".
RECOGNISED_WINDOWS = 30


class CheckinError(Exception):
    """A refused check-in; the message says why, and nothing was saved."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def window_of(now: datetime) -> int:
    """Return the 60-second window a moment falls in."""
    return int(now.timestamp()) // ROTATION_SECONDS


def _signer() -> signing.Signer:
    # The window inside the signed value is the timestamp: a TimestampSigner would add a
    # second, real-clock one, and make the token differ on every refresh of the display.
    return signing.Signer(salt=SALT, algorithm="sha256")


def checkin_token(*, session_pk: int, now: datetime) -> str:
    """Return the signed token the QR link carries for a session in now's window."""
    return _signer().sign(f"{session_pk}:{window_of(now)}")


def _code_for(session_pk: int, window: int) -> str:
    digest = salted_hmac(SALT + ".code", f"{session_pk}:{window}", algorithm="sha256").digest()
    return f"{int.from_bytes(digest, 'big') % 10**CODE_DIGITS:0{CODE_DIGITS}d}"


def checkin_code(*, session_pk: int, now: datetime) -> str:
    """Return the 6-digit short code of a session in now's window."""
    return _code_for(session_pk, window_of(now))


def normalise_code(raw: str) -> str:
    """Return a typed code without the spaces and dashes people put in."""
    return "".join(ch for ch in raw if ch not in " -\u3000")


def check_token(*, session: StudySession, token: str, now: datetime) -> None:
    """Refuse a token that is forged, of another session, or no longer current."""
    try:
        value = _signer().unsign(token)
        session_part, window_part = value.split(":")
        window = int(window_part)
    except (signing.BadSignature, ValueError) as exc:
        raise CheckinError(
            _("This check-in link is not valid (it may have been altered). Scan the code again."),
            code="forged",
        ) from exc
    if session_part != str(session.pk):
        raise CheckinError(
            _("This check-in code belongs to another session, not this one."), code="other"
        )
    current = window_of(now)
    if window < current - 1:
        raise CheckinError(
            _("This check-in code has expired. Scan the code shown now."), code="expired"
        )
    if window > current:
        raise CheckinError(
            _("This check-in link is not valid yet. Scan the code shown now."), code="forged"
        )


def match_code(session_pk: int, code: str, now: datetime) -> str:
    """Return "ok" for a current code of the session, "expired" for an old one, else ""."""
    current = window_of(now)
    for age in range(RECOGNISED_WINDOWS):
        if hmac.compare_digest(_code_for(session_pk, current - age), code):
            return "ok" if age <= 1 else "expired"
    return ""
