"""Small builders for session tests: branches, members with roles, sessions."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from groups.attendance import attendance_snapshot
from groups.models import (
    Branch,
    BranchKind,
    BranchRole,
    Member,
    MemberCategory,
    SessionKind,
    StudySession,
)

_serial = itertools.count(1)


def make_branch(name: str, kind: str = BranchKind.BRANCH, parent: Branch | None = None) -> Branch:
    """Create a branch under parent (a root without one)."""
    fields = {
        "name": name,
        "code": f"sessions-{next(_serial)}",
        "kind": BranchKind.objects.get(code=kind),
    }
    if parent is None:
        return Branch.objects.add_root(fields)
    return Branch.objects.add_child(parent, fields)


def make_member(
    name: str,
    branch: Branch,
    *,
    username: str | None = None,
    role: str | None = None,
    category: str = MemberCategory.FULL,
    **extra: Any,
) -> Member:
    """Create a member (with a login when username is given), holding role in branch if given."""
    user = None
    if username:
        user = get_user_model().objects.create_user(username=username, password="pw-" + username)
    member = Member.objects.create(
        name=name,
        branch=branch,
        user=user,
        category=MemberCategory.objects.get(code=category),
        **extra,
    )
    if role:
        BranchRole.objects.create(
            member=member, branch=branch, role=role, started_on=date(2020, 1, 1)
        )
    return member


def kind(code: str) -> SessionKind:
    return SessionKind.objects.get(code=code)


def local(day: date, at: time = time(14, 30)) -> datetime:
    """Return an aware datetime for a local wall-clock time."""
    return datetime.combine(day, at, tzinfo=timezone.get_default_timezone())


def make_session(
    branch: Branch,
    kind_code: str = SessionKind.STUDY,
    *,
    starts_at: datetime | None = None,
    minutes: int = 90,
    **extra: Any,
) -> StudySession:
    """Create a session of a kind for a branch (tomorrow 14:30 local unless given).

    Like scheduling does, it snapshots the expected members (one attendance row each).
    """
    starts_at = starts_at or local(timezone.localdate() + timedelta(days=1))
    extra.setdefault("topic", "学习新时代党的组织路线")
    session = StudySession.objects.create(
        branch=branch,
        kind=kind(kind_code),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        **extra,
    )
    attendance_snapshot(sessions=[session])
    return session


def grow_organisation(root: Branch, *, branches: int = 20, members: int = 600) -> list[Branch]:
    """Add branches under root, members spread over them and a year of weekly sessions."""
    category = MemberCategory.objects.get(code=MemberCategory.FULL)
    study, themed = kind(SessionKind.STUDY), kind(SessionKind.THEMED_DAY)
    added = [make_branch(f"第{n + 1}党支部", parent=root) for n in range(branches)]
    Member.objects.bulk_create(
        Member(name=f"党员{i}", branch=added[i % branches], category=category)
        for i in range(members)
    )
    first = timezone.localdate() - timedelta(days=182)
    StudySession.objects.bulk_create(
        StudySession(
            branch=branch,
            kind=study if week % 4 else themed,
            topic=f"第{week}周学习",
            starts_at=local(first + timedelta(weeks=week)),
            ends_at=local(first + timedelta(weeks=week)) + timedelta(minutes=90),
        )
        for branch in [root, *added]
        for week in range(52)
    )
    return added
