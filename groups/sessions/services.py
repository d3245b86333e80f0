"""Operations that write sessions: schedule, edit, cancel, series and their previews.

The dates a series makes come from groups/sessions/recurrence.py.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from groups.attendance.services import attendance_refresh_sessions, attendance_snapshot
from groups.dates import day_out_of_range
from groups.leave.withdrawals import leave_withdraw_pending
from groups.models import (
    Branch,
    CalendarToken,
    LeaveRequest,
    MakeUpStudy,
    Member,
    ReadingAssignment,
    Series,
    SessionKind,
    StudySession,
)
from groups.sessions.recurrence import (
    Occurrence,
    RuleError,
    expand_rule,
    local_to_utc,
    normalise_rule,
)
from groups.sessions.selectors import following_occurrences
from lessons.models import Section


def _check_bounds(*days: date) -> None:
    """Refuse days outside the accepted range (groups/dates.py)."""
    for day in days:
        problem = day_out_of_range(day)
        if problem:
            raise RuleError(problem)


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
    kind_before = session.kind_id
    for name, value in fields.items():
        setattr(session, name, value)
    if "starts_at" in fields:
        _check_bounds(timezone.localdate(session.starts_at))
    session.full_clean()
    session.save()
    if sections is not None:
        _set_reading([session], sections)
    if session.kind_id != kind_before:  # another kind expects other people (党员大会 ≠ 党课)
        attendance_refresh_sessions(sessions=[session])
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
    # Nobody can decide leave from, or make up, a session that did not take place.
    leave_withdraw_pending(session=session, because=LeaveRequest.WithdrawnBecause.CANCELLED)
    MakeUpStudy.objects.filter(attendance__session=session, submitted_at__isnull=True).delete()
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
    unknown = set(fields) - {*DETAIL_FIELDS, "kind"}
    if unknown:
        raise TypeError(f"series_update_following() got unexpected fields: {sorted(unknown)}")
    if duration <= timedelta(0):
        raise RuleError(_("The session must end after it starts."))
    old = Series.objects.select_for_update().get(pk=session.series_id)
    pivot = session.occurrence_day or timezone.localdate(session.starts_at)
    following, kept = following_occurrences(session)
    if old.sessions.filter(occurrence_day__lt=pivot).exists():
        last_day = old.until or max(
            [timezone.localdate(s.starts_at) for s in [*following, *kept]] + [pivot]
        )
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
    # Held, cancelled or recorded occurrences stay in the series but keep their record.
    for item in kept:
        item.series, item.updated_at = series, now
    StudySession.objects.bulk_update(kept, ["series", "updated_at"])
    if sections is not None:
        _set_reading(following, sections)
    if "kind" in fields:
        attendance_refresh_sessions(sessions=following)
    return series


@transaction.atomic
def session_edit(
    *,
    session: StudySession,
    user: AbstractBaseUser | None,
    following: bool,
    start_time: time,
    **fields: Any,
) -> list[StudySession]:
    """Save the edit form on one session, or on it and the following ones of its series.

    Return the sessions it changed. One transaction: the series split and this session's
    own status and notes land together or not at all.
    """
    if not following:
        session_update(session=session, **fields)
        return [session]
    series = series_update_following(
        session=session,
        user=user,
        start_time=start_time,
        duration=fields["ends_at"] - fields["starts_at"],
        sections=fields["sections"],
        **{name: fields[name] for name in (*DETAIL_FIELDS, "kind")},
    )
    # The status and notes are this session's own, not the series'.
    session.refresh_from_db()
    session_update(session=session, status=fields["status"], notes=fields["notes"])
    return list(series.sessions.all())


@transaction.atomic
def calendar_token_renew(*, user: AbstractBaseUser) -> CalendarToken:
    """Give the user a new secret calendar feed address; the old one stops working."""
    CalendarToken.objects.filter(user=user).delete()
    return CalendarToken.objects.create(user=user)


def calendar_token_revoke(*, user: AbstractBaseUser) -> None:
    """Turn the user's calendar feed off."""
    CalendarToken.objects.filter(user=user).delete()
