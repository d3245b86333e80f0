"""The Celery tasks of the project: run a background job, and tidy them (beat)."""

from __future__ import annotations

import os
import socket

from celery import shared_task
from django.db import InterfaceError, OperationalError

from studyhub.jobs import services
from studyhub.jobs.services import MAX_ATTEMPTS


# A lost worker brings the task back (acks late, reject on worker lost) and job_run counts the
# attempts; a database that is briefly away is retried here, as often.
@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(InterfaceError, OperationalError),
    max_retries=MAX_ATTEMPTS - 1,
    retry_backoff=True,
)
def run_job(job_id: int) -> None:
    """Run the background job with this id."""
    services.job_run(job_id, worker=f"{socket.gethostname()}:{os.getpid()}")


@shared_task
def jobs_sweep_stale() -> int:
    """Mark failed the running jobs whose worker stopped reporting."""
    return services.jobs_sweep_stale()


@shared_task
def jobs_delete_expired() -> int:
    """Delete expired job files."""
    return services.jobs_delete_expired()
