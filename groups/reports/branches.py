"""The branches report: attendance per branch and month, and compliance with the rules."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import timezone

from groups.attendance.headcounts import Counts, rate, status_counts
from groups.models import (
    Attendance,
    Branch,
    SessionKind,
)
from groups.models.sessions import Period
from groups.reports.compliance import ComplianceCell, compliance_reports
from groups.reports.filters import ReportFilters, attendance_in_scope
from groups.reports.matrix import month_of

Status = Attendance.Status

# --- Per branch: attendance and compliance ---------------------------------------------------


@dataclass
class BranchMonth:
    """One branch × kind × month of the compliance matrix (from groups.sessions.selectors).

    Fields: month, kind_id, required, held, planned, window (label of the window the rule
    is judged over: 2026-03, 2026 Q1 …), exempt (bool), met (bool).
    """

    month: date
    kind_id: int
    required: int
    held: int
    planned: int
    window: str
    exempt: bool
    met: bool


@dataclass
class BranchRow:
    """One branch of the subtree.

    Fields: branch_id, name, depth (below the root, 0 for the root), attendance (Counts of
    its whole subtree's members), required and counted (over distinct rule windows, extra
    sessions not making up others), cells (list[BranchMonth], months × kinds, None where no
    rule applies); properties rate (attendance) and completion (counted / required).
    """

    branch_id: int
    name: str
    depth: int
    attendance: Counts
    required: int = 0
    counted: int = 0
    cells: list[BranchMonth | None] = field(default_factory=list)

    @property
    def rate(self) -> float | None:
        return self.attendance.rate

    @property
    def completion(self) -> float | None:
        return rate(self.counted, self.required)


@dataclass
class MonthRate:
    """Attendance over one month: month, Counts; property rate."""

    month: date
    attendance: Counts

    @property
    def rate(self) -> float | None:
        return self.attendance.rate


@dataclass
class BranchReport:
    """months, kinds (the columns with a rule), rows, month_rates, and the subtree totals."""

    months: list[date]
    kinds: list[SessionKind]
    rows: list[BranchRow]
    month_rates: list[MonthRate]

    @property
    def total(self) -> BranchRow | None:
        return self.rows[0] if self.rows else None

    def cell(self, row: BranchRow, month_index: int, kind_index: int) -> BranchMonth | None:
        return row.cells[month_index * len(self.kinds) + kind_index]

    def spans(self, columns: int | None = None) -> list[MonthSpan]:
        """Split the months into runs of at most ``columns`` month × kind cells (all if None).

        A year of seven kinds is 84 cells, far wider than A4: printed, each run is a table
        of its own that repeats the branch names; the last one carries the rate and
        completion.
        """
        kinds = max(1, len(self.kinds))
        per_span = len(self.months) if columns is None else max(1, columns // kinds)
        starts = range(0, len(self.months), per_span or 1)
        return [
            MonthSpan(
                months=self.months[start : start + per_span],
                rows=[(r, r.cells[start * kinds : (start + per_span) * kinds]) for r in self.rows],
                last=start + per_span >= len(self.months),
            )
            for start in starts
        ]


@dataclass
class MonthSpan:
    """A run of a BranchReport's months: months, rows as (row, its cells there), last."""

    months: list[date]
    rows: list[tuple[BranchRow, list[BranchMonth | None]]]
    last: bool


def _attendance_by_branch_and_month(
    filters: ReportFilters, now: datetime
) -> tuple[dict[str, Counts], dict[date, Counts]]:
    """Return attendance per member's branch path and per month of the period, in 1 query."""
    by_path: dict[str, Counts] = defaultdict(Counts)
    by_month: dict[date, Counts] = defaultdict(Counts)
    for r in (
        attendance_in_scope(filters, now=now)
        .values("member_branch__path", month=month_of("session__starts_at"))
        .annotate(**status_counts())
    ):
        counts = Counts.of(r)
        by_path[r["member_branch__path"]].add(counts)
        by_month[r["month"]].add(counts)
    return by_path, by_month


def branch_report(filters: ReportFilters, *, now: datetime | None = None) -> BranchReport:
    """Return per branch attendance and the monthly held-vs-required matrix by kind.

    Required/held come from groups.reports.compliance (a month view per month of the period,
    in the same few queries however many months); a quarterly or yearly rule shows its own
    window in each month it spans and counts once towards completion.
    """
    if filters.root is None:
        raise ValueError("a branch report needs a branch")
    now = now or timezone.now()
    months = filters.months
    by_group, by_month = _attendance_by_branch_and_month(filters, now)
    reports = compliance_reports(root=filters.root, period=Period.MONTH, days=months, now=now)
    wanted = {k.pk for k in filters.kinds}
    kinds: dict[int, SessionKind] = {}
    for report in reports:
        for kind in report.kinds:
            if not wanted or kind.pk in wanted:
                kinds.setdefault(kind.pk, kind)
    kind_list = sorted(kinds.values(), key=lambda k: (k.position, k.code))
    cells: dict[tuple[int, date, int], ComplianceCell] = {}
    branches: list[Branch] = []
    for month, report in zip(months, reports, strict=True):
        for row in report.rows:
            if month == months[0]:
                branches.append(row.branch)
            for cell in row.cells:
                if cell is not None and cell.kind.pk in kinds:
                    cells[(row.branch.pk, month, cell.kind.pk)] = cell
    rows = []
    for branch in branches:
        attendance = Counts()
        for path, counts in by_group.items():
            if path.startswith(branch.path):
                attendance.add(counts)
        row = BranchRow(
            branch_id=branch.pk,
            name=branch.name,
            depth=(len(branch.path) - len(filters.root.path)) // Branch.steplen,
            attendance=attendance,
        )
        windows: set[tuple[int, date, date]] = set()
        for month in months:
            for kind in kind_list:
                cell = cells.get((branch.pk, month, kind.pk))
                if cell is None:
                    row.cells.append(None)
                    continue
                row.cells.append(
                    BranchMonth(
                        month=month,
                        kind_id=kind.pk,
                        required=cell.required,
                        held=cell.held,
                        planned=cell.planned,
                        window=cell.label,
                        exempt=cell.is_exempt,
                        met=cell.is_met,
                    )
                )
                window = (kind.pk, cell.window_start, cell.window_end)
                if not cell.is_exempt and window not in windows:
                    windows.add(window)
                    row.required += cell.required
                    row.counted += cell.counted
        rows.append(row)
    return BranchReport(
        months=months,
        kinds=kind_list,
        rows=rows,
        # Months without sessions included.
        month_rates=[MonthRate(month=m, attendance=by_month.get(m, Counts())) for m in months],
    )
