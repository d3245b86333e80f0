"""The project's own models: background jobs (studyhub/jobs)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def job_file_path(job: Job, filename: str) -> str:
    """Store a job's file under jobs/ by a random ASCII name; the user's name is in the row."""
    extension = filename.rpartition(".")[2] if "." in filename else "bin"
    return f"jobs/{job.owner_id}/{uuid.uuid4().hex}.{extension}"


class Job(models.Model):
    """Work done off the request (a large export, a year's archive) that its owner watches."""

    class Status(models.TextChoices):
        QUEUED = "queued", pgettext_lazy("job", "Queued")
        RUNNING = "running", pgettext_lazy("job", "Running")
        DONE = "done", pgettext_lazy("job", "Done")
        FAILED = "failed", pgettext_lazy("job", "Failed")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs"
    )
    kind = models.CharField(_("kind"), max_length=50)
    title = models.CharField(_("title"), max_length=200)
    # The page's language when it was started: the file's headings are in it.
    language = models.CharField(_("language"), max_length=10, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    done = models.PositiveIntegerField(_("done"), default=0)
    total = models.PositiveIntegerField(_("total"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # Written with each progress report: a running job whose worker died stops beating.
    heartbeat_at = models.DateTimeField(_("last report"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    worker = models.CharField(_("worker"), max_length=200, blank=True)
    result = models.FileField(_("file"), upload_to=job_file_path, blank=True, max_length=300)
    result_name = models.CharField(_("file name"), max_length=300, blank=True)
    result_type = models.CharField(_("content type"), max_length=200, blank=True)
    error = models.TextField(_("error"), blank=True)
    # What a finished job did, in a sentence (a roster import's counts); shown above its file.
    summary = models.TextField(_("summary"), blank=True)
    expires_at = models.DateTimeField(_("file expires"), null=True, blank=True)

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["owner", "-created_at"], name="job_owner_created"),
            models.Index(fields=["status", "heartbeat_at"], name="job_status_heartbeat"),
            models.Index(fields=["expires_at"], name="job_expires"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def percent(self) -> int:
        """Return how far the job is, 0–100 (100 once done)."""
        if self.status == self.Status.DONE:
            return 100
        if not self.total:
            return 0
        return min(100, self.done * 100 // self.total)

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def downloadable(self) -> bool:
        return self.status == self.Status.DONE and bool(self.result)
