"""The member × month matrix: one symbol per session a member was expected at."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, DateField, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from groups.models import (
    Attendance,
    SessionKind,
)
from groups.reports.filters import (
    ReportFilters,
    attendance_in_scope,
    group_labels,
    kind_abbreviation,
)
from groups.reports.members import MEMBER_COLUMNS, member_fields

Status = Attendance.Status

# Matrix symbols: ✓ present or late, 假 excused, ✗ absent, ○ not recorded; 补 follows a
# status whose make-up study (补学) was confirmed.
SYMBOLS = {Status.PRESENT: "✓", Status.LATE: "✓", Status.EXCUSED: "假", Status.ABSENT: "✗", "": "○"}
MAKEUP_SYMBOL = "补"
_SYMBOL_ORDER = {Status.PRESENT: 0, Status.LATE: 1, Status.EXCUSED: 2, Status.ABSENT: 3, "": 4}

# --- Member × month matrix ---------------------------------------------------------------


@dataclass
class MatrixCell:
    """A member's sessions in one month: marks = [(kind mark, symbols)], e.g. [("学", "✓✓假")]."""

    month: date
    marks: list[tuple[str, str]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(mark + symbols for mark, symbols in self.marks)


@dataclass
class MatrixRow:
    """One member in one 党小组; cells align with MatrixReport.months.

    Fields: member_id, name, category, group_id, group, cells (list[MatrixCell]).
    """

    member_id: int
    name: str
    category: str
    group_id: int
    group: str
    cells: list[MatrixCell]


@dataclass
class MatrixReport:
    """months (first days), legend [(mark, kind label)] and the rows."""

    months: list[date]
    legend: list[tuple[str, str]]
    rows: list[MatrixRow]


def month_of(column: str) -> TruncMonth:
    """Return the local month (a date) of a datetime column."""
    return TruncMonth(column, output_field=DateField(), tzinfo=timezone.get_default_timezone())


def matrix_report(filters: ReportFilters, *, now: datetime | None = None) -> MatrixReport:
    """Return the member × month matrix: one grouped query pivoted here (plus kinds, labels)."""
    now = now or timezone.now()
    grouped = list(
        attendance_in_scope(filters, now=now)
        .values(
            *MEMBER_COLUMNS,
            "session__kind_id",
            "status",
            month=month_of("session__starts_at"),
        )
        .annotate(n=Count("pk"), done=Count("pk", filter=Q(makeup__confirmed_at__isnull=False)))
        .order_by("member_branch__path", "member__name", "member_id")
    )
    kinds = list(SessionKind.objects.all())
    position = {k.pk: i for i, k in enumerate(kinds)}
    marks = {k.pk: kind_abbreviation(k) for k in kinds}
    months = filters.months
    labels = group_labels({r["member_branch__path"] for r in grouped}, filters.root)

    rows: dict[tuple[int, int], MatrixRow] = {}
    found: dict[tuple[int, int], dict[tuple[date, int], list[tuple[int, str]]]] = defaultdict(
        lambda: defaultdict(list)
    )
    for r in grouped:
        key = (r["member_branch_id"], r["member_id"])
        if key not in rows:
            rows[key] = MatrixRow(**member_fields(r, labels), cells=[])
        symbol = SYMBOLS[r["status"]]
        # A confirmed make-up follows its status: two absences, one made up → "✗补✗".
        texts = [symbol + MAKEUP_SYMBOL] * r["done"] + [symbol] * (r["n"] - r["done"])
        found[key][(r["month"], r["session__kind_id"])].extend(
            (_SYMBOL_ORDER[r["status"]], text) for text in texts
        )
    used: set[int] = set()
    for key, row in rows.items():
        by_month: dict[date, list[tuple[str, str]]] = defaultdict(list)
        for (month, kind_id), symbols in sorted(
            found[key].items(), key=lambda item: (item[0][0], position[item[0][1]])
        ):
            used.add(kind_id)
            by_month[month].append((marks[kind_id], "".join(s for _o, s in sorted(symbols))))
        row.cells = [MatrixCell(month=m, marks=by_month.get(m, [])) for m in months]
    legend = [(marks[k.pk], k.label) for k in kinds if k.pk in used]
    return MatrixReport(months=months, legend=legend, rows=list(rows.values()))
