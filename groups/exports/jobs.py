"""An export too large to download at once, as a background job (studyhub/jobs).

The view stores the report, the format and the cleaned filters; the job builds the same
exporter for the same user (the filter form checks again that the branch is theirs) and
writes it with the writers of the direct download into a temporary file, reporting
progress every ``PROGRESS_ROWS`` rows.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator
from datetime import date
from typing import Any

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from groups.exports.exporters import EXPORTERS
from groups.exports.writers import (
    CSV_CONTENT_TYPE,
    XLSX_CONTENT_TYPE,
    Exporter,
    export_csv_chunks,
    export_xlsx,
)
from groups.reports.forms import ReportFilterForm
from studyhub.jobs.registry import JobError, JobResult, Progress
from studyhub.jobs.services import job_start
from studyhub.models import Job

PROGRESS_ROWS = 2000


def export_job_start(
    *, owner: Any, report: str, file_format: str, form: ReportFilterForm, exporter: Exporter
) -> Job:
    """Queue the export as a job of the owner's, with the filters the form cleaned."""
    data = form.cleaned_data
    filters: dict[str, Any] = {
        "date_from": data["date_from"].isoformat(),
        "date_to": data["date_to"].isoformat(),
        "kinds": [str(kind.pk) for kind in data.get("kinds", [])],
        "categories": [str(category.pk) for category in data.get("categories", [])],
    }
    if data.get("branch") is not None:
        filters["branch"] = str(data["branch"].pk)
    params = {
        "report": report,
        "format": file_format,
        "filters": filters,
        "today": form.today.isoformat(),
        "now": exporter.now.isoformat(),
    }
    name, _ascii = exporter.filename(file_format)
    return job_start(owner=owner, kind="export", params=params, title=name)


def export_job(owner: Any, params: dict[str, Any], progress: Progress) -> JobResult:
    """Write the export a job describes into a temporary file; return its name and type."""
    exporter_class = EXPORTERS.get(params.get("report", ""))
    file_format = params.get("format")
    if exporter_class is None or file_format not in ("csv", "xlsx"):
        raise JobError(_("This export is no longer available."))
    form = ReportFilterForm(
        params["filters"], user=owner, today=date.fromisoformat(params["today"])
    )
    if not form.is_valid():
        # The owner lost the branch (or it was deleted) since the job was started.
        raise JobError(" ".join(error for errors in form.errors.values() for error in errors))
    exporter = exporter_class(form.filters(), now=parse_datetime(params["now"]))
    total = exporter.count()
    progress(0, total)
    name, _ascii = exporter.filename(file_format)
    with tempfile.NamedTemporaryFile(suffix=f".{file_format}", delete=False) as spool:
        if file_format == "csv":
            done = 0
            for chunk in export_csv_chunks(exporter):
                data = chunk.encode() if isinstance(chunk, str) else chunk
                spool.write(data)
                # A line a row (the header's too): near enough for a progress bar. Short of
                # the total until the loop ends: "all done" is always written, and on
                # PostgreSQL the COPY must have finished if progress shares its connection.
                done += data.count(b"\n")
                progress(max(min(done, total) - 1, 0), total)
            content_type = CSV_CONTENT_TYPE
        else:
            export_xlsx(exporter, spool, rows=_counted(exporter.rows(), total, progress))
            content_type = XLSX_CONTENT_TYPE
    progress(total, total)
    return name, content_type, spool.name


def _counted(rows: Iterable[Any], total: int, progress: Progress) -> Iterator[Any]:
    """Yield the rows (header first), reporting every PROGRESS_ROWS data rows."""
    for number, row in enumerate(rows):
        if number and number % PROGRESS_ROWS == 0:
            progress(number, total)
        yield row
