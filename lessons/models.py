from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

CHINESE_NUMERALS = "一二三四五六七八九十百零〇两"


class LectureQuerySet(models.QuerySet):
    def current(self) -> LectureQuerySet:
        """Keep only the newest version of each lecture."""
        return self.filter(next_version__isnull=True)

    def with_outline_counts(self) -> LectureQuerySet:
        return self.annotate(section_count=Count("sections", distinct=True))


class Lecture(models.Model):
    title = models.CharField(_("title"), max_length=200)
    subtitle = models.CharField(_("subtitle"), max_length=200, blank=True)
    speaker = models.CharField(_("speaker"), max_length=100, blank=True)
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    salutation = models.CharField(_("salutation"), max_length=50, blank=True)
    # Paragraphs between the salutation and the first heading, one per line.
    preamble = models.TextField(_("preamble"), blank=True)
    source_name = models.CharField(_("source file"), max_length=255)
    # SHA-256 of the decoded, normalised text: the same lecture uploaded again (even in
    # another encoding) is recognised and not duplicated.
    source_hash = models.CharField(_("source hash"), max_length=64, unique=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    previous_version = models.OneToOneField(
        "self",
        verbose_name=_("previous version"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="next_version",
    )
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    imported_at = models.DateTimeField(_("imported at"), default=timezone.now)

    objects = LectureQuerySet.as_manager()

    class Meta:
        ordering = ["-imported_at", "-pk"]
        verbose_name = _("lecture")
        verbose_name_plural = _("lectures")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("lessons:lecture-detail", args=[self.pk])

    @property
    def preamble_paragraphs(self) -> list[str]:
        return [p for p in self.preamble.split("\n") if p]


class Section(models.Model):
    lecture = models.ForeignKey(
        Lecture, verbose_name=_("lecture"), on_delete=models.CASCADE, related_name="sections"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent section"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    # The label as the lecture numbers it (第一部分 / 一 / （一） / 1 / （1）); empty when run-in.
    number = models.CharField(_("number"), max_length=20, blank=True)
    title = models.CharField(_("title"), max_length=300)
    level = models.PositiveSmallIntegerField(_("level"))
    # Document order within the lecture (a pre-order walk of the tree).
    position = models.PositiveIntegerField(_("position"))
    # The section's own paragraphs, one per line.
    body = models.TextField(_("text"), blank=True)

    class Meta:
        ordering = ["lecture", "position"]
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        constraints = [
            models.UniqueConstraint(fields=["lecture", "position"], name="section_unique_position"),
        ]

    def __str__(self) -> str:
        return self.label

    def get_absolute_url(self) -> str:
        return reverse("lessons:section-detail", args=[self.lecture_id, self.pk])

    @property
    def paragraphs(self) -> list[str]:
        return [p for p in self.body.split("\n") if p]

    @property
    def label(self) -> str:
        """Return the heading as the lecture prints it: 一、… / （一）… / 1. …"""
        number = self.number
        if not number:
            return self.title
        if number.startswith("第"):
            return f"{number} {self.title}"
        if number.endswith(("）", ")")):
            return f"{number}{self.title}"
        if number[0] in CHINESE_NUMERALS:
            return f"{number}、{self.title}"
        return f"{number}. {self.title}"


class KeyTermQuerySet(models.QuerySet):
    def visible(self) -> KeyTermQuerySet:
        return self.filter(is_hidden=False)

    def in_lecture(self, lecture: Lecture) -> KeyTermQuerySet:
        """Return the lecture's visible terms, each with its total count in that lecture."""
        return (
            self.visible()
            .filter(occurrences__lecture=lecture)
            .annotate(lecture_count=models.Sum("occurrences__count"))
            .order_by("sort_key", "term")
        )


class KeyTerm(models.Model):
    """A key term shared by every lecture, so a definition is written once."""

    class Kind(models.TextChoices):
        FORMULA = "formula", _("numbered formula")
        PHRASE = "phrase", _("quoted phrase")
        MANUAL = "manual", _("added by staff")

    term = models.CharField(_("term"), max_length=32, unique=True)
    # Other spellings that mean the same term (kept when terms are merged).
    aliases = models.JSONField(_("aliases"), default=list, blank=True)
    definition = models.TextField(_("definition"), blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PHRASE)
    is_hidden = models.BooleanField(
        _("hidden"), default=False, help_text=_("Hidden terms are neither listed nor marked.")
    )
    # Pinyin of the term, so the glossary sorts the way readers look things up.
    sort_key = models.CharField(_("sort key"), max_length=200, blank=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = KeyTermQuerySet.as_manager()

    class Meta:
        ordering = ["sort_key", "term"]
        verbose_name = _("key term")
        verbose_name_plural = _("key terms")

    def __str__(self) -> str:
        return self.term

    def get_absolute_url(self) -> str:
        return reverse("lessons:term-detail", args=[self.pk])

    @property
    def spellings(self) -> list[str]:
        return [self.term, *self.aliases]


class TermOccurrence(models.Model):
    """How often a term appears in one section (or, with no section, in the preamble)."""

    term = models.ForeignKey(
        KeyTerm, verbose_name=_("term"), on_delete=models.CASCADE, related_name="occurrences"
    )
    lecture = models.ForeignKey(
        Lecture,
        verbose_name=_("lecture"),
        on_delete=models.CASCADE,
        related_name="term_occurrences",
    )
    section = models.ForeignKey(
        Section,
        verbose_name=_("section"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="term_occurrences",
    )
    count = models.PositiveIntegerField(_("occurrences"))

    class Meta:
        verbose_name = _("term occurrence")
        verbose_name_plural = _("term occurrences")
        constraints = [
            models.UniqueConstraint(
                fields=["term", "section"],
                condition=Q(section__isnull=False),
                name="occurrence_unique_term_section",
            ),
            models.UniqueConstraint(
                fields=["term", "lecture"],
                condition=Q(section__isnull=True),
                name="occurrence_unique_term_preamble",
            ),
            models.CheckConstraint(condition=Q(count__gt=0), name="occurrence_count_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.term} × {self.count}"
