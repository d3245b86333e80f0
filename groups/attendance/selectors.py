"""Read paths for taking attendance: the sheet grouped by 党小组, and a row's history."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby
from typing import Any

from groups.models import Attendance, Branch, StudySession


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
