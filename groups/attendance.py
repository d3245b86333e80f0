"""The 应到 snapshot: which members each session expects, kept in step as rosters change.

A session's expected members are fixed when it is scheduled (one Attendance row each).
Later roster changes touch only sessions that have not started and rows nobody has marked:
a member who joins is added to future sessions, one who leaves is taken off them, and
past records stay as they were.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from groups.models import Attendance, Branch, BranchRole, Member, StudySession
from groups.selectors import expected_members

_SNAPSHOT_FIELDS = ("pk", "branch_id", "category_id", "category__has_vote")


@transaction.atomic
def attendance_snapshot(*, sessions: Iterable[StudySession]) -> int:
    """Create the expected-attendee rows of sessions; return how many were added."""
    expected: dict[tuple[int, int], list[tuple]] = {}
    rows: list[Attendance] = []
    for session in sessions:
        # Sessions of one series share branch and kind, so one query serves them all.
        key = (session.branch_id, session.kind_id)
        if key not in expected:
            expected[key] = list(expected_members(session).values_list(*_SNAPSHOT_FIELDS))
        rows.extend(
            Attendance(
                session=session,
                member_id=member_id,
                member_branch_id=branch_id,
                category_id=category_id,
                has_vote=has_vote,
            )
            for member_id, branch_id, category_id, has_vote in expected[key]
        )
    created = Attendance.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True)
    return len(created)


def attendance_snapshot_missing() -> int:
    """Snapshot the sessions that have no expected attendees recorded yet (for old data)."""
    sessions = StudySession.objects.filter(attendance__isnull=True).select_related("kind", "branch")
    return attendance_snapshot(sessions=sessions.distinct())


@transaction.atomic
def attendance_refresh_member(*, member: Member) -> None:
    """Bring a member's future, unmarked expected-attendee rows in line with their roster."""
    future = StudySession.objects.filter(
        starts_at__gt=timezone.now(), status=StudySession.Status.SCHEDULED
    )
    wanted: set[int] = set()
    if member.is_active:
        branch = member.branch
        lineage = Branch.objects.filter(path__in=[*branch.ancestor_paths, branch.path])
        committees = set(
            BranchRole.objects.active()
            .filter(member=member, role__in=BranchRole.COMMITTEE_ROLES)
            .values_list("branch_id", flat=True)
        )
        wanted = {
            pk
            for pk, branch_id, committee_only in future.filter(branch__in=lineage).values_list(
                "pk", "branch_id", "kind__committee_only"
            )
            if not committee_only or branch_id in committees
        }
    rows = Attendance.objects.filter(member=member, session__in=future)
    rows.filter(status="").exclude(session_id__in=wanted).delete()
    rows.filter(status="").update(
        member_branch=member.branch_id,
        category=member.category_id,
        has_vote=member.category.has_vote,
    )
    have = set(rows.values_list("session_id", flat=True))
    Attendance.objects.bulk_create(
        Attendance(
            session_id=session_id,
            member=member,
            member_branch_id=member.branch_id,
            category_id=member.category_id,
            has_vote=member.category.has_vote,
        )
        for session_id in wanted - have
    )
