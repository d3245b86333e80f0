"""应到 / 实到 / 请假 / 缺席 / 未登记 and the quorum: counted here, for every page and report.

The session page, the check-in display, the printed 会议记录 and every report count through
status_counts, so a status means the same figure everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q

from groups.models import Attendance, SessionKind, StudySession

Status = Attendance.Status
# Each headcount and the status it counts; "expected" (应到) counts every snapshot row.
BY_STATUS = {
    "present": Status.PRESENT,
    "late": Status.LATE,
    "excused": Status.EXCUSED,
    "absent": Status.ABSENT,
    "not_recorded": "",
}
COUNT_FIELDS = ("expected", *BY_STATUS)


def rate(part: int, whole: int) -> float | None:
    """Return part / whole, or None when nothing was expected."""
    return part / whole if whole else None


_ONE_DECIMAL = Decimal("0.1")


def percent(value: float | None) -> Decimal | None:
    """Return a rate as a percentage rounded half up to one decimal (13/16 → 81.3), or None.

    The one rounding rule of every page, chart, CSV and XLSX. The float's shortest decimal
    form (repr) is rounded, not its binary value, so 0.8125 is 81.25 and rounds up.
    """
    if value is None:
        return None
    return (Decimal(repr(value)) * 100).quantize(_ONE_DECIMAL, rounding=ROUND_HALF_UP)


def status_counts(through: str = "", counted: Q | None = None) -> dict[str, Count]:
    """Return the Count annotations of the headcounts: expected and one per status.

    Counted over attendance rows, or over those reached through a relation (``attendance``
    from a session), keeping only the rows matching ``counted`` if given.
    """
    target = through or "pk"
    column = f"{through}__status" if through else "status"
    counted = counted or Q()
    return {
        "expected": Count(target, filter=counted),
        **{
            name: Count(target, filter=counted & Q(**{column: status}))
            for name, status in BY_STATUS.items()
        },
    }


@dataclass
class Counts:
    """Headcounts over expected attendance rows."""

    expected: int = 0
    present: int = 0
    late: int = 0
    excused: int = 0
    absent: int = 0
    not_recorded: int = 0

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> Counts:
        """Return the headcounts of a row aggregated with status_counts()."""
        return cls(**{name: row[name] for name in COUNT_FIELDS})

    @property
    def attended(self) -> int:
        """Return 实到: present and late."""
        return self.present + self.late

    @property
    def taken(self) -> int:
        """Return how many of the expected have a status."""
        return self.expected - self.not_recorded

    @property
    def rate(self) -> float | None:
        return rate(self.attended, self.expected)

    def add(self, other: Counts) -> None:
        for name in COUNT_FIELDS:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass(frozen=True)
class Quorum:
    """Whether more than half of those entitled (full members, or the committee) came."""

    entitled: int
    present: int
    voting: bool  # True: 支部党员大会, counted on full members; False: 支委会, on its members
    # Before the start a headcount only says who was recorded, not who came: no claim then.
    started: bool = True

    @property
    def needed(self) -> int:
        return self.entitled // 2 + 1

    @property
    def reached(self) -> bool:
        return self.started and self.entitled > 0 and self.present * 2 > self.entitled

    @property
    def state(self) -> str:
        """Return "expected" before the start, then "reached" or "not-reached"."""
        if not self.started:
            return "expected"
        return "reached" if self.reached else "not-reached"


@dataclass
class Headcounts(Counts):
    """A session's headcounts and, for the kinds that decide by vote, its quorum."""

    quorum: Quorum | None = None
    # Rows a manager recorded before the session started (they confirmed doing so).
    recorded_before_start: int = 0


def session_headcounts(session: StudySession) -> Headcounts:
    """Return a session's headcounts and, for the kinds that vote, its quorum (one query)."""
    attended = Q(status__in=Attendance.ATTENDED)
    row = Attendance.objects.filter(session=session).aggregate(
        **status_counts(),
        voters=Count("pk", filter=Q(has_vote=True)),
        voters_attended=Count("pk", filter=Q(has_vote=True) & attended),
        recorded_before_start=Count("pk", filter=Q(recorded_before_start=True)),
    )
    counts = Headcounts(
        **{f.name: row[f.name] for f in fields(Counts)},
        recorded_before_start=row["recorded_before_start"],
    )
    started = session.has_started
    if session.kind.code == SessionKind.GENERAL_MEETING:
        # 预备党员 have no vote: only full members count, both as entitled and as present.
        counts.quorum = Quorum(row["voters"], row["voters_attended"], voting=True, started=started)
    elif session.kind.code == SessionKind.COMMITTEE_MEETING:
        # A 支委会 expects exactly the committee (the snapshot), so every row is entitled.
        counts.quorum = Quorum(counts.expected, counts.attended, voting=False, started=started)
    return counts
