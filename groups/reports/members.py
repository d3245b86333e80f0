"""The members report: each member's headcounts over the period, and their totals."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from groups.attendance.headcounts import COUNT_FIELDS, Counts, status_counts
from groups.models import (
    Attendance,
)
from groups.reports.filters import ReportFilters, attendance_in_scope, group_labels

Status = Attendance.Status

# --- Per member ---------------------------------------------------------------------------


@dataclass(kw_only=True)
class MemberRow(Counts):
    """One member in one 党小组 (the snapshot branch) over the period.

    Fields: member_id, name, category (the member's current category name), group_id,
    group (label of the 党小组 / branch), makeup_done (补学 confirmed) and the Counts
    fields expected, present, late, excused, absent, not_recorded; properties attended, rate.
    """

    member_id: int
    name: str
    category: str
    group_id: int
    group: str
    makeup_done: int = 0


# What identifies a member's row in a report: the member within their snapshot 党小组.
MEMBER_COLUMNS = (
    "member_branch_id",
    "member_branch__path",
    "member_id",
    "member__name",
    "member__category__name",
)


def member_fields(row: dict[str, Any], labels: dict[str, str]) -> dict[str, Any]:
    """Return the identifying fields of a member row from a row grouped by MEMBER_COLUMNS."""
    return {
        "member_id": row["member_id"],
        "name": row["member__name"],
        "category": row["member__category__name"],
        "group_id": row["member_branch_id"],
        "group": labels[row["member_branch__path"]],
    }


def member_rows(filters: ReportFilters, *, now: datetime | None = None) -> list[MemberRow]:
    """Return each member's headcounts per 党小组, in one aggregate query (plus the labels)."""
    now = now or timezone.now()
    grouped = (
        attendance_in_scope(filters, now=now)
        .values(*MEMBER_COLUMNS)
        .annotate(
            **status_counts(),
            makeup_done=Count("pk", filter=Q(makeup__confirmed_at__isnull=False)),
        )
        .order_by("member_branch__path", "member__name", "member_id")
    )
    grouped = list(grouped)
    labels = group_labels({r["member_branch__path"] for r in grouped}, filters.root)
    return [
        MemberRow(
            **member_fields(r, labels),
            makeup_done=r["makeup_done"],
            **{name: r[name] for name in COUNT_FIELDS},
        )
        for r in grouped
    ]


def totals(rows: Iterable[MemberRow]) -> Counts:
    """Return the sum of member rows' headcounts (for a total line)."""
    total = Counts()
    for row in rows:
        total.add(row)
    return total
