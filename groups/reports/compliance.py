"""The compliance matrix: sessions held against those the kind rules require, per branch, kind
and period, with what is still behind while there is time."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Count, F, IntegerField, Q, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from groups.models import (
    Branch,
    BranchExemption,
    KindRule,
    SessionKind,
    StudySession,
)
from groups.models.sessions import Period, local_midnight

PERIOD_RANK = {Period.WEEK: 0, Period.MONTH: 1, Period.QUARTER: 2, Period.YEAR: 3}


def period_bounds(period: str, day: date) -> tuple[date, date]:
    """Return [start, end) of the week (Monday first), month, quarter or year holding day."""
    if period == Period.WEEK:
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=7)
    if period == Period.MONTH:
        start = day.replace(day=1)
    elif period == Period.QUARTER:
        start = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    elif period == Period.YEAR:
        start = date(day.year, 1, 1)
    else:
        raise ValueError(f"unknown period {period!r}")
    months = {Period.MONTH: 1, Period.QUARTER: 3, Period.YEAR: 12}[period]
    year, month = divmod(start.month - 1 + months, 12)
    return start, date(start.year + year, month + 1, 1)


def periods_in(rule_period: str, start: date, end: date) -> int:
    """Return how many rule periods fall in [start, end): a week by its Thursday (as ISO 8601).

    So a month asks for four or five weekly sessions, the weeks it holds most days of.
    """
    if rule_period == Period.WEEK:
        first_thursday = start + timedelta(days=(3 - start.weekday()) % 7)
        return max(0, (end - first_thursday + timedelta(days=6)).days // 7)
    months = (end.year - start.year) * 12 + end.month - start.month
    return months // {Period.MONTH: 1, Period.QUARTER: 3, Period.YEAR: 12}[rule_period]


def window_label(period: str, start: date) -> str:
    """Return how a compliance window is named: 2026-03, 2026 Q1 (2026年第1季度), 2026."""
    if period == Period.MONTH:
        return f"{start:%Y-%m}"
    if period == Period.QUARTER:
        return _("%(year)s Q%(quarter)s") % {
            "year": start.year,
            "quarter": (start.month - 1) // 3 + 1,
        }
    return str(start.year)


@dataclass
class ComplianceCell:
    """One branch × kind: required vs held in the window the rule is judged over."""

    branch: Branch
    kind: SessionKind
    required: int
    held: int
    planned: int
    window_period: str
    window_start: date
    window_end: date  # exclusive
    days_left: int | None  # None: the window has not begun; 0: it is over
    exempt_reason: str = ""

    @property
    def is_exempt(self) -> bool:
        return bool(self.exempt_reason)

    @property
    def is_met(self) -> bool:
        return self.is_exempt or self.held >= self.required

    @property
    def is_behind(self) -> bool:
        """Return whether it is short while there is still time (the ones to act on)."""
        return not self.is_met and bool(self.days_left)

    @property
    def is_missed(self) -> bool:
        return not self.is_met and self.days_left == 0

    @property
    def counted(self) -> int:
        return min(self.held, self.required)

    @property
    def label(self) -> str:
        return window_label(self.window_period, self.window_start)


@dataclass
class ComplianceRow:
    branch: Branch
    cells: list[ComplianceCell | None]

    @property
    def behind(self) -> list[ComplianceCell]:
        return [c for c in self.cells if c and c.is_behind]


@dataclass
class ComplianceReport:
    root: Branch
    period: str
    start: date
    end: date
    kinds: list[SessionKind]
    rows: list[ComplianceRow]

    @property
    def required(self) -> int:
        return sum(c.required for r in self.rows for c in r.cells if c and not c.is_exempt)

    @property
    def counted(self) -> int:
        return sum(c.counted for r in self.rows for c in r.cells if c and not c.is_exempt)

    @property
    def rate(self) -> float | None:
        """Return the share of required sessions held (extra sessions do not make up others)."""
        return self.counted / self.required if self.required else None

    @property
    def label(self) -> str:
        return window_label(self.period, self.start)


def compliance_report(
    *, root: Branch, period: str, day: date, now: datetime | None = None
) -> ComplianceReport:
    """Return required vs held per branch × kind in root's subtree for the period holding day.

    Definitions:
    - *held*: not cancelled and started before now (a past session still marked
      "scheduled" counts: the record may lag, the meeting happened); *planned*: not
      cancelled and starting later. Cancelled sessions never count.
    - A rule per week/month/quarter/year is judged over the chosen period when it is not
      longer (a weekly rule in a month requires one per Thursday in it), else over its own
      period holding ``day`` (a quarterly 党课 in a month view is judged on that quarter).
    - The rule is the nearest KindRule on the branch or an ancestor, else the kind's
      default; it applies to the branch kinds the kind names (all when it names none).
    - Sessions of an ancestor count for its subtree (a 党委-wide 党课 is every branch's),
      except for committee-only kinds: a 党委 committee meeting is not a 支委会.
    - An exemption excuses that branch only, not its subtree.

    Runs a constant number of queries whatever the size of the subtree.
    """
    return compliance_reports(root=root, period=period, days=[day], now=now)[0]


def compliance_reports(
    *, root: Branch, period: str, days: list[date], now: datetime | None = None
) -> list[ComplianceReport]:
    """Return compliance_report for the period holding each day (every month of a year, say)
    in the same constant number of queries as for one: the rules are read once and the
    sessions of every window are counted in one grouped query."""
    now = now or timezone.now()
    rules = _Rules.load(root)
    windows = list(dict.fromkeys(w for day in days for w in _windows(period, day)))
    counts = _session_counts(rules.branches, windows, now)
    return [rules.report(period=period, day=day, counts=counts, now=now) for day in days]


def _window_for(period: str, day: date, rule_period: str) -> tuple[str, date, date]:
    """The window a rule per rule_period is judged over in the period holding day."""
    if PERIOD_RANK[Period(rule_period)] <= PERIOD_RANK[Period(period)]:
        return period, *period_bounds(period, day)
    return rule_period, *period_bounds(rule_period, day)


def _windows(period: str, day: date) -> list[tuple[str, date, date]]:
    return sorted({_window_for(period, day, p) for p in Period.values}, key=lambda w: (w[1], w[2]))


@dataclass
class _Rules:
    """What compliance is judged by, whatever the period: the subtree (with root's ancestors,
    whose sessions count for it), the kinds, rule overrides and exemptions."""

    root: Branch
    branches: list[Branch]
    kinds: list[SessionKind]
    applies: dict[int, set[int]]
    overrides: dict[tuple[str, int], tuple[int, str]]
    exemptions: dict[tuple[int, int], str]

    @classmethod
    def load(cls, root: Branch) -> _Rules:
        branches = list(
            Branch.objects.filter(Q(path__startswith=root.path) | Q(path__in=root.ancestor_paths))
            .select_related("kind")
            .order_by("path")
        )
        # Each kind with the branch kinds it applies to, in one query: a row per pair.
        kinds: dict[int, SessionKind] = {}
        applies: dict[int, set[int]] = defaultdict(set)
        for kind in SessionKind.objects.annotate(applies_to=F("branch_kinds")):
            kinds.setdefault(kind.pk, kind)
            if kind.applies_to is not None:
                applies[kind.pk].add(kind.applies_to)
        # Rule overrides on the branches and their ancestors, and exemptions in the subtree, in
        # one query: an exemption is a row without a count.
        overrides: dict[tuple[str, int], tuple[int, str]] = {}
        exemptions: dict[tuple[int, int], str] = {}
        rules = (
            KindRule.objects.filter(branch__in=[b.pk for b in branches])
            .order_by()
            .values_list(
                "branch_id", "branch__path", "kind_id", "required_count", "period", Value("")
            )
        )
        exempt = (
            BranchExemption.objects.filter(branch__path__startswith=root.path)
            .order_by()
            .values_list(
                "branch_id",
                "branch__path",
                "kind_id",
                Value(None, output_field=IntegerField()),
                Value(""),
                "reason",
            )
        )
        for branch_id, path, kind_id, count, period, reason in rules.union(exempt, all=True):
            if count is None:
                exemptions[(branch_id, kind_id)] = reason
            else:
                overrides[(path, kind_id)] = (count, period)
        return cls(
            root=root,
            branches=branches,
            kinds=list(kinds.values()),
            applies={pk: applies[pk] for pk in kinds},
            overrides=overrides,
            exemptions=exemptions,
        )

    def rule_for(self, branch: Branch, kind: SessionKind) -> tuple[int, str] | None:
        for path in [branch.path, *reversed(branch.ancestor_paths)]:
            if (path, kind.pk) in self.overrides:
                return self.overrides[(path, kind.pk)]
        if kind.required_count is None:
            return None
        return kind.required_count, kind.period

    def report(
        self,
        *,
        period: str,
        day: date,
        counts: dict[tuple[int, int, date, date], tuple[int, int]],
        now: datetime,
    ) -> ComplianceReport:
        today = timezone.localdate(now)
        start, end = period_bounds(period, day)
        by_path = {b.path: b for b in self.branches}
        scope = [b for b in self.branches if b.path.startswith(self.root.path)]
        kinds = self.kinds
        rows: list[ComplianceRow] = []
        for branch in scope:
            cells: list[ComplianceCell | None] = []
            for kind in kinds:
                rule = self.rule_for(branch, kind)
                applies = self.applies[kind.pk]
                if rule is None or not rule[0] or (applies and branch.kind_id not in applies):
                    cells.append(None)
                    continue
                count, rule_period = rule
                w_period, w_start, w_end = _window_for(period, day, rule_period)
                paths = (
                    [branch.path] if kind.committee_only else [*branch.ancestor_paths, branch.path]
                )
                held = planned = 0
                for path in paths:
                    found = counts.get((by_path[path].pk, kind.pk, w_start, w_end), (0, 0))
                    held, planned = held + found[0], planned + found[1]
                multiple = periods_in(rule_period, w_start, w_end) if w_period == period else 1
                if today >= w_end:
                    days_left: int | None = 0
                elif today < w_start:
                    days_left = None
                else:
                    days_left = (w_end - today).days
                cells.append(
                    ComplianceCell(
                        branch=branch,
                        kind=kind,
                        required=count * max(multiple, 1),
                        held=held,
                        planned=planned,
                        window_period=w_period,
                        window_start=w_start,
                        window_end=w_end,
                        days_left=days_left,
                        exempt_reason=self.exemptions.get((branch.pk, kind.pk), ""),
                    )
                )
            rows.append(ComplianceRow(branch=branch, cells=cells))
        used = [i for i in range(len(kinds)) if any(r.cells[i] for r in rows)]
        for row in rows:
            row.cells = [row.cells[i] for i in used]
        return ComplianceReport(
            root=self.root,
            period=period,
            start=start,
            end=end,
            kinds=[kinds[i] for i in used],
            rows=rows,
        )


def _session_counts(
    branches: list[Branch], windows: list[tuple[str, date, date]], now: datetime
) -> dict[tuple[int, int, date, date], tuple[int, int]]:
    """Return (held, planned) per branch, kind and window, in one grouped query."""
    annotations: dict[str, Count] = {}
    for i, (_period, w_start, w_end) in enumerate(windows):
        in_window = Q(starts_at__gte=local_midnight(w_start), starts_at__lt=local_midnight(w_end))
        annotations[f"held_{i}"] = Count("pk", filter=in_window & Q(starts_at__lt=now))
        annotations[f"planned_{i}"] = Count("pk", filter=in_window & Q(starts_at__gte=now))
    first = min(w[1] for w in windows)
    last = max(w[2] for w in windows)
    grouped = (
        StudySession.objects.not_cancelled()
        .filter(branch__in=[b.pk for b in branches])
        .between(first, last)
        .order_by()
        .values("branch_id", "kind_id")
        .annotate(**annotations)
    )
    result: dict[tuple[int, int, date, date], tuple[int, int]] = defaultdict(lambda: (0, 0))
    for row in grouped:
        for i, (_period, w_start, w_end) in enumerate(windows):
            key = (row["branch_id"], row["kind_id"], w_start, w_end)
            result[key] = (row[f"held_{i}"], row[f"planned_{i}"])
    return dict(result)
