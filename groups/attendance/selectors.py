"""Read paths for taking attendance: the sheet grouped by 党小组, headcounts and quorum, history."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby
from typing import Any

from django.db.models import Count, Q

from groups.models import Attendance, Branch, SessionKind, StudySession

# The kinds whose decisions need more than half of those entitled present.
QUORUM_KINDS = frozenset({SessionKind.GENERAL_MEETING, SessionKind.COMMITTEE_MEETING})


@dataclass(frozen=True)
class Quorum:
    """Whether more than half of those entitled (full members, or the committee) came."""

    entitled: int
    present: int
    voting: bool  # True: 支部党员大会, counted on full members; False: 支委会, on its members

    @property
    def needed(self) -> int:
        return self.entitled // 2 + 1

    @property
    def reached(self) -> bool:
        return self.entitled > 0 and self.present * 2 > self.entitled


@dataclass(frozen=True)
class Headcounts:
    """应到 / 实到 / 请假 / 缺席 / 未登记 of a session, from its attendance snapshot."""

    expected: int
    present: int
    late: int
    excused: int
    absent: int
    untaken: int
    quorum: Quorum | None

    @property
    def attended(self) -> int:
        """Return 实到: present and late."""
        return self.present + self.late

    @property
    def taken(self) -> int:
        return self.expected - self.untaken

    @property
    def rate(self) -> float | None:
        return self.attended / self.expected if self.expected else None


def session_headcounts(session: StudySession) -> Headcounts:
    """Return a session's headcounts and, for the kinds that vote, its quorum (one query)."""
    status = Attendance.Status
    attended = Q(status__in=Attendance.ATTENDED)
    counts = Attendance.objects.filter(session=session).aggregate(
        expected=Count("pk"),
        present=Count("pk", filter=Q(status=status.PRESENT)),
        late=Count("pk", filter=Q(status=status.LATE)),
        excused=Count("pk", filter=Q(status=status.EXCUSED)),
        absent=Count("pk", filter=Q(status=status.ABSENT)),
        untaken=Count("pk", filter=Q(status="")),
        voters=Count("pk", filter=Q(has_vote=True)),
        voters_attended=Count("pk", filter=Q(has_vote=True) & attended),
    )
    quorum = None
    if session.kind.code == SessionKind.GENERAL_MEETING:
        # 预备党员 have no vote: only full members count, both as entitled and as present.
        quorum = Quorum(counts["voters"], counts["voters_attended"], voting=True)
    elif session.kind.code == SessionKind.COMMITTEE_MEETING:
        # A 支委会 expects exactly the committee (the snapshot), so every row is entitled.
        quorum = Quorum(counts["expected"], counts["present"] + counts["late"], voting=False)
    return Headcounts(
        expected=counts["expected"],
        present=counts["present"],
        late=counts["late"],
        excused=counts["excused"],
        absent=counts["absent"],
        untaken=counts["untaken"],
        quorum=quorum,
    )


@dataclass
class SheetGroup:
    """The expected members of one 党小组 (or of the branch itself) on an attendance sheet."""

    branch: Branch
    rows: list[Attendance]


def attendance_sheet(session: StudySession) -> list[SheetGroup]:
    """Return the session's expected members grouped by their branch then (党小组), in one query.

    The branch is the snapshot's, so a member who moved since is listed where they were.
    """
    rows = (
        Attendance.objects.filter(session=session)
        .select_related("member", "member_branch", "category")
        .order_by("member_branch__path", "member__name", "pk")
    )
    return [
        SheetGroup(branch=branch, rows=list(group))
        for branch, group in groupby(rows, key=lambda row: row.member_branch)
    ]


def attendance_history(row: Attendance) -> list[Any]:
    """Return a row's changes, newest first, with who made each (one query)."""
    return list(row.history.select_related("history_user").order_by("-history_date", "-pk"))
