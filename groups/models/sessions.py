"""Session kinds and their rules, recurring series, study sessions and their assigned reading."""

from __future__ import annotations

import secrets
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _


def local_midnight(day: date) -> datetime:
    """Return the start of a local (settings.TIME_ZONE) day as an aware datetime."""
    return datetime.combine(day, time.min, tzinfo=timezone.get_default_timezone())


class Period(models.TextChoices):
    WEEK = "week", _("week")
    MONTH = "month", _("month")
    QUARTER = "quarter", _("quarter")
    YEAR = "year", _("year")


def _rule_is_whole() -> Q:
    """Return the check that a rule has both a count and a period, or neither."""
    return Q(required_count__isnull=True, period="") | Q(required_count__isnull=False) & ~Q(
        period=""
    )


class SessionKind(models.Model):
    """A kind of session (三会一课 and more) with its default frequency rule (seeded data)."""

    GENERAL_MEETING = "general_meeting"
    COMMITTEE_MEETING = "committee_meeting"
    GROUP_MEETING = "group_meeting"
    LECTURE = "lecture"
    THEMED_DAY = "themed_day"
    STUDY = "study"
    ORGANISATIONAL_LIFE = "organisational_life"
    TRAINING = "training"

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=32)
    short_name = models.CharField(_("short name"), max_length=16, blank=True)
    label_en = models.CharField(_("English label"), max_length=64, blank=True)
    # The default rule: at least `required_count` sessions per `period`; none for 专题培训.
    required_count = models.PositiveSmallIntegerField(_("required count"), null=True, blank=True)
    period = models.CharField(_("per"), max_length=10, choices=Period.choices, blank=True)
    # Who is expected (应到): a 支委会 is for the branch committee (warn when it has none);
    # other kinds expect the subtree's members of these categories (none ticked: everyone).
    committee_only = models.BooleanField(_("committee only"), default=False)
    expected_categories = models.ManyToManyField(
        "groups.MemberCategory",
        verbose_name=_("expected categories"),
        blank=True,
        related_name="+",
        help_text=_("Who is expected (应到): none ticked means every member on the roster."),
    )
    # The branch kinds the rule applies to (a 党小组会 is a 党小组's); none means every kind.
    branch_kinds = models.ManyToManyField(
        "groups.BranchKind",
        verbose_name=_("required of"),
        blank=True,
        related_name="session_kinds",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("session kind")
        verbose_name_plural = _("session kinds")
        constraints = [
            models.CheckConstraint(condition=_rule_is_whole(), name="sessionkind_whole_rule"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """Return the kind's name in the active language (Chinese unless English is chosen)."""
        if self.label_en and (translation.get_language() or "").startswith("en"):
            return self.label_en
        return self.name

    @property
    def expected_label(self) -> str:
        """Return who the kind expects, as the session form and page say it (prefetch first)."""
        if self.committee_only:
            return str(_("the branch committee"))
        names = [category.name for category in self.expected_categories.all()]
        separator = ", " if (translation.get_language() or "").startswith("en") else "、"
        return separator.join(names) if names else str(_("every member"))

    @property
    def short_label(self) -> str:
        if (translation.get_language() or "").startswith("en"):
            return self.label
        return self.short_name or self.name


class KindRule(models.Model):
    """A frequency rule for a kind in a branch's subtree, overriding the kind's default."""

    branch = models.ForeignKey(
        "groups.Branch", verbose_name=_("branch"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.ForeignKey(
        SessionKind, verbose_name=_("kind"), on_delete=models.CASCADE, related_name="rules"
    )
    # 0 means "no requirement" in this subtree.
    required_count = models.PositiveSmallIntegerField(_("required count"))
    period = models.CharField(_("per"), max_length=10, choices=Period.choices)

    class Meta:
        ordering = ["branch", "kind"]
        verbose_name = _("kind rule")
        verbose_name_plural = _("kind rules")
        constraints = [
            models.UniqueConstraint(fields=["branch", "kind"], name="kindrule_unique_branch_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.branch} · {self.kind}: {self.required_count}/{self.get_period_display()}"


class BranchExemption(models.Model):
    """A branch excused from a kind (e.g. a 党支部 too small to have 党小组); not its subtree."""

    branch = models.ForeignKey(
        "groups.Branch", verbose_name=_("branch"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.ForeignKey(
        SessionKind, verbose_name=_("kind"), on_delete=models.CASCADE, related_name="exemptions"
    )
    reason = models.CharField(_("reason"), max_length=200)

    class Meta:
        ordering = ["branch", "kind"]
        verbose_name = _("exemption")
        verbose_name_plural = _("exemptions")
        constraints = [
            models.UniqueConstraint(
                fields=["branch", "kind"], name="branchexemption_unique_branch_kind"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.branch} · {self.kind}"


class PublicHoliday(models.Model):
    """A day the 组织部 adds to the national holiday calendar, or takes out of it.

    The national calendar (chinesecalendar) is the default; a row with ``day_off`` adds a
    day (a year the package does not know yet, a local holiday), one without it makes a
    national holiday a working day for the organisation's series.
    """

    day = models.DateField(_("day"), unique=True)
    name = models.CharField(_("name"), max_length=50)
    day_off = models.BooleanField(
        _("day off"), default=True, help_text=_("Untick to hold sessions on a national holiday.")
    )

    class Meta:
        ordering = ["day"]
        verbose_name = _("public holiday")
        verbose_name_plural = _("public holidays")

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.name}"


class SessionDetails(models.Model):
    """The fields a series hands down to each of its sessions."""

    branch = models.ForeignKey(
        "groups.Branch", verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.ForeignKey(
        SessionKind, verbose_name=_("kind"), on_delete=models.PROTECT, related_name="+"
    )
    topic = models.CharField(_("topic"), max_length=200)
    location = models.CharField(_("location"), max_length=200, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    host = models.ForeignKey(
        "groups.Member",
        verbose_name=_("host (主持人)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorder = models.ForeignKey(
        "groups.Member",
        verbose_name=_("recorder (记录人)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    agenda = models.TextField(_("agenda"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class Series(SessionDetails):
    """A recurring schedule (RFC 5545 RRULE, local wall-clock time) that made sessions."""

    # The RRULE value without UNTIL/COUNT, e.g. FREQ=WEEKLY;INTERVAL=1;BYDAY=TU.
    rule = models.CharField(_("recurrence rule"), max_length=200)
    first_day = models.DateField(_("starts on"))
    until = models.DateField(_("until"), null=True, blank=True)
    count = models.PositiveSmallIntegerField(_("number of sessions"), null=True, blank=True)
    start_time = models.TimeField(_("start time"))
    duration = models.DurationField(_("duration"))
    # The series this one continues after an edit of "this and following".
    previous = models.ForeignKey(
        "self",
        verbose_name=_("split from"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-first_day", "pk"]
        verbose_name = _("series")
        verbose_name_plural = _("series")
        constraints = [
            models.CheckConstraint(
                condition=Q(until__isnull=True, count__isnull=False)
                | Q(until__isnull=False, count__isnull=True),
                name="series_one_end",
            ),
            models.CheckConstraint(condition=Q(duration__gt=timedelta(0)), name="series_duration"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} · {self.topic} ({self.rule})"


class StudySessionQuerySet(models.QuerySet):
    def for_display(self) -> StudySessionQuerySet:
        """Bundle what a list or calendar row shows: branch, kind, host."""
        return self.select_related("branch__kind", "kind", "host")

    def for_page(self) -> StudySessionQuerySet:
        """Bundle what the session page and its .ics show, reading included."""
        return self.select_related(
            "branch__kind", "kind", "host", "recorder", "series", "created_by"
        ).prefetch_related(
            models.Prefetch(
                "assignments",
                queryset=ReadingAssignment.objects.select_related("section__lecture"),
            )
        )

    def not_cancelled(self) -> StudySessionQuerySet:
        return self.exclude(status=StudySession.Status.CANCELLED)

    def between(self, start: date, end: date) -> StudySessionQuerySet:
        """Keep the sessions starting on local days start ≤ day < end."""
        return self.filter(starts_at__gte=local_midnight(start), starts_at__lt=local_midnight(end))


class StudySession(SessionDetails):
    """One meeting of a branch: 支部党员大会, 支委会, 党课, 集中学习 …"""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("scheduled")
        HELD = "held", _("held")
        CANCELLED = "cancelled", _("cancelled")

    series = models.ForeignKey(
        Series,
        verbose_name=_("series"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sessions",
    )
    # The local date the series rule gave this session, kept when the session is moved.
    occurrence_day = models.DateField(_("series date"), null=True, blank=True)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    notes = models.TextField(_("notes"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED
    )
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)
    sections = models.ManyToManyField(
        "lessons.Section",
        verbose_name=_("assigned reading"),
        through="groups.ReadingAssignment",
        blank=True,
        related_name="study_sessions",
    )

    objects = StudySessionQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("study session")
        verbose_name_plural = _("study sessions")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="session_end_after_start"
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancel_reason=""),
                name="session_cancel_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["branch", "starts_at"], name="session_branch_start_idx"),
            models.Index(fields=["starts_at"], name="session_start_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind.label} · {self.topic}"

    def get_absolute_url(self) -> str:
        return reverse("groups:session-detail", args=[self.pk])

    @property
    def title(self) -> str:
        return f"{self.kind.label}：{self.topic}"

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def has_started(self) -> bool:
        return self.starts_at <= timezone.now()

    @property
    def reading(self) -> list:
        """Return the assigned sections in their order (uses the prefetched assignments)."""
        return [a.section for a in self.assignments.all()]


class ReadingAssignment(models.Model):
    """A lecture section assigned as reading for a session, in the order given."""

    session = models.ForeignKey(
        StudySession,
        verbose_name=_("session"),
        on_delete=models.CASCADE,
        related_name="assignments",
    )
    section = models.ForeignKey(
        "lessons.Section",
        verbose_name=_("section"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["session", "position", "pk"]
        verbose_name = _("reading assignment")
        verbose_name_plural = _("reading assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "section"], name="readingassignment_unique_section"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session_id}: {self.section}"


def _new_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarToken(models.Model):
    """The secret in a user's personal calendar feed URL; regenerating it revokes the old one."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="calendar_token",
    )
    token = models.CharField(_("token"), max_length=64, unique=True, default=_new_token)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("calendar token")
        verbose_name_plural = _("calendar tokens")

    def __str__(self) -> str:
        return f"{self.user} ({self.created_at:%Y-%m-%d})"

    def get_absolute_url(self) -> str:
        return reverse("groups:calendar-feed", args=[self.token])
