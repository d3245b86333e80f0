"""The start page: what a member attends and reads next, and what they and the managers of
their branches have to act on (check in, 补学, leave, attendance not taken).

Each part is one query whatever the size of the organisation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db.models import CharField, Count, Q, QuerySet, Value
from django.utils import timezone

from groups.attendance.expected import sessions_expecting
from groups.checkin.services import checkins_due
from groups.leave.makeup import makeups_to_confirm
from groups.leave.services import pending_leave_requests
from groups.models import LeaveRequest, MakeUpStudy, Member, StudySession
from groups.permissions import managed_branches, own_member
from groups.reading.selectors import (
    MANAGED_SESSIONS_SHOWN,
    RECENT_DAYS,
    UPCOMING_DAYS,
    ReadingItem,
    member_reading,
)

LEAVE_SHOWN = 5


@dataclass
class ToDo:
    """What the start page asks the user to act on, each with the page that does it."""

    # The member's side.
    check_in: list[StudySession] = field(default_factory=list)  # open, not yet checked in
    makeups_open: int = 0  # 补学 tasks not yet submitted
    leave: list[LeaveRequest] = field(default_factory=list)  # for sessions still to come
    # The manager's side.
    in_progress: list[StudySession] = field(default_factory=list)
    attendance_missing: list[StudySession] = field(default_factory=list)  # held, none taken
    leave_pending: int = 0
    makeups_to_confirm: int = 0

    def __bool__(self) -> bool:
        return any(vars(self).values())


@dataclass
class HomeData:
    member: Member | None
    upcoming: list[StudySession] = field(default_factory=list)
    reading: list[ReadingItem] = field(default_factory=list)
    # None when the user manages no branch.
    managed: list[StudySession] | None = None
    todo: ToDo = field(default_factory=ToDo)

    @property
    def read_count(self) -> int:
        return sum(1 for item in self.reading if item.read_at)


def member_home_data(user: Any, *, now: datetime | None = None) -> HomeData:
    """Return what the start page shows a user, in a constant number of queries."""
    now = now or timezone.now()
    member = own_member(user)
    data = HomeData(member=member)
    window = {"starts_at__gte": now, "starts_at__lt": now + timedelta(days=UPCOMING_DAYS)}
    if member is not None:
        data.upcoming = list(sessions_expecting(member).filter(**window).for_display())
        data.reading = member_reading(member, now=now)
    managed = list(
        StudySession.objects.filter(branch__in=managed_branches(user), **window)
        .not_cancelled()
        .for_display()[:MANAGED_SESSIONS_SHOWN]
    )
    if managed or managed_branches(user).exists():
        data.managed = managed
    data.todo = _todo(user, member, managing=data.managed is not None, now=now)
    return data


def _todo(user: Any, member: Member | None, *, managing: bool, now: datetime) -> ToDo:
    """Return the start page's to-do list: one query per line, whatever the data size."""
    todo = ToDo()
    counted: dict[str, QuerySet] = {}
    if member is not None:
        todo.check_in = checkins_due(user, now=now)
        counted["makeups_open"] = MakeUpStudy.objects.filter(
            attendance__member=member, submitted_at__isnull=True, confirmed_at__isnull=True
        )
        todo.leave = list(
            LeaveRequest.objects.filter(member=member, session__starts_at__gte=now)
            .exclude(status=LeaveRequest.Status.WITHDRAWN)
            .select_related("session__kind")
            .order_by("session__starts_at", "pk")[:LEAVE_SHOWN]
        )
    if managing:
        counted["leave_pending"] = pending_leave_requests(user)
        counted["makeups_to_confirm"] = makeups_to_confirm(user)
        recent = (
            StudySession.objects.not_cancelled()
            .filter(
                branch__in=managed_branches(user),
                starts_at__lte=now,
                starts_at__gte=now - timedelta(days=RECENT_DAYS),
            )
            .annotate(
                expected=Count("attendance"),
                recorded=Count("attendance", filter=~Q(attendance__status="")),
            )
            .for_display()
            .order_by("-starts_at", "pk")
        )
        for session in recent:
            if session.ends_at > now:
                todo.in_progress.append(session)
            elif session.expected and not session.recorded:
                todo.attendance_missing.append(session)
    for line, count in count_each(counted).items():
        setattr(todo, line, count)
    return todo


def count_each(querysets: dict[str, QuerySet]) -> dict[str, int]:
    """Count each queryset, all in one query: a UNION of one COUNT per queryset."""
    if not querysets:
        return {}
    first, *rest = (
        queryset.order_by().values_list(Value(name, output_field=CharField()), Count("pk"))
        for name, queryset in querysets.items()
    )
    return dict(first.union(*rest, all=True) if rest else first)
