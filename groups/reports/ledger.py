"""The ledger (台账): one row per session held, with its headcounts and who was missing."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db.models import Q, QuerySet
from django.utils import timezone

from groups.attendance.headcounts import COUNT_FIELDS, Counts, status_counts
from groups.models import (
    Attendance,
    StudySession,
)
from groups.models.sessions import local_midnight
from groups.reports.filters import ReportFilters, attendance_in_scope

Status = Attendance.Status

# --- The ledger (台账) -----------------------------------------------------------------------


@dataclass(kw_only=True)
class LedgerRow(Counts):
    """One session that took place.

    Fields: session_id, day, starts (local time), ends (local time), minutes (duration),
    kind, branch, topic, host, recorder, excused_names, absent_names and the Counts fields
    expected (应到), present, late, excused (请假), absent (缺席), not_recorded; properties
    attended (实到) and rate.
    """

    session_id: int
    day: date
    starts: time
    ends: time
    minutes: int
    kind: str
    branch: str
    topic: str
    host: str
    recorder: str
    excused_names: list[str] = field(default_factory=list)
    absent_names: list[str] = field(default_factory=list)


def ledger_sessions(filters: ReportFilters, *, now: datetime) -> QuerySet[StudySession]:
    """Return the sessions a ledger lists: held in the period, not cancelled, and either the
    subtree's own or one where members of the subtree were expected (a 党委's 集中学习)."""
    sessions = StudySession.objects.not_cancelled().filter(
        starts_at__gte=local_midnight(filters.start), starts_at__lt=filters.window_end(now)
    )
    if filters.kinds:
        sessions = sessions.filter(kind__in=[k.pk for k in filters.kinds])
    expected = Q(pk__in=attendance_in_scope(filters, now=now).values("session_id"))
    if filters.root is not None and filters.member is None:
        return sessions.filter(Q(branch__path__startswith=filters.root.path) | expected)
    return sessions.filter(expected)


def ledger_rows(filters: ReportFilters, *, now: datetime | None = None) -> list[LedgerRow]:
    """Return the 台账: one row per session with headcounts and names, in three queries.

    The headcounts count the rows every report counts (``attendance_in_scope``): the
    subtree's members only, so the ledger's 应到 adds up to the members tab's.
    """
    now = now or timezone.now()
    in_scope = attendance_in_scope(filters, now=now)
    sessions = (
        ledger_sessions(filters, now=now)
        .select_related("kind", "branch", "host", "recorder")
        .order_by("starts_at", "pk")
    )
    counts = {
        row.pop("session_id"): row
        for row in in_scope.values("session_id").annotate(**status_counts()).order_by()
    }
    missed = in_scope.filter(status__in=Attendance.MISSED)
    names: dict[tuple[int, str], list[str]] = defaultdict(list)
    for session_id, status, name in missed.order_by("member__name", "member_id").values_list(
        "session_id", "status", "member__name"
    ):
        names[(session_id, status)].append(name)
    rows = []
    for s in sessions:
        starts, ends = timezone.localtime(s.starts_at), timezone.localtime(s.ends_at)
        rows.append(
            LedgerRow(
                session_id=s.pk,
                day=starts.date(),
                starts=starts.time(),
                ends=ends.time(),
                minutes=int((s.ends_at - s.starts_at).total_seconds() // 60),
                kind=s.kind.label,
                branch=s.branch.name,
                topic=s.topic,
                host=s.host.name if s.host else "",
                recorder=s.recorder.name if s.recorder else "",
                **counts.get(s.pk, dict.fromkeys(COUNT_FIELDS, 0)),
                excused_names=names[(s.pk, Status.EXCUSED)],
                absent_names=names[(s.pk, Status.ABSENT)],
            )
        )
    return rows
