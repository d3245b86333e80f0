"""Build a branch's yearly archive: one A4 PDF (WeasyPrint) and one XLSX of the same tables.

Pure but for reading the database: a branch and a year in, bytes out, no request. Long for
a 党委 (a page or more per session), so it reports progress; the job queue runs it.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime
from typing import IO, Any

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from groups.archive.selectors import (
    Archive,
    archive_attachments,
    archive_contents,
    archive_session,
)
from groups.attendance.headcounts import percent
from groups.exports.exporters import BranchesExporter, LedgerExporter, MatrixExporter
from groups.exports.writers import xlsx_write_tables
from groups.models import Branch

Progress = Callable[[int, int], None]

# The stylesheets WeasyPrint reads, in order: the record's and the sheet's own, then the
# archive's pages (A4, page numbers, landscape tables), which win where they differ.
STYLESHEETS = ("css/record.css", "css/signin-sheet.css", "css/archive.css")


def _stylesheets() -> list:
    from weasyprint import CSS

    sheets = []
    for name in STYLESHEETS:
        path = finders.find(name)
        if path is None:
            raise FileNotFoundError(name)
        with open(path, encoding="utf-8") as handle:
            sheets.append(CSS(string=handle.read()))
    return sheets


def archive_steps(archive: Archive) -> int:
    """Return the progress steps of a build: a session each, the typesetting, the workbook."""
    return len(archive.sessions) + 2


def archive_pdf(archive: Archive, target: IO[bytes], *, progress: Progress | None = None) -> None:
    """Typeset the archive as A4 PDF into target, calling progress(done, total) per session."""
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    total = archive_steps(archive)
    attachments = archive_attachments(archive.sessions)
    parts = []
    for done, session in enumerate(archive.sessions, start=1):
        entry = archive_session(session, attachments.get(session.pk, []))
        parts.append(render_to_string("groups/archive/pdf/session.html", {"entry": entry}))
        if progress:
            progress(done, total)
    html = render_to_string(
        "groups/archive/pdf/archive.html",
        # Each part is a template rendered with autoescaping: safe to join.
        {"archive": archive, "sessions_html": mark_safe("".join(parts))},
    )
    # Photos are embedded as data: URIs; nothing else is fetched, neither files nor the web.
    fetcher = URLFetcher(allowed_protocols={"data"})
    HTML(string=html, url_fetcher=fetcher).write_pdf(target, stylesheets=_stylesheets())
    if progress:
        progress(total - 1, total)


def archive_summary(archive: Archive) -> list[tuple[str, Any]]:
    """Return the label/value pairs of the workbook's first sheet (and the PDF's cover)."""
    total = archive.compliance.total
    return [
        (_("Archive"), _("Records of organisational life")),
        (_("Branch"), archive.branch.name),
        (_("Year"), archive.year),
        (_("From"), archive.filters.start),
        (_("To"), archive.filters.end),
        (_("Sessions held"), len(archive.sessions)),
        (_("Completion (%)"), percent(total.completion) if total else None),
        (_("Attendance rate (%)"), percent(total.rate) if total else None),
        (_("Generated at"), timezone.localtime(archive.generated_at).replace(tzinfo=None)),
    ]


def archive_xlsx(archive: Archive, target: IO[bytes]) -> None:
    """Write the archive's tables as one workbook: a summary, compliance, 台账 and matrix."""
    exporters = [
        exporter(archive.filters, now=archive.generated_at)
        for exporter in (BranchesExporter, LedgerExporter, MatrixExporter)
    ]
    xlsx_write_tables(
        target,
        [(str(exporter.sheet_title), exporter.rows()) for exporter in exporters],
        summary=lambda: archive_summary(archive),
    )


def archive_build(
    *, branch: Branch, year: int, progress: Progress | None = None, now: datetime | None = None
) -> tuple[bytes, bytes]:
    """Return the archive of a branch's year as (PDF, XLSX), calling progress(done, total)."""
    archive = archive_contents(branch=branch, year=year, now=now)
    pdf, xlsx = io.BytesIO(), io.BytesIO()
    archive_pdf(archive, pdf, progress=progress)
    archive_xlsx(archive, xlsx)
    if progress:
        total = archive_steps(archive)
        progress(total, total)
    return pdf.getvalue(), xlsx.getvalue()
