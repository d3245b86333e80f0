"""The archive page: a manager chooses a year and downloads the branch's records as one file.

Generated while the request waits for now; the lead moves it to a job with progress.
"""

from __future__ import annotations

import io

from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from groups.archive.forms import ArchiveForm, archive_years
from groups.archive.selectors import archive_contents
from groups.archive.services import archive_pdf, archive_xlsx
from groups.exports.writers import XLSX_CONTENT_TYPE, content_disposition
from groups.permissions import get_managed_branch_for_user


def archive_filename(branch_name: str, branch_code: str, year: int, extension: str) -> tuple:
    """Return the download's name and its ASCII fallback: branch, year and 组织生活档案."""
    return (
        f"{branch_name}-{year}年组织生活档案.{extension}",
        f"{branch_code}-archive-{year}.{extension}",
    )


def branch_archive(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the year choice; with a year and a file chosen, build and download the archive."""
    branch = get_managed_branch_for_user(request.user, pk)
    today = timezone.localdate()
    years = archive_years(branch, today_year=today.year)
    chosen = "year" in request.GET or "format" in request.GET
    form = ArchiveForm(request.GET if chosen else None, years=years, initial={"format": "pdf"})
    if not chosen or not form.is_valid():
        return render(
            request,
            "groups/archive/archive.html",
            {"branch": branch, "form": form, "years": years},
            status=400 if chosen else 200,
        )
    year, extension = form.cleaned_data["year"], form.cleaned_data["format"]
    archive = archive_contents(branch=branch, year=year)
    buffer = io.BytesIO()
    if extension == "pdf":
        archive_pdf(archive, buffer)
        content_type = "application/pdf"
    else:
        archive_xlsx(archive, buffer)
        content_type = XLSX_CONTENT_TYPE
    buffer.seek(0)
    name, ascii_name = archive_filename(branch.name, branch.code, year, extension)
    response = FileResponse(buffer, content_type=content_type)
    response["Content-Disposition"] = content_disposition(name, ascii_name=ascii_name)
    return response
