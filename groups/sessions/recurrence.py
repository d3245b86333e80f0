"""Recurrence rules for series of sessions: build, normalise and expand them (pure, no writes).

Recurrence follows RFC 5545 through python-dateutil's rrule, with these choices:

* A series keeps its rule without ``UNTIL``/``COUNT``; the end is the series' own
  ``until`` date (inclusive) or ``count``. ``COUNT`` counts the dates the rule makes
  *before* holidays are taken out, as RFC 5545 counts before ``EXDATE``: "10 sessions"
  with one holiday among them gives nine, and the preview shows the tenth as skipped.
* Times are local wall-clock times in ``settings.TIME_ZONE`` (Asia/Shanghai): 14:30 every
  Tuesday stays 14:30 locally and is stored in UTC (06:30Z).
* ``BYMONTHDAY=31`` makes no date in a month without a 31st (RFC 5545); "the last day of
  each month" is ``BYMONTHDAY=-1``. The form offers both and says so.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from dateutil.rrule import rrule, rrulestr
from django.utils import timezone
from django.utils.translation import gettext as _

from groups import conf
from groups.sessions.holidays import public_holidays

WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


class RuleError(ValueError):
    """A recurrence rule or series end that cannot be scheduled; the message is for the user."""


class Pattern(enum.StrEnum):
    """The recurrence shapes the series form offers."""

    WEEKLY = "weekly"
    MONTHLY_DAY = "monthly_day"
    MONTHLY_LAST_DAY = "monthly_last_day"
    MONTHLY_WEEKDAY = "monthly_weekday"
    CUSTOM = "custom"


def build_rule(
    *,
    pattern: Pattern | str,
    interval: int = 1,
    weekdays: Sequence[str] = (),
    month_day: int | None = None,
    nth: int | None = None,
    weekday: str | None = None,
    custom: str = "",
) -> str:
    """Return the RFC 5545 RRULE value (no UNTIL/COUNT) for a pattern chosen in the form."""
    pattern = Pattern(pattern)
    if pattern is Pattern.CUSTOM:
        return normalise_rule(custom)
    if not 1 <= interval <= 12:
        raise RuleError(_("Repeat every 1 to 12 weeks or months."))
    if pattern is Pattern.WEEKLY:
        days = [d for d in WEEKDAY_CODES if d in set(weekdays)]
        if not days:
            raise RuleError(_("Choose at least one weekday."))
        return f"FREQ=WEEKLY;INTERVAL={interval};BYDAY={','.join(days)}"
    if pattern is Pattern.MONTHLY_DAY:
        if month_day is None or not 1 <= month_day <= 31:
            raise RuleError(_("Choose a day of the month from 1 to 31."))
        return f"FREQ=MONTHLY;INTERVAL={interval};BYMONTHDAY={month_day}"
    if pattern is Pattern.MONTHLY_LAST_DAY:
        return f"FREQ=MONTHLY;INTERVAL={interval};BYMONTHDAY=-1"
    if nth not in (1, 2, 3, 4, -1) or weekday not in WEEKDAY_CODES:
        raise RuleError(_("Choose which weekday of the month (first to fourth, or last)."))
    return f"FREQ=MONTHLY;INTERVAL={interval};BYDAY={nth}{weekday}"


def normalise_rule(text: str) -> str:
    """Return a typed RRULE without its ``RRULE:`` prefix, or raise RuleError."""
    rule = text.strip().upper()
    rule = rule.removeprefix("RRULE:")
    if not rule:
        raise RuleError(_("Enter a recurrence rule, e.g. FREQ=WEEKLY;BYDAY=TU."))
    parts = dict(part.partition("=")[::2] for part in rule.split(";") if part)
    if "UNTIL" in parts or "COUNT" in parts:
        raise RuleError(_("Give the end of the series below, not as UNTIL or COUNT in the rule."))
    if parts.get("FREQ") not in {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}:
        raise RuleError(_("The rule must repeat daily, weekly, monthly or yearly."))
    try:
        rrulestr(rule, dtstart=datetime(2026, 1, 1))  # noqa: DTZ001 - a parse check only
    except (ValueError, TypeError) as exc:
        message = _("This is not a valid recurrence rule: %(error)s") % {"error": exc}
        raise RuleError(message) from exc
    return rule


@dataclass(frozen=True)
class Occurrence:
    """One date a series makes: its UTC start and end, and whether a holiday skips it."""

    day: date
    starts_at: datetime
    ends_at: datetime
    is_holiday: bool = False


def local_to_utc(day: date, at: time, tz: tzinfo | None = None) -> datetime:
    """Return the UTC instant of a local wall-clock time on a day."""
    tz = tz or timezone.get_default_timezone()
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def expand_rule(
    *,
    rule: str,
    first_day: date,
    start_time: time,
    duration: timedelta,
    until: date | None = None,
    count: int | None = None,
    holidays: Iterable[date] | None = None,
    tz: tzinfo | None = None,
    limit: int = conf.MAX_OCCURRENCES,
) -> list[Occurrence]:
    """Return every date of a series from first_day, holidays marked, in order."""
    if (until is None) == (count is None):
        raise RuleError(_("End the series either on a date or after a number of sessions."))
    if until is not None and until < first_day:
        raise RuleError(_("The series ends before it starts."))
    if count is not None and not 1 <= count <= limit:
        raise RuleError(_("A series has 1 to %(limit)d sessions.") % {"limit": limit})
    if duration <= timedelta(0):
        raise RuleError(_("The session must end after it starts."))
    start = datetime.combine(first_day, start_time)  # noqa: DTZ001 - local wall-clock time
    recurrence: rrule = rrulestr(normalise_rule(rule), dtstart=start)
    if until is not None:
        recurrence = recurrence.replace(until=datetime.combine(until, time.max))  # noqa: DTZ001
    else:
        recurrence = recurrence.replace(count=count)
    tz = tz or timezone.get_default_timezone()
    occurrences: list[Occurrence] = []
    for local_start in recurrence:
        if len(occurrences) == limit:
            raise RuleError(
                _("This series would have more than %(limit)d sessions; end it sooner.")
                % {"limit": limit}
            )
        starts = local_start.replace(tzinfo=tz)
        occurrences.append(
            Occurrence(
                day=local_start.date(),
                starts_at=starts.astimezone(UTC),
                ends_at=(starts + duration).astimezone(UTC),
            )
        )
    if holidays is None:
        holidays = public_holidays(o.day.year for o in occurrences)
    holidays = frozenset(holidays)
    return [replace(o, is_holiday=o.day in holidays) for o in occurrences]
