"""Attendance: who is expected at a session (a snapshot), their status, leave, make-up, minutes."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import ProtectedError, Q
from django.db.models.signals import pre_delete
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Attendance(models.Model):
    """One expected member at one session: the 应到 snapshot and, once taken, the status.

    Rows are created when the session is scheduled, from the members expected then, so
    reports divide by who was expected, never by today's roster.
    """

    class Status(models.TextChoices):
        PRESENT = "present", _("present")  # 出席
        LATE = "late", _("late")  # 迟到
        EXCUSED = "excused", _("excused")  # 请假
        ABSENT = "absent", _("absent")  # 缺席

    ATTENDED = (Status.PRESENT, Status.LATE)
    MISSED = (Status.EXCUSED, Status.ABSENT)

    # Unmarked rows go with a session deleted by mistake; a session whose attendance was
    # taken cannot be deleted at all (see _refuse_deleting_taken_attendance): cancel it.
    session = models.ForeignKey(
        "groups.StudySession",
        verbose_name=_("session"),
        on_delete=models.CASCADE,
        related_name="attendance",
    )
    member = models.ForeignKey(
        "groups.Member",
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        related_name="attendance",
    )
    # Snapshots taken with the row: the member's branch (their 党小组, for grouping) and
    # category (预备党员 have no vote, so they do not count for a voting quorum).
    member_branch = models.ForeignKey(
        "groups.Branch",
        verbose_name=_("member's branch"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    category = models.ForeignKey(
        "groups.MemberCategory",
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    has_vote = models.BooleanField(_("has a vote"))
    # Empty until attendance is taken.
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    # Taken before the session started (the manager confirmed it): the record says so.
    recorded_before_start = models.BooleanField(_("recorded before the start"), default=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "member"], name="attendance_unique_session_member"
            ),
        ]
        indexes = [models.Index(fields=["member", "session"], name="attendance_member_idx")]

    def __str__(self) -> str:
        return f"{self.member} @ {self.session_id}: {self.get_status_display() or '-'}"

    @property
    def attended(self) -> bool:
        return self.status in self.ATTENDED


class LeaveRequest(models.Model):
    """A member's request for leave (请假) from a session, decided by the branch's managers."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")
        # Resolved without a decision, so nothing is left pending that nobody can decide.
        WITHDRAWN = "withdrawn", _("withdrawn")

    class WithdrawnBecause(models.TextChoices):
        ATTENDED = "attended", _("you were marked present")
        CANCELLED = "cancelled", _("the session was cancelled")
        NOT_EXPECTED = "not_expected", _("you are no longer expected at the session")

    OPEN = (Status.PENDING, Status.APPROVED)

    session = models.ForeignKey(
        "groups.StudySession",
        verbose_name=_("session"),
        on_delete=models.PROTECT,
        related_name="leave_requests",
    )
    member = models.ForeignKey(
        "groups.Member",
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        related_name="leave_requests",
    )
    reason = models.CharField(_("reason"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("asked at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("decision note"), max_length=200, blank=True)
    withdrawn_because = models.CharField(
        _("withdrawn because"), max_length=12, choices=WithdrawnBecause.choices, blank=True
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("leave request")
        verbose_name_plural = _("leave requests")
        constraints = [
            # One open (pending or approved) request per member and session.
            models.UniqueConstraint(
                fields=["session", "member"],
                condition=Q(status__in=["pending", "approved"]),
                name="leave_one_open_request",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} / {self.session_id}: {self.get_status_display()}"


class MakeUpStudy(models.Model):
    """补学: the make-up study of a member who was excused or absent."""

    attendance = models.OneToOneField(
        Attendance,
        verbose_name=_("attendance"),
        on_delete=models.PROTECT,
        related_name="makeup",
    )
    note = models.TextField(_("study note"), max_length=2000, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("confirmed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("make-up study")
        verbose_name_plural = _("make-up studies")

    def __str__(self) -> str:
        return f"{self.attendance}: {'done' if self.is_done else 'pending'}"

    @property
    def is_done(self) -> bool:
        return self.confirmed_at is not None


class Minutes(models.Model):
    """会议记录: what a session discussed and decided, printed into the yearly 记录本."""

    session = models.OneToOneField(
        "groups.StudySession",
        verbose_name=_("session"),
        on_delete=models.PROTECT,
        related_name="minutes",
    )
    topics = models.TextField(_("topics"), blank=True)  # 议题
    key_points = models.TextField(_("key points of the discussion"), blank=True)  # 发言要点
    resolutions = models.TextField(_("resolutions"), blank=True)  # 决议
    vote_results = models.TextField(_("vote results"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")

    def __str__(self) -> str:
        return f"{self.session}"


class MinutesAttachment(models.Model):
    """A photo or PDF kept with the minutes (stored through Django's storage API)."""

    minutes = models.ForeignKey(
        Minutes, verbose_name=_("minutes"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to="minutes/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    # The address names this, not the sequential id: nobody can walk the attachments.
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


@receiver(pre_delete, sender="groups.StudySession")
def _refuse_deleting_taken_attendance(sender: type, instance: models.Model, **kwargs) -> None:
    """Refuse to delete a session once attendance was taken: its record must stay."""
    taken = Attendance.objects.filter(session=instance).exclude(status="")
    if taken.exists():
        raise ProtectedError(
            _("Attendance was taken at this session: cancel it instead of deleting it."),
            set(taken),
        )
