"""The one rule for how far back and ahead a date may be, for sessions, series and reports."""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from django.utils.translation import gettext as _

from groups import conf


def latest_day(today: date | None = None) -> date:
    """Return the last day accepted: MAX_YEARS_AHEAD years from today (28 Feb for 29 Feb)."""
    today = today or timezone.localdate()
    return today.replace(year=today.year + conf.MAX_YEARS_AHEAD, day=min(today.day, 28))


def day_out_of_range(day: date, *, today: date | None = None) -> str | None:
    """Return why a day is not accepted (before EARLIEST_YEAR, or too far ahead), else None."""
    if day.year < conf.EARLIEST_YEAR:
        return _("Dates before %(year)d are not accepted.") % {"year": conf.EARLIEST_YEAR}
    if day > latest_day(today):
        return _("Dates can be at most %(years)d years ahead.") % {"years": conf.MAX_YEARS_AHEAD}
    return None
