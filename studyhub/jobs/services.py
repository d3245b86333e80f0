"""Starting, running and tidying background jobs.

A job is a row (``studyhub.models.Job``) and one Celery task (``studyhub.tasks.run_job``)
that runs it. The task is acknowledged late, so a worker killed mid-job leaves it on the
queue and another worker runs it again: ``job_run`` claims the row with a conditional
update, never redoes a finished job, and gives up after ``MAX_ATTEMPTS``. A job whose worker
vanished without the task coming back (the whole host gone) stops reporting progress, and
``jobs_sweep_stale`` marks it failed, so nothing stays "running" forever.
"""

from __future__ import annotations

import logging
import os
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from studyhub.jobs.registry import JobError, job_function
from studyhub.models import Job

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
# Progress is written at most this often (and once at the end): a 200,000-row export reports
# a few dozen times, not 200,000.
PROGRESS_SECONDS = 1.0


@transaction.atomic
def job_start(*, owner: Any, kind: str, params: dict[str, Any], title: str) -> Job:
    """Record a job and queue it once the transaction commits (the worker must see the row)."""
    from studyhub.tasks import run_job

    job_function(kind)  # an unknown kind fails here, in the request, not later in a worker
    job = Job.objects.create(
        owner=owner,
        kind=kind,
        title=title[:200],
        params=params,
        language=translation.get_language() or "",
    )
    transaction.on_commit(lambda: run_job.delay(job.pk))
    return job


def job_run(job_id: int, *, worker: str = "") -> None:
    """Run a queued job (or one whose worker died mid-run) to done or failed.

    Safe to call again for the same job: a finished job is left alone, and a job already
    tried ``MAX_ATTEMPTS`` times is marked failed instead of run once more.
    """
    now = timezone.now()
    # The claim: one conditional UPDATE, so a finished job is never started again. A running
    # one is taken over: its task came back because its worker died (a live worker keeps the
    # task for CELERY_VISIBILITY_TIMEOUT, longer than any job).
    claimed = Job.objects.filter(
        pk=job_id,
        status__in=[Job.Status.QUEUED, Job.Status.RUNNING],
        attempts__lt=MAX_ATTEMPTS,
    ).update(
        status=Job.Status.RUNNING,
        attempts=F("attempts") + 1,
        started_at=now,
        heartbeat_at=now,
        worker=worker[:200],
        done=0,
    )
    if not claimed:
        _fail(
            Job.objects.filter(pk=job_id, status=Job.Status.RUNNING),
            _("The job was interrupted %(attempts)s times and was given up. Start it again.")
            % {"attempts": MAX_ATTEMPTS},
        )
        return
    job = Job.objects.select_related("owner").get(pk=job_id)
    running = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, attempts=job.attempts)
    # Progress on its own connection where there is one (settings: "jobs"), unless this runs
    # inside a transaction already (a test), whose rows another connection could not see.
    separate = "jobs" in settings.DATABASES and not transaction.get_connection().in_atomic_block
    progress = _Progress(running.using("jobs") if separate else running)
    try:
        with translation.override(job.language or settings.LANGUAGE_CODE):
            filename, content_type, content, *summary = job_function(job.kind)(
                job.owner, job.params, progress
            )
    except JobError as exc:
        _fail(running, str(exc))
        return
    except Exception:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        _fail(running, _("The job failed. Try again; if it fails again, tell an administrator."))
        return
    _finish(job, running, filename, content_type, content, "".join(summary))


class _Progress:
    """The progress callback: writes done/total and the heartbeat, at most once a second."""

    def __init__(self, running: Any) -> None:
        self.running = running
        self.written_at = 0.0

    def __call__(self, done: int, total: int) -> None:
        moment = time.monotonic()
        if moment - self.written_at < PROGRESS_SECONDS and done < total:
            return
        self.written_at = moment
        self.running.update(done=done, total=max(total, done), heartbeat_at=timezone.now())


def _finish(
    job: Job, running: Any, filename: str, content_type: str, content: Any, summary: str
) -> None:
    if isinstance(content, bytes):
        upload: File = ContentFile(content, name=filename)
        job.result.save(filename, upload, save=False)
    else:
        path = Path(content)
        try:
            with path.open("rb") as handle:
                job.result.save(filename, File(handle, name=filename), save=False)
        finally:
            os.unlink(path)
    now = timezone.now()
    updated = running.update(
        status=Job.Status.DONE,
        done=F("total"),
        finished_at=now,
        heartbeat_at=now,
        result=job.result.name,
        result_name=filename[:300],
        result_type=content_type[:200],
        error="",
        summary=summary,
        expires_at=now + timedelta(days=settings.STUDYHUB_JOB_FILE_DAYS),
    )
    if not updated:
        # Swept as stale meanwhile: the row says failed, so the file would never be offered.
        job.result.delete(save=False)


def _fail(jobs: Any, message: str) -> int:
    return jobs.update(status=Job.Status.FAILED, error=message, finished_at=timezone.now())


def jobs_sweep_stale(*, now: datetime | None = None) -> int:
    """Mark failed the running jobs that have not reported for STUDYHUB_JOB_STALE_MINUTES."""
    now = now or timezone.now()
    cutoff = now - timedelta(minutes=settings.STUDYHUB_JOB_STALE_MINUTES)
    return _fail(
        Job.objects.filter(status=Job.Status.RUNNING, heartbeat_at__lt=cutoff),
        _("The job stopped: the process running it ended. Start it again."),
    )


def jobs_delete_expired(*, now: datetime | None = None) -> int:
    """Delete the files of jobs past their expiry (STUDYHUB_JOB_FILE_DAYS); keep the rows."""
    now = now or timezone.now()
    deleted = 0
    for job in Job.objects.filter(expires_at__lt=now).exclude(result="").only("pk", "result"):
        job.result.delete(save=False)
        Job.objects.filter(pk=job.pk).update(result="")
        deleted += 1
    return deleted
