"""Read paths for taking attendance: the sheet grouped by 党小组, and a row's history."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby
from typing import Any

from django.db.models import Count, Q

from groups.models import Attendance, Branch, StudySession


@dataclass
class SheetGroup:
    """The expected members of one 党小组 (or of the branch itself) on an attendance sheet."""

    branch: Branch
    rows: list[Attendance]


# Beyond this many expected members (a 党委-wide session), the sheet shows one group at a time
# with an index of all of them, so that a page stays the same size whatever the session.
SHEET_ROWS = 300


@dataclass
class GroupCount:
    """A group of the sheet's index: its branch (as the snapshot has it) and its counts."""

    branch_id: int
    name: str
    expected: int
    recorded: int


@dataclass
class Sheet:
    """The groups the page shows, with their rows; with more than SHEET_ROWS members, the
    index of every group (``index``) and the one shown (``current``)."""

    groups: list[SheetGroup]
    index: list[GroupCount] | None = None
    current: int | None = None


def attendance_sheet(session: StudySession, *, group: Any = None, everyone: bool = False) -> Sheet:
    """Return the session's expected members grouped by their branch then (党小组), in two
    queries: every group, or beyond SHEET_ROWS members the chosen group (else the first);
    with everyone (the printed sign-in sheet), every group in one query.

    The branch is the snapshot's, so a member who moved since is listed where they were.
    """
    rows = Attendance.objects.filter(session=session)
    index = (
        []
        if everyone
        else [
            GroupCount(
                r["member_branch_id"], r["member_branch__name"], r["expected"], r["recorded"]
            )
            for r in rows.order_by()
            .values("member_branch_id", "member_branch__name", "member_branch__path")
            .annotate(expected=Count("pk"), recorded=Count("pk", filter=~Q(status="")))
            .order_by("member_branch__path")
        ]
    )
    split = sum(g.expected for g in index) > SHEET_ROWS
    current = None
    if split:
        ids = [g.branch_id for g in index]
        current = next((i for i in ids if str(i) == str(group)), ids[0])
        rows = rows.filter(member_branch_id=current)
    rows = rows.select_related("member", "member_branch", "category").order_by(
        "member_branch__path", "member__name", "pk"
    )
    groups = [
        SheetGroup(branch=branch, rows=list(found))
        for branch, found in groupby(rows, key=lambda row: row.member_branch)
    ]
    return Sheet(groups=groups, index=index if split else None, current=current)


def signin_sheet_groups(session: StudySession) -> tuple[list[SheetGroup], int]:
    """Return every group of the printed sign-in sheet, numbered down the whole sheet across
    the 党小组 headings (``row.number``), and how many are expected (one query)."""
    groups = attendance_sheet(session, everyone=True).groups
    rows = [row for group in groups for row in group.rows]
    for number, row in enumerate(rows, start=1):
        row.number = number
    return groups, len(rows)


def attendance_history(row: Attendance) -> list[Any]:
    """Return a row's changes, newest first, with who made each (one query)."""
    return list(row.history.select_related("history_user").order_by("-history_date", "-pk"))
