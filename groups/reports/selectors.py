"""Report selectors: per member, member × month matrix, session ledger, follow-up, per branch.

Every function takes a ``ReportFilters`` (built by ``groups.reports.forms.ReportFilterForm``)
and returns plain rows — dataclasses whose fields are fixed and documented below — that the
report pages and the CSV/XLSX exporters share. Each report runs a constant number of
queries whatever the size of the organisation.

Definitions used throughout:
- Only sessions that have happened count (started before ``now``); cancelled sessions never
  count. A session's 应到 is its Attendance snapshot, never today's roster.
- *attended* (实到) = present + late; *rate* = attended / expected, ``None`` when nothing
  was expected. *not recorded*: expected, but no status taken yet.
- Members are grouped by ``Attendance.member_branch`` (their 党小组 at the time), so a
  member who transferred keeps their old records under their old group.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, DateField, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber, TruncMonth
from django.utils import timezone

from groups import conf
from groups.attendance.headcounts import COUNT_FIELDS, Counts, rate, status_counts
from groups.models import (
    Attendance,
    Branch,
    BranchRole,
    Member,
    MemberCategory,
    SessionKind,
    StudySession,
)
from groups.models.sessions import Period, local_midnight
from groups.permissions import managed_branches
from groups.sessions.selectors import ComplianceCell, compliance_report

Status = Attendance.Status

# Matrix symbols: ✓ present or late, 假 excused, ✗ absent, ○ not recorded; 补 follows a
# status whose make-up study (补学) was confirmed.
SYMBOLS = {Status.PRESENT: "✓", Status.LATE: "✓", Status.EXCUSED: "假", Status.ABSENT: "✗", "": "○"}
MAKEUP_SYMBOL = "补"
_SYMBOL_ORDER = {Status.PRESENT: 0, Status.LATE: 1, Status.EXCUSED: 2, Status.ABSENT: 3, "": 4}
# One character per kind so a month cell stays narrow ("学✓✓ 日✗补").
KIND_ABBREVIATIONS = {
    SessionKind.GENERAL_MEETING: "大",
    SessionKind.COMMITTEE_MEETING: "委",
    SessionKind.GROUP_MEETING: "组",
    SessionKind.LECTURE: "课",
    SessionKind.THEMED_DAY: "日",
    SessionKind.STUDY: "学",
    SessionKind.ORGANISATIONAL_LIFE: "生",
    SessionKind.TRAINING: "训",
}


def kind_abbreviation(kind: SessionKind) -> str:
    """Return the one-character mark of a kind in the matrix (its short name's first else)."""
    return KIND_ABBREVIATIONS.get(kind.code) or (kind.short_name or kind.name)[:1]


# --- Filters ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportFilters:
    """What a report covers.

    - ``root``: the branch subtree (None only when ``member`` is set);
    - ``member``: one member only (a member without a managed branch sees their own record);
    - ``start`` / ``end``: local days, both inclusive;
    - ``kinds`` / ``categories``: empty means all. The category is the snapshot one
      (``Attendance.category``); it does not narrow the compliance counts.
    """

    start: date
    end: date
    root: Branch | None = None
    member: Member | None = None
    kinds: tuple[SessionKind, ...] = ()
    categories: tuple[MemberCategory, ...] = ()

    @property
    def subject(self) -> str:
        """Return whose report it is: the branch name, else the member's."""
        if self.root is not None:
            return self.root.name
        return self.member.name if self.member is not None else ""

    @property
    def period_label(self) -> str:
        return f"{self.start:%Y-%m-%d}–{self.end:%Y-%m-%d}"

    @property
    def title(self) -> str:
        """Return the branch and period, as report titles and export file names carry them."""
        return f"{self.subject} {self.period_label}"

    @property
    def months(self) -> list[date]:
        """Return the first day of each month from start to end."""
        months, month = [], self.start.replace(day=1)
        while month <= self.end:
            months.append(month)
            month = (month + timedelta(days=32)).replace(day=1)
        return months

    def window_end(self, now: datetime) -> datetime:
        """Return the exclusive upper bound of session starts: the end day or now."""
        return min(local_midnight(self.end + timedelta(days=1)), now)


def attendance_in_scope(filters: ReportFilters, *, now: datetime) -> QuerySet[Attendance]:
    """Return the attendance rows a report counts: happened, not cancelled, within filters."""
    rows = Attendance.objects.exclude(session__status=StudySession.Status.CANCELLED).filter(
        session__starts_at__gte=local_midnight(filters.start),
        session__starts_at__lt=filters.window_end(now),
    )
    if filters.root is not None:
        rows = rows.filter(member_branch__path__startswith=filters.root.path)
    if filters.member is not None:
        rows = rows.filter(member=filters.member)
    if filters.kinds:
        rows = rows.filter(session__kind__in=[k.pk for k in filters.kinds])
    if filters.categories:
        rows = rows.filter(category__in=[c.pk for c in filters.categories])
    return rows.order_by()


def group_labels(paths: Iterable[str], root: Branch | None) -> dict[str, str]:
    """Return a label per branch path: its names below root ("第一党支部 / 第一党小组"), 1 query.

    Names repeat across branches (every 党支部 has a 第一党小组), so a group is named with
    the branches between it and the report's root.
    """
    paths = set(paths)
    steplen = Branch.steplen
    wanted = {p[:end] for p in paths for end in range(steplen, len(p) + 1, steplen)}
    names = dict(Branch.objects.filter(path__in=wanted).values_list("path", "name"))
    depth = len(root.path) if root is not None else 0
    labels = {}
    for path in paths:
        lowest = min(max(depth + steplen, steplen), len(path))
        if root is None:
            lowest = len(path)
        chain = range(lowest, len(path) + 1, steplen)
        labels[path] = " / ".join(names.get(path[:end], "") for end in chain)
    return labels


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


def _member_fields(row: dict[str, Any], labels: dict[str, str]) -> dict[str, Any]:
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
            **_member_fields(r, labels),
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


def _month(column: str) -> TruncMonth:
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
            month=_month("session__starts_at"),
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
            rows[key] = MatrixRow(**_member_fields(r, labels), cells=[])
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


# --- The ledger (台账) -----------------------------------------------------------------------


@dataclass(kw_only=True)
class LedgerRow(Counts):
    """One session that took place.

    Fields: session_id, day, starts (local time), ends (local time), minutes (duration),
    kind, branch, topic, host, recorder, excused_names, absent_names and the Counts fields
    expected (应到), present, late, excused (请假), absent (缺席), not_recorded; properties
    attended (实到) and rate.
    """

    session_id: int
    day: date
    starts: time
    ends: time
    minutes: int
    kind: str
    branch: str
    topic: str
    host: str
    recorder: str
    excused_names: list[str] = field(default_factory=list)
    absent_names: list[str] = field(default_factory=list)


def ledger_sessions(filters: ReportFilters, *, now: datetime) -> QuerySet[StudySession]:
    """Return the sessions a ledger lists: of the subtree, held in the period, not cancelled."""
    sessions = StudySession.objects.not_cancelled().filter(
        starts_at__gte=local_midnight(filters.start), starts_at__lt=filters.window_end(now)
    )
    if filters.root is not None:
        sessions = sessions.filter(branch__path__startswith=filters.root.path)
    if filters.member is not None:
        sessions = sessions.filter(attendance__member=filters.member)
    if filters.kinds:
        sessions = sessions.filter(kind__in=[k.pk for k in filters.kinds])
    return sessions


def ledger_rows(filters: ReportFilters, *, now: datetime | None = None) -> list[LedgerRow]:
    """Return the 台账: one row per session with headcounts and names, in two queries."""
    now = now or timezone.now()
    counted = Q()
    if filters.categories:
        counted = Q(attendance__category__in=[c.pk for c in filters.categories])
    sessions = (
        ledger_sessions(filters, now=now)
        .select_related("kind", "branch", "host", "recorder")
        .annotate(**status_counts("attendance", counted))
        .order_by("starts_at", "pk")
    )
    missed = Attendance.objects.filter(
        session__in=ledger_sessions(filters, now=now).values("pk"), status__in=Attendance.MISSED
    )
    if filters.categories:
        missed = missed.filter(category__in=[c.pk for c in filters.categories])
    names: dict[tuple[int, str], list[str]] = defaultdict(list)
    for session_id, status, name in missed.order_by("member__name", "member_id").values_list(
        "session_id", "status", "member__name"
    ):
        names[(session_id, status)].append(name)
    rows = []
    for s in sessions:
        starts, ends = timezone.localtime(s.starts_at), timezone.localtime(s.ends_at)
        rows.append(
            LedgerRow(
                session_id=s.pk,
                day=starts.date(),
                starts=starts.time(),
                ends=ends.time(),
                minutes=int((s.ends_at - s.starts_at).total_seconds() // 60),
                kind=s.kind.label,
                branch=s.branch.name,
                topic=s.topic,
                host=s.host.name if s.host else "",
                recorder=s.recorder.name if s.recorder else "",
                **{name: getattr(s, name) for name in COUNT_FIELDS},
                excused_names=names[(s.pk, Status.EXCUSED)],
                absent_names=names[(s.pk, Status.ABSENT)],
            )
        )
    return rows


# --- Follow-up ----------------------------------------------------------------------------


@dataclass
class FollowUpRow:
    """An active member whose last N recorded sessions were all unexcused absences.

    Fields: member_id, name, branch_id and branch (their current branch), absences (N),
    first and last (local days of the first and latest of those absences).
    """

    member_id: int
    name: str
    branch_id: int
    branch: str
    absences: int
    first: date
    last: date


def _follow_up(
    members: Q,
    *,
    now: datetime,
    absences: int,
    rows: QuerySet[Attendance] | None = None,
) -> list[FollowUpRow]:
    """Return follow-up rows for members matching a Q on Attendance, in one query."""
    if rows is None:
        rows = Attendance.objects.exclude(session__status=StudySession.Status.CANCELLED).filter(
            session__starts_at__lt=now
        )
    latest = (
        rows.filter(members, member__status=Member.Status.ACTIVE)
        .exclude(status="")  # not yet recorded: neither breaks nor extends a run
        .annotate(
            recent=Window(
                RowNumber(),
                partition_by=[F("member_id")],
                order_by=[F("session__starts_at").desc(), F("session_id").desc()],
            )
        )
        .filter(recent__lte=absences)
        .values(
            "member_id",
            "member__name",
            "member__branch_id",
            "member__branch__name",
            "member__branch__path",
            "status",
            "session__starts_at",
        )
    )
    runs: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in latest:
        runs[row["member_id"]].append(row)
    result = []
    for found in runs.values():
        if len(found) < absences or any(r["status"] != Status.ABSENT for r in found):
            continue
        days = sorted(timezone.localdate(r["session__starts_at"]) for r in found)
        first = found[0]
        result.append(
            FollowUpRow(
                member_id=first["member_id"],
                name=first["member__name"],
                branch_id=first["member__branch_id"],
                branch=first["member__branch__name"],
                absences=absences,
                first=days[0],
                last=days[-1],
            )
        )
    paths = {r["member_id"]: r["member__branch__path"] for f in runs.values() for r in f}
    return sorted(result, key=lambda r: (paths[r.member_id], r.name, r.member_id))


def follow_up_rows(
    filters: ReportFilters, *, now: datetime | None = None, absences: int | None = None
) -> list[FollowUpRow]:
    """Return the members of the filters' scope absent from their last N sessions in a row.

    Scoped by the member's current branch (who follows up); the run is judged on sessions
    up to the period's end (kinds and categories narrowing them).
    """
    now = now or timezone.now()
    members = Q()
    if filters.root is not None:
        members = Q(member__branch__path__startswith=filters.root.path)
    if filters.member is not None:
        members = Q(member=filters.member)
    rows = attendance_in_scope(
        ReportFilters(
            start=filters.start,
            end=filters.end,
            kinds=filters.kinds,
            categories=filters.categories,
        ),
        now=now,
    )
    return _follow_up(members, now=now, absences=absences or conf.FOLLOW_UP_ABSENCES, rows=rows)


def follow_up_for_user(
    user: Any, *, now: datetime | None = None, absences: int | None = None
) -> list[FollowUpRow]:
    """Return the follow-up list of the branches a user manages (the dashboard's), 1 query."""
    return _follow_up(
        Q(member__branch__in=managed_branches(user)),
        now=now or timezone.now(),
        absences=absences or conf.FOLLOW_UP_ABSENCES,
    )


def follow_up_by_manager(
    *, now: datetime | None = None, absences: int | None = None
) -> dict[int, list[FollowUpRow]]:
    """Return each managing user's follow-up list (users with a current role), in 2 queries."""
    now = now or timezone.now()
    everyone = _follow_up(Q(), now=now, absences=absences or conf.FOLLOW_UP_ABSENCES)
    if not everyone:
        return {}
    paths = dict(
        Member.objects.filter(pk__in=[r.member_id for r in everyone]).values_list(
            "pk", "branch__path"
        )
    )
    roles = BranchRole.objects.active(timezone.localdate(now)).filter(
        member__user__isnull=False,
        member__user__is_active=True,
        member__status=Member.Status.ACTIVE,
    )
    result: dict[int, list[FollowUpRow]] = defaultdict(list)
    for user_id, role_paths in _group(roles.values_list("member__user_id", "branch__path")):
        result[user_id] = [
            r for r in everyone if any(paths[r.member_id].startswith(p) for p in role_paths)
        ]
    return {user_id: rows for user_id, rows in result.items() if rows}


def _group(pairs: Iterable[tuple[int, str]]) -> list[tuple[int, list[str]]]:
    grouped: dict[int, list[str]] = defaultdict(list)
    for key, value in pairs:
        grouped[key].append(value)
    return list(grouped.items())


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


def month_rates(filters: ReportFilters, *, now: datetime | None = None) -> list[MonthRate]:
    """Return attendance per month of the period (months without sessions included), 1 query."""
    now = now or timezone.now()
    grouped = {
        r["month"]: Counts.of(r)
        for r in attendance_in_scope(filters, now=now)
        .values(month=_month("session__starts_at"))
        .annotate(**status_counts())
    }
    return [MonthRate(month=m, attendance=grouped.get(m, Counts())) for m in filters.months]


def branch_report(filters: ReportFilters, *, now: datetime | None = None) -> BranchReport:
    """Return per branch attendance and the monthly held-vs-required matrix by kind.

    Required/held come from groups.sessions.selectors.compliance_report (a month view per month of
    the period: a constant number of queries per month); a quarterly or yearly rule shows its
    own window in each month it spans and counts once towards completion.
    """
    if filters.root is None:
        raise ValueError("a branch report needs a branch")
    now = now or timezone.now()
    months = filters.months
    by_group = {
        r["member_branch__path"]: Counts.of(r)
        for r in attendance_in_scope(filters, now=now)
        .values("member_branch__path")
        .annotate(**status_counts())
    }
    reports = [
        compliance_report(root=filters.root, period=Period.MONTH, day=m, now=now) for m in months
    ]
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
        month_rates=month_rates(filters, now=now),
    )
