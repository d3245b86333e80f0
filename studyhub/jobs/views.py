"""The pages of background jobs: my jobs, one job's progress, its download."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from groups.exports.writers import content_disposition
from studyhub.jobs.selectors import get_job_for_user, jobs_of

JOBS_PAGE_ROWS = 20
# How often the job page asks for its progress while the job runs.
POLL_SECONDS = 1


def job_list(request: HttpRequest) -> HttpResponse:
    """List the user's jobs, newest first."""
    page = Paginator(jobs_of(request.user), JOBS_PAGE_ROWS).get_page(request.GET.get("page"))
    return render(
        request, "jobs/job_list.html", {"page": page, "file_days": settings.STUDYHUB_JOB_FILE_DAYS}
    )


def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show a job: its progress (polled while it runs), then its download or its error."""
    job = get_job_for_user(request.user, pk)
    return render(request, "jobs/job_detail.html", {"job": job, "poll_seconds": POLL_SECONDS})


def job_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """Return the job's status block alone, for the page's polling."""
    job = get_job_for_user(request.user, pk)
    context = {"job": job, "poll_seconds": POLL_SECONDS}
    return render(request, "jobs/partials/job_status.html", context)


def job_download(request: HttpRequest, pk: int) -> FileResponse:
    """Stream a finished job's file under its own (Chinese) name."""
    job = get_job_for_user(request.user, pk)
    if not job.downloadable:
        raise Http404
    response = FileResponse(job.result.open("rb"), content_type=job.result_type)
    response["Content-Disposition"] = content_disposition(job.result_name)
    return response
