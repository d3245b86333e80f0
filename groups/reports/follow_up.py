"""Follow-up: members absent without leave from their last sessions, for their managers."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from dateutil.relativedelta import relativedelta
from django.db.models import F, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.utils import timezone

from groups import conf
from groups.models import (
    Attendance,
    BranchRole,
    Member,
    StudySession,
)
from groups.permissions import managed_branches
from groups.reports.filters import ReportFilters, attendance_in_scope

Status = Attendance.Status

# --- Follow-up ----------------------------------------------------------------------------


@dataclass
class FollowUpRow:
    """An active member whose last N recorded sessions were all unexcused absences.

    Fields: member_id, name, branch_id and branch (their current branch), absences (N),
    first and last (local days of the first and latest of those absences).
    """

    member_id: int
    name: str
    branch_id: int
    branch: str
    absences: int
    first: date
    last: date


def _follow_up(
    members: Q,
    *,
    now: datetime,
    absences: int,
    rows: QuerySet[Attendance] | None = None,
) -> list[FollowUpRow]:
    """Return follow-up rows for members matching a Q on Attendance, in one query.

    Without rows, those of the last FOLLOW_UP_MONTHS months: the dashboard's list does not
    grow with the years of history.
    """
    if rows is None:
        rows = Attendance.objects.exclude(session__status=StudySession.Status.CANCELLED).filter(
            session__starts_at__lt=now,
            session__starts_at__gte=now - relativedelta(months=conf.FOLLOW_UP_MONTHS),
        )
    latest = (
        rows.filter(members, member__status=Member.Status.ACTIVE)
        .exclude(status="")  # not yet recorded: neither breaks nor extends a run
        .annotate(
            recent=Window(
                RowNumber(),
                partition_by=[F("member_id")],
                order_by=[F("session__starts_at").desc(), F("session_id").desc()],
            )
        )
        .filter(recent__lte=absences)
        .values(
            "member_id",
            "member__name",
            "member__branch_id",
            "member__branch__name",
            "member__branch__path",
            "status",
            "session__starts_at",
        )
    )
    runs: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in latest:
        runs[row["member_id"]].append(row)
    result = []
    for found in runs.values():
        if len(found) < absences or any(r["status"] != Status.ABSENT for r in found):
            continue
        days = sorted(timezone.localdate(r["session__starts_at"]) for r in found)
        first = found[0]
        result.append(
            FollowUpRow(
                member_id=first["member_id"],
                name=first["member__name"],
                branch_id=first["member__branch_id"],
                branch=first["member__branch__name"],
                absences=absences,
                first=days[0],
                last=days[-1],
            )
        )
    paths = {r["member_id"]: r["member__branch__path"] for f in runs.values() for r in f}
    return sorted(result, key=lambda r: (paths[r.member_id], r.name, r.member_id))


def follow_up_rows(
    filters: ReportFilters, *, now: datetime | None = None, absences: int | None = None
) -> list[FollowUpRow]:
    """Return the members of the filters' scope absent from their last N sessions in a row.

    Scoped by the member's current branch (who follows up); the run is judged on sessions
    up to the period's end (kinds and categories narrowing them).
    """
    now = now or timezone.now()
    members = Q()
    if filters.root is not None:
        members = Q(member__branch__path__startswith=filters.root.path)
    if filters.member is not None:
        members = Q(member=filters.member)
    rows = attendance_in_scope(
        ReportFilters(
            start=filters.start,
            end=filters.end,
            kinds=filters.kinds,
            categories=filters.categories,
        ),
        now=now,
    )
    return _follow_up(members, now=now, absences=absences or conf.FOLLOW_UP_ABSENCES, rows=rows)


def follow_up_for_user(
    user: Any, *, now: datetime | None = None, absences: int | None = None
) -> list[FollowUpRow]:
    """Return the follow-up list of the branches a user manages (the dashboard's), 1 query."""
    return _follow_up(
        Q(member__branch__in=managed_branches(user)),
        now=now or timezone.now(),
        absences=absences or conf.FOLLOW_UP_ABSENCES,
    )


def follow_up_by_manager(
    *, now: datetime | None = None, absences: int | None = None
) -> dict[int, list[FollowUpRow]]:
    """Return each managing user's follow-up list (users with a current role), in 2 queries."""
    now = now or timezone.now()
    everyone = _follow_up(Q(), now=now, absences=absences or conf.FOLLOW_UP_ABSENCES)
    if not everyone:
        return {}
    paths = dict(
        Member.objects.filter(pk__in=[r.member_id for r in everyone]).values_list(
            "pk", "branch__path"
        )
    )
    roles = BranchRole.objects.active(timezone.localdate(now)).filter(
        member__user__isnull=False,
        member__user__is_active=True,
        member__status=Member.Status.ACTIVE,
    )
    result: dict[int, list[FollowUpRow]] = defaultdict(list)
    for user_id, role_paths in _group(roles.values_list("member__user_id", "branch__path")):
        result[user_id] = [
            r for r in everyone if any(paths[r.member_id].startswith(p) for p in role_paths)
        ]
    return {user_id: rows for user_id, rows in result.items() if rows}


def _group(pairs: Iterable[tuple[int, str]]) -> list[tuple[int, list[str]]]:
    grouped: dict[int, list[str]] = defaultdict(list)
    for key, value in pairs:
        grouped[key].append(value)
    return list(grouped.items())
