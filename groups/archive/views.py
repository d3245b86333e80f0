"""The archive page: a manager chooses a year and a file; a background job builds it."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from groups.archive.forms import ArchiveForm, archive_years
from groups.archive.jobs import archive_job_start
from groups.permissions import get_managed_branch_for_user


def branch_archive(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the year choice; posted, start building the archive and go to its job page."""
    branch = get_managed_branch_for_user(request.user, pk)
    today = timezone.localdate()
    years = archive_years(branch, today_year=today.year)
    posted = request.method == "POST"
    form = ArchiveForm(request.POST if posted else None, years=years, initial={"format": "pdf"})
    if not posted or not form.is_valid():
        return render(
            request,
            "groups/archive/archive.html",
            {"branch": branch, "form": form, "years": years},
            status=400 if posted else 200,
        )
    job = archive_job_start(
        owner=request.user,
        branch=branch,
        year=form.cleaned_data["year"],
        extension=form.cleaned_data["format"],
    )
    return redirect("jobs:job-detail", job.pk)
