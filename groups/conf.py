"""Settings of the groups app, with their defaults; read them through these helpers.

``STUDYHUB_PUBLIC_HOLIDAYS`` fixes the ISO dates on which a recurring series schedules
nothing, for a deployment that wants its own list: a list in the project settings wins (an
empty list: no holidays), then the environment variable of that name (comma-separated ISO
dates). Without either, the national calendar is used with the days the 组织部 adds or
takes off on the holidays page (``groups.sessions.holidays``).
"""

from __future__ import annotations

import os
from datetime import date

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def public_holidays() -> frozenset[date] | None:
    """Return the holidays a deployment fixes by setting or environment, else None.

    None means the default: the national calendar with the 组织部's own changes
    (``groups.sessions.holidays``).
    """
    raw = getattr(settings, "STUDYHUB_PUBLIC_HOLIDAYS", None)
    if raw is None:
        env = os.environ.get("STUDYHUB_PUBLIC_HOLIDAYS", "")
        if not env.strip():
            return None
        raw = env
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
# Only absences of the last STUDYHUB_FOLLOW_UP_MONTHS months make such a run: older ones are
# not news to follow up, and the dashboard then reads a year of records, not all of them.
FOLLOW_UP_MONTHS = max(1, _env_whole("STUDYHUB_FOLLOW_UP_MONTHS", 12))


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


# Exports: one of more rows than this (CSV or XLSX, any report) is made as a background job
# (studyhub/jobs) with a progress bar and a download when ready, not within the request:
# XLSX writes about 14,000 rows a second, so 10,000 rows stay under a second.
# STUDYHUB_EXPORT_JOB_ROWS sets it.
EXPORT_JOB_ROWS = _env_whole("STUDYHUB_EXPORT_JOB_ROWS", 10_000)


# Roster files: read up to ROSTER_MAX_ROWS rows (a 6,000-member 党委 fits) and the first
# ROSTER_MAX_COLUMNS columns; an .xlsx may unpack to ROSTER_MAX_UNPACKED_BYTES (a
# 10,000-row roster unpacks to about 3 MB). Larger files are refused before being read.
ROSTER_MAX_ROWS = _env_whole("STUDYHUB_ROSTER_MAX_ROWS", 10_000)
ROSTER_MAX_COLUMNS = 50
ROSTER_MAX_UNPACKED_BYTES = 20 * 1024 * 1024


# Minutes attachments (photos and PDFs): the largest file accepted, in bytes (10 MB unless
# STUDYHUB_ATTACHMENT_MAX_BYTES says otherwise). Read at upload time, so tests may patch it.
MINUTES_ATTACHMENT_MAX_BYTES = _env_whole("STUDYHUB_ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
