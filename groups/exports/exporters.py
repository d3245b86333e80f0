"""The attendance exporters behind ?report=…: the detail (long format) and the four reports.

The detail reads ONE query whose per-row values (names, labels, the 补学 state) are
computed by the database, iterated with ``.iterator(chunk_size=…)``: its query count does
not grow with the rows and memory holds one chunk, never the whole export. The reports
(per member, member × month, ledger, per branch) are the report pages' selectors
(groups/reports/) laid out as rows; they are aggregates, a row per member or session.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime, tzinfo
from functools import lru_cache, partial
from typing import Any

from django.db.models import Case, CharField, F, Func, QuerySet, Value, When
from django.db.models.functions import Cast, Concat, Left, NullIf
from django.db.models.lookups import In
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from groups.attendance.headcounts import percent
from groups.exports.writers import CHUNK_ROWS, FORMULA_TRIGGERS, Exporter, planned_to_stream
from groups.models import Attendance
from groups.reports.branches import branch_report
from groups.reports.filters import attendance_in_scope
from groups.reports.ledger import ledger_rows
from groups.reports.matrix import matrix_report
from groups.reports.members import member_rows

EXPORTERS: dict[str, type[Exporter]] = {}


def register(exporter: type[Exporter]) -> type[Exporter]:
    """Add an exporter to the registry under its identifier (the ?report= value)."""
    EXPORTERS[exporter.identifier] = exporter
    return exporter


# --- SQL pieces: the cells as the database computes them --------------------------------


class AtTimeZone(Func):
    """The local wall-clock timestamp of a timestamptz (PostgreSQL's AT TIME ZONE)."""

    arg_joiner = " AT TIME ZONE "
    template = "(%(expressions)s)"


def _sql_neutralised(expression: Any) -> NullIf:
    """Return text as the CSV writer writes it: formulas quoted, "" as NULL (unquoted)."""
    return NullIf(
        Case(
            When(
                In(Left(expression, 1), list(FORMULA_TRIGGERS)),
                then=Concat(Value("'"), expression, output_field=CharField()),
            ),
            default=expression,
            output_field=CharField(),
        ),
        Value(""),
    )


def _local_text(field: str, pattern: str) -> Func:
    """Return the local time of a timestamptz column as text (PostgreSQL to_char)."""
    local = AtTimeZone(F(field), Value(timezone.get_default_timezone_name()))
    return Func(local, Value(pattern), function="to_char", output_field=CharField())


def _labels(field: str, choices: Iterable[tuple[Any, Any]]) -> Case:
    """Return a CASE giving each value of a field its label in the active language."""
    whens = [When(**{field: value}, then=Value(str(label))) for value, label in choices]
    return Case(*whens, default=Value(""), output_field=CharField())


def makeup_label() -> Case:
    """Return the 补学 state of an attendance row: blank (none), pending, submitted, confirmed."""
    return Case(
        When(makeup__confirmed_at__isnull=False, then=Value(pgettext("make-up", "confirmed"))),
        When(makeup__submitted_at__isnull=False, then=Value(pgettext("make-up", "submitted"))),
        When(makeup__id__isnull=False, then=Value(pgettext("make-up", "pending"))),
        default=Value(""),
        output_field=CharField(),
    )


def kind_label(prefix: str = "session__kind__") -> Any:
    """Return the session kind's name in the active language (as SessionKind.label does)."""
    if (translation.get_language() or "").startswith("en"):
        return Case(
            When(**{f"{prefix}label_en": ""}, then=F(f"{prefix}name")),
            default=F(f"{prefix}label_en"),
            output_field=CharField(),
        )
    return F(f"{prefix}name")


def _local_naive(zone: tzinfo, text: str) -> datetime:
    """Return a stored UTC datetime (as the database writes it as text) as local wall time."""
    value = parse_datetime(text)
    if value is None:
        raise ValueError(f"not a datetime: {text!r}")
    if value.tzinfo is None:  # SQLite keeps UTC without an offset
        value = value.replace(tzinfo=UTC)
    return value.astimezone(zone).replace(tzinfo=None)


# --- The detail: one row per expected member per session --------------------------------


@register
class DetailExporter(Exporter):
    """One row per expected member per session (long format) in fixed columns."""

    identifier = "detail"
    verbose_name = gettext_lazy("Attendance detail")
    sheet_title = gettext_lazy("Detail")
    has_copy_path = True
    # COPY and the XLSX path's cursor plan for the whole result: hash joins and one big sort,
    # so the first row left after the sort (11 s at 1M rows). Walking the sessions in date
    # order by index, each one's rows by index and sorted per session (an incremental
    # sort), it leaves at once and the total time is about the same.
    copy_settings = (
        "SET LOCAL enable_hashjoin = off",
        "SET LOCAL enable_mergejoin = off",
        "SET LOCAL enable_sort = off",  # a whole-result sort; the per-session one stays
        # The plan's cost is high enough for PostgreSQL to JIT-compile it: 400 ms or more
        # before the first row, for a query that then streams at once.
        "SET LOCAL jit = off",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.status_counts: Counter[str] = Counter()

    def header(self) -> list[str]:
        return [
            _("Branch"),
            _("Party group"),
            _("Member"),
            _("Category"),
            _("Date"),
            pgettext("time of day", "Start"),
            pgettext("time of day", "End"),
            _("Kind"),
            _("Topic"),
            _("Status"),
            _("Checked in at"),
            _("Note"),
            _("Make-up study"),
        ]

    def queryset(self) -> QuerySet[Attendance]:
        """Return the rows the reports count (groups/reports/), in the file's order."""
        return attendance_in_scope(self.filters, now=self.now).order_by(
            "session__starts_at", "session_id", "member_branch__path", "member__name", "member_id"
        )

    def _cells(self) -> dict[str, Any]:
        """Return the row's values as database expressions, in column order."""
        return {
            "x_branch": F("session__branch__name"),
            "x_group": F("member_branch__name"),
            "x_member": F("member__name"),
            "x_category": F("category__name"),
            "x_starts": F("session__starts_at"),
            "x_ends": F("session__ends_at"),
            "x_kind": kind_label(),
            "x_topic": F("session__topic"),
            "x_status": _labels("status", Attendance.Status.choices),
            "x_checked": F("checked_in_at"),
            "x_note": F("note"),
            "x_makeup": makeup_label(),
        }

    def count(self) -> int:
        return self.queryset().count()

    def rows(self) -> Iterator[Sequence[Any]]:
        yield self.header()
        cells = self._cells()
        # Datetimes come as the database's text and are converted once per distinct value
        # (a session's start serves all its members): Django's per-value converters were
        # most of the export's time. The cache is bounded, so memory stays flat.
        for name in ("x_starts", "x_ends", "x_checked"):
            cells[name] = Cast(cells[name], output_field=CharField())
        local = lru_cache(maxsize=4096)(partial(_local_naive, timezone.get_default_timezone()))
        values = self.queryset().annotate(**cells).values_list(*cells)
        counts = self.status_counts
        with planned_to_stream(self.copy_settings, using=values.db):
            for row in values.iterator(chunk_size=CHUNK_ROWS):
                branch, group, member, category, starts, ends, kind, topic, status = row[:9]
                checked, note, makeup = row[9:]
                counts[status] += 1
                starts = local(starts)
                yield (
                    *(branch, group, member, category),
                    *(starts.date(), starts.time(), local(ends).time()),
                    *(kind, topic, status),
                    local(checked) if checked else None,
                    *(note, makeup),
                )

    def copy_query(self) -> tuple[str, Sequence[Any]]:
        """Return the same query with every cell as the CSV text (PostgreSQL only)."""
        cells = {name: _sql_neutralised(value) for name, value in self._cells().items()}
        cells["x_starts"] = _local_text("session__starts_at", "YYYY-MM-DD")
        cells["x_start_time"] = _local_text("session__starts_at", "HH24:MI")
        cells["x_ends"] = _local_text("session__ends_at", "HH24:MI")
        cells["x_checked"] = _local_text("checked_in_at", "YYYY-MM-DD HH24:MI:SS")
        columns = [
            *("x_branch", "x_group", "x_member", "x_category"),
            *("x_starts", "x_start_time", "x_ends", "x_kind", "x_topic", "x_status"),
            *("x_checked", "x_note", "x_makeup"),
        ]
        queryset = self.queryset().annotate(**cells).values_list(*columns)
        return queryset.query.get_compiler(using=queryset.db).as_sql()

    def summary(self) -> list[tuple[str, Any]]:
        counts = self.status_counts
        return [
            *super().summary(),
            (_("Rows"), sum(counts.values())),
            (_("not recorded"), counts[""]),
            *((str(label), counts[str(label)]) for _value, label in Attendance.Status.choices),
        ]


# --- The reports: the report pages' rows ------------------------------------------------


def _count_titles() -> list[str]:
    return [
        _("Expected"),
        _("Attended"),
        _("Present"),
        _("Late"),
        _("Excused"),
        _("Absent"),
        _("Not recorded"),
    ]


def _counts(row: Any) -> list[int]:
    return [
        *(row.expected, row.attended, row.present, row.late),
        *(row.excused, row.absent, row.not_recorded),
    ]


class ReportExporter(Exporter):
    """A report built in memory by its selector (a row per member, session or branch)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._body: list[Sequence[Any]] | None = None

    def body(self) -> list[Sequence[Any]]:
        """Return the data rows (built once: count() and rows() share them)."""
        if self._body is None:
            self._body = self.build()
        return self._body

    def build(self) -> list[Sequence[Any]]:
        raise NotImplementedError

    def count(self) -> int:
        return len(self.body())

    def rows(self) -> Iterator[Sequence[Any]]:
        body = self.body()
        yield self.header()
        yield from body

    def summary(self) -> list[tuple[str, Any]]:
        return [*super().summary(), (_("Rows"), len(self.body()))]


@register
class MembersExporter(ReportExporter):
    """Per member: expected, each status, 补学 done, attendance rate; grouped by 党小组."""

    identifier = "members"
    verbose_name = gettext_lazy("Attendance per member")
    sheet_title = gettext_lazy("Members")

    def header(self) -> list[str]:
        titles = [_("Party group"), _("Member"), _("Category"), *_count_titles()]
        return [*titles, _("Make-up study done"), _("Attendance rate (%)")]

    def build(self) -> list[Sequence[Any]]:
        return [
            [r.group, r.name, r.category, *_counts(r), r.makeup_done, percent(r.rate)]
            for r in member_rows(self.filters, now=self.now)
        ]


@register
class MatrixExporter(ReportExporter):
    """The member × month matrix: a cell per month with the member's sessions by kind."""

    identifier = "matrix"
    verbose_name = gettext_lazy("Member × month matrix")
    sheet_title = gettext_lazy("Matrix")

    def header(self) -> list[str]:
        months = [f"{month:%Y-%m}" for month in self.filters.months]
        return [_("Party group"), _("Member"), _("Category"), *months]

    def build(self) -> list[Sequence[Any]]:
        self.report = matrix_report(self.filters, now=self.now)
        return [
            [row.group, row.name, row.category, *(cell.text for cell in row.cells)]
            for row in self.report.rows
        ]

    def summary(self) -> list[tuple[str, Any]]:
        self.body()
        legend = [(mark, label) for mark, label in self.report.legend]
        symbols = [
            ("✓", _("present or late")),
            ("假", _("excused")),
            ("✗", _("absent")),
            ("○", _("not recorded")),
            ("补", _("make-up study confirmed")),
        ]
        return [*super().summary(), *legend, *symbols]


@register
class LedgerExporter(ReportExporter):
    """The 台账: one row per session held, with headcounts and who was excused or absent."""

    identifier = "ledger"
    verbose_name = gettext_lazy("Session ledger")
    sheet_title = gettext_lazy("Ledger")

    def header(self) -> list[str]:
        return [
            *(_("Date"), pgettext("time of day", "Start"), pgettext("time of day", "End")),
            *(pgettext("duration", "Minutes"), _("Kind"), _("Branch")),
            *(_("Topic"), _("Host"), _("Recorder"), *_count_titles()),
            *(_("Excused members"), _("Absent members"), _("Attendance rate (%)")),
        ]

    def build(self) -> list[Sequence[Any]]:
        return [
            [
                *(r.day, r.starts, r.ends, r.minutes, r.kind, r.branch, r.topic, r.host),
                *(r.recorder, *_counts(r)),
                *("、".join(r.excused_names), "、".join(r.absent_names), percent(r.rate)),
            ]
            for r in ledger_rows(self.filters, now=self.now)
        ]


@register
class BranchesExporter(ReportExporter):
    """Per branch: attendance, and sessions held against required by kind and month."""

    identifier = "branches"
    verbose_name = gettext_lazy("Branch compliance")
    sheet_title = gettext_lazy("Branches")

    def build(self) -> list[Sequence[Any]]:
        self.report = branch_report(self.filters, now=self.now)
        rows = []
        for row in self.report.rows:
            cells = []
            for cell in row.cells:
                if cell is None:
                    cells.append(None)
                elif cell.exempt:
                    cells.append(_("exempt"))
                else:
                    # Spaced, so a spreadsheet never reads "1/2" as a date.
                    cells.append(f"{cell.held} / {cell.required}")
            rows.append(
                [
                    "　" * row.depth + row.name,  # an ideographic space per level, as indent
                    *_counts(row.attendance),
                    percent(row.rate),
                    row.required,
                    row.counted,
                    percent(row.completion),
                    *cells,
                ]
            )
        return rows

    def header(self) -> list[str]:
        self.body()  # the columns depend on the kinds the report found
        columns = [
            f"{month:%Y-%m} {kind.label}"
            for month in self.report.months
            for kind in self.report.kinds
        ]
        return [
            *(_("Branch"), *_count_titles(), _("Attendance rate (%)")),
            *(_("Sessions required"), _("Sessions held"), _("Completion (%)")),
            *columns,
        ]
