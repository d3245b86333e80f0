"""Read paths for sessions: who sees which, who is expected, warnings, calendar and compliance."""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from groups.attendance.expected import committee_members
from groups.models import (
    Attendance,
    Branch,
    Member,
    SessionKind,
    StudySession,
)
from groups.models.org import MemberQuerySet
from groups.models.sessions import StudySessionQuerySet

# --- Scope --------------------------------------------------------------------------------


def filter_sessions(
    sessions: StudySessionQuerySet,
    *,
    branch: Branch | None = None,
    kind: SessionKind | None = None,
) -> StudySessionQuerySet:
    """Keep the sessions of a branch subtree and of a kind, where given."""
    if branch is not None:
        sessions = sessions.filter(branch__path__startswith=branch.path)
    if kind is not None:
        sessions = sessions.filter(kind=kind)
    return sessions


# --- Who is expected, and what to warn about ----------------------------------------------


def expected_members(session: StudySession) -> MemberQuerySet:
    """Return who is expected at a session: its 应到 snapshot, taken when it was scheduled."""
    return Member.objects.filter(attendance__session=session)


def following_occurrences(session: StudySession) -> tuple[list[StudySession], list[StudySession]]:
    """Return the occurrences an edit of "this and the following" changes, and those it keeps.

    From this occurrence on, a session already held, cancelled or with attendance recorded
    keeps its date, time and details: its record must say what happened. The edited
    occurrence itself always changes.
    """
    rest = (
        StudySession.objects.filter(
            series_id=session.series_id,
            occurrence_day__gte=session.occurrence_day or timezone.localdate(session.starts_at),
        )
        .annotate(
            recorded=Exists(Attendance.objects.filter(session=OuterRef("pk")).exclude(status=""))
        )
        .order_by("occurrence_day", "pk")
    )
    changing: list[StudySession] = []
    kept: list[StudySession] = []
    for item in rest:
        keep = item.pk != session.pk and (
            item.status != StudySession.Status.SCHEDULED or item.recorded
        )
        (kept if keep else changing).append(item)
    return changing, kept


def session_warnings(
    *,
    branch: Branch,
    kind: SessionKind,
    spans: Sequence[tuple[datetime, datetime]],
    exclude: Iterable[int] = (),
) -> list[str]:
    """Return warnings (not errors) for sessions planned at spans: overlaps, no committee."""
    warnings: list[str] = []
    if kind.committee_only and not committee_members(branch).exists():
        warnings.append(
            _("%(branch)s has no committee members for a %(kind)s.")
            % {"branch": branch, "kind": kind.label}
        )
    if not spans:
        return warnings
    others = list(
        StudySession.objects.not_cancelled()
        .filter(
            branch=branch,
            starts_at__lt=max(end for _start, end in spans),
            ends_at__gt=min(start for start, _end in spans),
        )
        .exclude(pk__in=list(exclude))
        .select_related("kind")
    )
    for start, end in spans:
        for other in others:
            if other.starts_at < end and other.ends_at > start:
                local = timezone.localtime(other.starts_at)
                warnings.append(
                    _("Overlaps %(title)s on %(when)s.")
                    % {"title": other.title, "when": date_format(local, "DATETIME_FORMAT")}
                )
    return warnings


# --- Calendar -----------------------------------------------------------------------------


@dataclass
class CalendarDay:
    day: date
    in_month: bool
    is_today: bool
    sessions: list[StudySession] = field(default_factory=list)


def month_grid(sessions: StudySessionQuerySet, *, year: int, month: int) -> list[list[CalendarDay]]:
    """Return the weeks (Monday first) of a month with each day's sessions, in one query."""
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    first, last = weeks[0][0], weeks[-1][-1]
    today = timezone.localdate()
    days = {
        day: CalendarDay(day=day, in_month=day.month == month, is_today=day == today)
        for week in weeks
        for day in week
    }
    for session in sessions.between(first, last + timedelta(days=1)).for_display():
        days[timezone.localdate(session.starts_at)].sessions.append(session)
    return [[days[day] for day in week] for week in weeks]
