"""Scheduling study sessions: recurrence rules, previews and the operations that write sessions.

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
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from dateutil.rrule import rrule, rrulestr
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from groups import conf
from groups.attendance.services import attendance_snapshot
from groups.models import Branch, Member, ReadingAssignment, Series, SessionKind, StudySession
from lessons.models import Section

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
    holidays = conf.public_holidays() if holidays is None else frozenset(holidays)
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
                is_holiday=local_start.date() in holidays,
            )
        )
    return occurrences


# --- Operations that write sessions ------------------------------------------------------


def _check_bounds(*days: date) -> None:
    """Refuse dates before EARLIEST_YEAR or more than MAX_YEARS_AHEAD years from today."""
    today = timezone.localdate()
    latest = today.replace(year=today.year + conf.MAX_YEARS_AHEAD, day=min(today.day, 28))
    for day in days:
        if day.year < conf.EARLIEST_YEAR:
            raise RuleError(
                _("Dates before %(year)d are not accepted.") % {"year": conf.EARLIEST_YEAR}
            )
        if day > latest:
            raise RuleError(
                _("Sessions can be scheduled at most %(years)d years ahead.")
                % {"years": conf.MAX_YEARS_AHEAD}
            )


def _set_reading(sessions: Sequence[StudySession], sections: Sequence[Section]) -> None:
    """Replace the sessions' assigned reading with sections, in the order given."""
    ReadingAssignment.objects.filter(session__in=[s.pk for s in sessions]).delete()
    ReadingAssignment.objects.bulk_create(
        ReadingAssignment(session=session, section=section, position=position)
        for session in sessions
        for position, section in enumerate(sections)
    )


# The fields a session or series takes from the form as they are.
DETAIL_FIELDS = ("topic", "location", "online_url", "host", "recorder", "agenda")


@transaction.atomic
def session_schedule(
    *,
    user: AbstractBaseUser | None,
    branch: Branch,
    kind: SessionKind,
    topic: str,
    starts_at: datetime,
    ends_at: datetime,
    location: str = "",
    online_url: str = "",
    host: Member | None = None,
    recorder: Member | None = None,
    agenda: str = "",
    notes: str = "",
    sections: Sequence[Section] = (),
) -> StudySession:
    """Schedule one session with its assigned reading."""
    _check_bounds(timezone.localdate(starts_at))
    session = StudySession(
        branch=branch,
        kind=kind,
        topic=topic,
        starts_at=starts_at,
        ends_at=ends_at,
        location=location,
        online_url=online_url,
        host=host,
        recorder=recorder,
        agenda=agenda,
        notes=notes,
        created_by=user,
    )
    session.full_clean()
    session.save()
    _set_reading([session], sections)
    attendance_snapshot(sessions=[session])
    return session


@transaction.atomic
def session_update(
    *, session: StudySession, sections: Sequence[Section] | None = None, **fields: object
) -> StudySession:
    """Change one session (one occurrence of a series stays in its series)."""
    allowed = {*DETAIL_FIELDS, "kind", "starts_at", "ends_at", "notes", "status"}
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"session_update() got unexpected fields: {sorted(unknown)}")
    if fields.get("status") == StudySession.Status.CANCELLED:
        raise ValueError("Cancel a session with session_cancel(), which records the reason.")
    for name, value in fields.items():
        setattr(session, name, value)
    if "starts_at" in fields:
        _check_bounds(timezone.localdate(session.starts_at))
    session.full_clean()
    session.save()
    if sections is not None:
        _set_reading([session], sections)
    return session


@transaction.atomic
def session_cancel(*, session: StudySession, reason: str) -> StudySession:
    """Cancel one session (or one occurrence of a series), recording why."""
    reason = reason.strip()
    if not reason:
        raise ValueError("A cancelled session needs a reason.")
    session.status = StudySession.Status.CANCELLED
    session.cancel_reason = reason
    session.save(update_fields=["status", "cancel_reason", "updated_at"])
    return session


