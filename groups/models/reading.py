"""Assigned reading: what each member opened and read, their study notes, reminders sent."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

NOTE_MAX_LENGTH = 2000


class ReadingProgress(models.Model):
    """When a member first opened a section, and when they marked it read."""

    # PROTECT: a member with history is deactivated, never deleted (as MembershipPeriod).
    member = models.ForeignKey(
        "groups.Member",
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        related_name="reading_progress",
    )
    section = models.ForeignKey(
        "lessons.Section",
        verbose_name=_("section"),
        on_delete=models.CASCADE,
        related_name="reading_progress",
    )
    opened_at = models.DateTimeField(_("first opened at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["opened_at", "pk"]
        verbose_name = _("reading progress")
        verbose_name_plural = _("reading progress")
        constraints = [
            models.UniqueConstraint(
                fields=["member", "section"], name="readingprogress_unique_member_section"
            ),
            models.CheckConstraint(
                condition=Q(read_at__isnull=True) | Q(read_at__gte=F("opened_at")),
                name="readingprogress_read_after_opened",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.section}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class StudyNote(models.Model):
    """A member's 学习心得 on a section: one per member and section, editable."""

    member = models.ForeignKey(
        "groups.Member",
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        related_name="study_notes",
    )
    section = models.ForeignKey(
        "lessons.Section",
        verbose_name=_("section"),
        on_delete=models.CASCADE,
        related_name="study_notes",
    )
    # A CharField so the database enforces the limit too (varchar on PostgreSQL).
    text = models.CharField(_("study note"), max_length=NOTE_MAX_LENGTH)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-updated_at", "pk"]
        verbose_name = _("study note")
        verbose_name_plural = _("study notes")
        constraints = [
            models.UniqueConstraint(
                fields=["member", "section"], name="studynote_unique_member_section"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.section}"


class ReminderLog(models.Model):
    """An email reminder sent to a user (about a session); its constraints make it idempotent."""

    class Kind(models.TextChoices):
        # From `send_reminders`: once per user and session, ever.
        UPCOMING = "upcoming", _("upcoming session")
        # From a manager's button on the session page: once per user, session and day.
        UNREAD = "unread", _("unread reading")
        # From `send_reminders`: a manager's follow-up list, at most once per user and day.
        FOLLOW_UP = "follow_up", _("members to follow up")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    # Empty only for a follow-up list, which is about members rather than one session.
    session = models.ForeignKey(
        "groups.StudySession",
        verbose_name=_("session"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # The local day it was sent, for the once-a-day rule of manual reminders.
    sent_on = models.DateField(_("sent on"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        ordering = ["-sent_at", "pk"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "session"],
                condition=Q(kind="upcoming"),
                name="reminderlog_once_per_session",
            ),
            models.UniqueConstraint(
                fields=["user", "session", "sent_on"],
                condition=Q(kind="unread"),
                name="reminderlog_unread_once_a_day",
            ),
            models.UniqueConstraint(
                fields=["user", "sent_on"],
                condition=Q(kind="follow_up"),
                name="reminderlog_follow_up_once_a_day",
            ),
            models.CheckConstraint(
                condition=Q(kind="follow_up") | Q(session__isnull=False),
                name="reminderlog_session_unless_follow_up",
            ),
        ]
        indexes = [models.Index(fields=["session", "kind"], name="reminderlog_session_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.user} ({self.sent_at:%Y-%m-%d %H:%M})"
