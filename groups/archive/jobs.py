"""A branch's yearly archive as a background job (studyhub/jobs): it takes a minute or more
for a 党委, so the archive page starts it and the job page shows its progress."""

from __future__ import annotations

import io
from typing import Any

from groups.archive.selectors import archive_contents
from groups.archive.services import archive_pdf, archive_steps, archive_xlsx
from groups.exports.writers import XLSX_CONTENT_TYPE
from groups.models import Branch
from groups.permissions import get_managed_branch_for_job
from studyhub.jobs.registry import JobResult, Progress
from studyhub.jobs.services import job_start
from studyhub.models import Job


def archive_filename(branch_name: str, branch_code: str, year: int, extension: str) -> tuple:
    """Return the download's name and its ASCII fallback: branch, year and 组织生活档案."""
    return (
        f"{branch_name}-{year}年组织生活档案.{extension}",
        f"{branch_code}-archive-{year}.{extension}",
    )


def archive_job_start(*, owner: Any, branch: Branch, year: int, extension: str) -> Job:
    """Queue the building of a branch's archive of a year, as PDF or XLSX."""
    name, _ascii = archive_filename(branch.name, branch.code, year, extension)
    params = {"branch": branch.pk, "year": year, "format": extension}
    return job_start(owner=owner, kind="archive", params=params, title=name)


def archive_job(owner: Any, params: dict[str, Any], progress: Progress) -> JobResult:
    """Build the archive a job describes, for an owner who still manages the branch."""
    branch = get_managed_branch_for_job(owner, params["branch"])
    year, extension = int(params["year"]), params["format"]
    archive = archive_contents(branch=branch, year=year)
    buffer = io.BytesIO()
    if extension == "pdf":
        archive_pdf(archive, buffer, progress=progress)
        content_type = "application/pdf"
    else:
        archive_xlsx(archive, buffer)
        content_type = XLSX_CONTENT_TYPE
    total = archive_steps(archive)
    progress(total, total)
    name, _ascii = archive_filename(branch.name, branch.code, year, extension)
    return name, content_type, buffer.getvalue()
