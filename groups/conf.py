"""Settings of the groups app, with their defaults; read them through these helpers.

``STUDYHUB_PUBLIC_HOLIDAYS`` is a list of ISO dates on which a recurring series
schedules nothing. A list in the project settings wins (an empty list: no holidays);
without one the environment variable ``STUDYHUB_PUBLIC_HOLIDAYS`` (comma-separated ISO
dates) is read, and failing that the PRC holidays below. Only days off are listed: the
weekend make-up working days (调休) are ordinary days for a weekly series anyway.
"""

from __future__ import annotations

import os
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _days(first: str, last: str) -> list[str]:
    """Return the ISO dates from first to last inclusive."""
    start, end = date.fromisoformat(first), date.fromisoformat(last)
    return [(start + timedelta(days=n)).isoformat() for n in range((end - start).days + 1)]


# 国务院办公厅 holiday arrangements for 2026; 2027 holds only the fixed New Year's Day
# until its arrangement is published. Deployments keep the list current by setting.
DEFAULT_PUBLIC_HOLIDAYS: list[str] = [
    *_days("2026-01-01", "2026-01-03"),  # 元旦
    *_days("2026-02-15", "2026-02-23"),  # 春节
    *_days("2026-04-04", "2026-04-06"),  # 清明节
    *_days("2026-05-01", "2026-05-05"),  # 劳动节
    *_days("2026-06-19", "2026-06-21"),  # 端午节
    *_days("2026-09-25", "2026-09-27"),  # 中秋节
    *_days("2026-10-01", "2026-10-07"),  # 国庆节
    "2027-01-01",  # 元旦
]


def public_holidays() -> frozenset[date]:
    """Return the configured public holidays (settings, then environment, then defaults)."""
    raw = getattr(settings, "STUDYHUB_PUBLIC_HOLIDAYS", None)
    if raw is None:
        env = os.environ.get("STUDYHUB_PUBLIC_HOLIDAYS", "")
        raw = [item.strip() for item in env.split(",") if item.strip()] or DEFAULT_PUBLIC_HOLIDAYS
    if isinstance(raw, str):
        raw = [item.strip() for item in raw.split(",") if item.strip()]
    try:
        return frozenset(date.fromisoformat(str(item)) for item in raw)
    except ValueError as exc:
        raise ImproperlyConfigured(
            f"STUDYHUB_PUBLIC_HOLIDAYS must hold ISO dates (YYYY-MM-DD): {exc}"
        ) from exc


def _env_whole(name: str, default: int) -> int:
    """Read a whole number from the environment, or the default when it is not set."""
    value = os.environ.get(name, "")
    try:
        return int(value) if value.strip() else default
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number.") from exc


# How far ahead a session or series may be scheduled, and how many dates a series may have.
MAX_YEARS_AHEAD = 5
EARLIEST_YEAR = 2000
MAX_OCCURRENCES = 400


# Reports: a member absent (unexcused) from this many recorded sessions in a row is listed
# for their branch's managers (dashboard, daily email). STUDYHUB_FOLLOW_UP_ABSENCES sets it.
FOLLOW_UP_ABSENCES = max(1, _env_whole("STUDYHUB_FOLLOW_UP_ABSENCES", 3))


# --- Self check-in ------------------------------------------------------------------------
# Members may check in from CHECKIN_OPENS_BEFORE_MINUTES before a session starts until
# CHECKIN_CLOSES_AFTER_MINUTES after it ends; after start + CHECKIN_LATE_GRACE_MINUTES
# they count as late. CHECKIN_MAX_WRONG_CODES wrong short codes within
# CHECKIN_WRONG_CODES_MINUTES lock a member out of typing codes for that session until
# the period has passed (counted in Django's cache: use a shared cache with several hosts).
CHECKIN_OPENS_BEFORE_MINUTES = _env_whole("STUDYHUB_CHECKIN_OPENS_BEFORE_MINUTES", 30)
CHECKIN_CLOSES_AFTER_MINUTES = _env_whole("STUDYHUB_CHECKIN_CLOSES_AFTER_MINUTES", 30)
CHECKIN_LATE_GRACE_MINUTES = _env_whole("STUDYHUB_CHECKIN_LATE_GRACE_MINUTES", 5)
CHECKIN_MAX_WRONG_CODES = _env_whole("STUDYHUB_CHECKIN_MAX_WRONG_CODES", 5)
CHECKIN_WRONG_CODES_MINUTES = _env_whole("STUDYHUB_CHECKIN_WRONG_CODES_MINUTES", 10)


# Exports: an XLSX download of more rows than this is refused with a pointer to the CSV
# download and to `manage.py export_attendance` (CSV streams at any size; XLSX writes about
# 14,000 rows a second here, so 50,000 rows stays within a few seconds — a year of a
# 党委 with 600 members and weekly sessions is about 31,000). STUDYHUB_XLSX_MAX_ROWS sets it.
XLSX_MAX_ROWS = _env_whole("STUDYHUB_XLSX_MAX_ROWS", 50_000)


# Minutes attachments (photos and PDFs): the largest file accepted, in bytes (10 MB unless
# STUDYHUB_ATTACHMENT_MAX_BYTES says otherwise). Read at upload time, so tests may patch it.
MINUTES_ATTACHMENT_MAX_BYTES = _env_whole("STUDYHUB_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
