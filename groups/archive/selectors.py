"""What the year's archive of a branch holds: the reports of the year and its sessions.

The tables are the report pages' own (groups.reports), so the archive's figures are the
ones the report tabs and their exports show for the same branch and year.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from itertools import groupby

from django.utils import timezone

from groups.archive.thumbnails import Attachment, attachment_for_archive
from groups.attendance.selectors import SheetGroup, signin_sheet_groups
from groups.minutes.services import Record, session_record
from groups.models import Branch, MinutesAttachment, StudySession
from groups.reports.branches import BranchReport, MonthSpan, branch_report
from groups.reports.filters import ReportFilters
from groups.reports.ledger import LedgerRow, ledger_rows
from groups.reports.matrix import MatrixCell, MatrixReport, MatrixRow, matrix_report

# Month × kind cells of the compliance matrix across an A4 landscape page (as the print view).
COMPLIANCE_COLUMNS = 20
# Months of the member × month matrix across an A4 landscape page: a year is two runs.
MATRIX_MONTHS = 6


@dataclass
class MatrixSpan:
    """A run of the matrix's months: months, and per 党小组 its rows as (row, cells there)."""

    months: list[date]
    groups: list[tuple[str, list[tuple[MatrixRow, list[MatrixCell]]]]]


@dataclass
class Archive:
    """A branch's year: the filters the reports ran with, their tables and the sessions held."""

    branch: Branch
    year: int
    filters: ReportFilters
    generated_at: datetime
    compliance: BranchReport
    compliance_spans: list[MonthSpan]
    ledger: list[LedgerRow]
    matrix: MatrixReport
    matrix_spans: list[MatrixSpan]
    sessions: list[StudySession]

    @property
    def title(self) -> str:
        return f"{self.branch.name} {self.year}"


@dataclass
class ArchiveSession:
    """One held session in the archive: its 会议记录, attachments and 签到表."""

    record: Record
    attachments: list[Attachment]
    sheet: list[SheetGroup]
    expected: int

    @property
    def anchor(self) -> str:
        return f"session-{self.record.session.pk}"

    @property
    def images(self) -> list[Attachment]:
        return [a for a in self.attachments if a.image]

    @property
    def files(self) -> list[Attachment]:
        return [a for a in self.attachments if not a.image]


def archive_filters(branch: Branch, year: int) -> ReportFilters:
    """Return the report filters of a branch's year: its subtree, 1 January to 31 December."""
    return ReportFilters(start=date(year, 1, 1), end=date(year, 12, 31), root=branch)


def archive_contents(*, branch: Branch, year: int, now: datetime | None = None) -> Archive:
    """Return the year's tables and its sessions held, in a constant number of queries.

    The sessions are the 台账's (held in the year, not cancelled; the subtree's own and
    those of a higher-level branch its members were expected at), in the same order.
    """
    now = now or timezone.now()
    filters = archive_filters(branch, year)
    compliance = branch_report(filters, now=now)
    ledger = ledger_rows(filters, now=now)
    matrix = matrix_report(filters, now=now)
    by_pk = StudySession.objects.select_related("kind", "branch", "host", "recorder").in_bulk(
        [row.session_id for row in ledger]
    )
    return Archive(
        branch=branch,
        year=year,
        filters=filters,
        generated_at=now,
        compliance=compliance,
        compliance_spans=compliance.spans(columns=COMPLIANCE_COLUMNS),
        ledger=ledger,
        matrix=matrix,
        matrix_spans=[
            MatrixSpan(
                months=matrix.months[start : start + MATRIX_MONTHS],
                groups=[
                    (group, [(r, r.cells[start : start + MATRIX_MONTHS]) for r in rows])
                    for group, rows in groupby(matrix.rows, key=lambda r: r.group)
                ],
            )
            for start in range(0, len(matrix.months), MATRIX_MONTHS)
        ],
        sessions=[by_pk[row.session_id] for row in ledger],
    )


def archive_attachments(sessions: list[StudySession]) -> dict[int, list[MinutesAttachment]]:
    """Return the attachments of the sessions' minutes by session, in one query."""
    found: dict[int, list[MinutesAttachment]] = defaultdict(list)
    for attachment in MinutesAttachment.objects.filter(
        minutes__session__in=[s.pk for s in sessions]
    ).select_related("minutes"):
        found[attachment.minutes.session_id].append(attachment)
    return found


def archive_session(session: StudySession, attachments: list[MinutesAttachment]) -> ArchiveSession:
    """Return one session's record and sign-in sheet: four queries, whatever its size."""
    groups, expected = signin_sheet_groups(session)
    return ArchiveSession(
        record=session_record(session),
        attachments=[attachment_for_archive(a) for a in attachments],
        sheet=groups,
        expected=expected,
    )
