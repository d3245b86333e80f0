"""Reading background jobs: the owner's list, and one job for whoever may see it."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from studyhub.models import Job


def jobs_of(user: Any) -> QuerySet[Job]:
    """Return the user's own jobs, newest first (staff too: their list is theirs alone)."""
    return Job.objects.filter(owner=user).order_by("-created_at", "-pk")


def get_job_for_user(user: Any, pk: int) -> Job:
    """Return the job if the user started it or is staff; anyone else gets a 404.

    A job's file holds what its owner could see when it ran: a 404, not a 403, so nobody
    learns which jobs exist.
    """
    jobs = Job.objects.select_related("owner")
    if not user.is_staff:
        jobs = jobs.filter(owner=user)
    return get_object_or_404(jobs, pk=pk)