def series_preview(
    *,
    rule: str,
    first_day: date,
    start_time: time,
    duration: timedelta,
    until: date | None = None,
    count: int | None = None,
) -> list[Occurrence]:
    """Return the dates a series would have, holidays marked, refusing dates out of bounds."""
    _check_bounds(first_day, *([until] if until else []))
    occurrences = expand_rule(
        rule=rule,
        first_day=first_day,
        start_time=start_time,
        duration=duration,
        until=until,
        count=count,
    )
    if not any(not o.is_holiday for o in occurrences):
        raise RuleError(_("This series has no sessions: check the pattern and the end."))
    _check_bounds(occurrences[-1].day)
    return occurrences


@transaction.atomic
def series_schedule(
    *,
    user: AbstractBaseUser | None,
    branch: Branch,
    kind: SessionKind,
    topic: str,
    rule: str,
    first_day: date,
    start_time: time,
    duration: timedelta,
    until: date | None = None,
    count: int | None = None,
    location: str = "",
    online_url: str = "",
    host: Member | None = None,
    recorder: Member | None = None,
    agenda: str = "",
    sections: Sequence[Section] = (),
) -> Series:
    """Create a series and one session per date it makes, holidays skipped."""
    occurrences = series_preview(
        rule=rule,
        first_day=first_day,
        start_time=start_time,
        duration=duration,
        until=until,
        count=count,
    )
    details = {
        "branch": branch,
        "kind": kind,
        "topic": topic,
        "location": location,
        "online_url": online_url,
        "host": host,
        "recorder": recorder,
        "agenda": agenda,
        "created_by": user,
    }
    series = Series(
        **details,
        rule=normalise_rule(rule),
        first_day=first_day,
        until=until,
        count=count,
        start_time=start_time,
        duration=duration,
    )
    series.full_clean()
    series.save()
    sessions = StudySession.objects.bulk_create(
        StudySession(
            **details,
            series=series,
            occurrence_day=o.day,
            starts_at=o.starts_at,
            ends_at=o.ends_at,
        )
        for o in occurrences
        if not o.is_holiday
    )
    _set_reading(sessions, sections)
    attendance_snapshot(sessions=sessions)
    return series


@transaction.atomic
def series_update_following(
    *,
    session: StudySession,
    user: AbstractBaseUser | None,
    start_time: time,
    duration: timedelta,
    sections: Sequence[Section] | None = None,
    **fields: object,
) -> Series:
    """Change this occurrence and the following ones, splitting them into a new series.

    Each following session keeps its own local date (one moved by hand stays on its day)
    and takes the new time of day, duration and details. The pattern itself is not
    changed here: to repeat differently, cancel the following sessions and start a series.
    """
    unknown = set(fields) - set(DETAIL_FIELDS)
    if unknown:
        raise TypeError(f"series_update_following() got unexpected fields: {sorted(unknown)}")
    if duration <= timedelta(0):
        raise RuleError(_("The session must end after it starts."))
    old = Series.objects.select_for_update().get(pk=session.series_id)
    pivot = session.occurrence_day or timezone.localdate(session.starts_at)
    following = list(
        old.sessions.filter(occurrence_day__gte=pivot).order_by("occurrence_day", "pk")
    )
    if old.sessions.filter(occurrence_day__lt=pivot).exists():
        last_day = old.until or max([timezone.localdate(s.starts_at) for s in following] + [pivot])
        series = Series.objects.get(pk=old.pk)
        series.pk = None
        series.previous = old
        series.first_day = pivot
        series.until, series.count = last_day, None
        series.created_by = user
        series.created_at = timezone.now()
        old.until, old.count = pivot - timedelta(days=1), None
        old.save(update_fields=["until", "count", "updated_at"])
    else:
        series = old  # the first occurrence: change the series itself
    series.start_time, series.duration = start_time, duration
    for name, value in fields.items():
        setattr(series, name, value)
    series.full_clean()
    series.save()
    now = timezone.now()
    for item in following:
        day = timezone.localdate(item.starts_at)
        item.series, item.updated_at = series, now
        item.starts_at = local_to_utc(day, start_time)
        item.ends_at = item.starts_at + duration
        for name, value in fields.items():
            setattr(item, name, value)
    StudySession.objects.bulk_update(
        following, ["series", "starts_at", "ends_at", "updated_at", *fields]
    )
    if sections is not None:
        _set_reading(following, sections)
    return series
