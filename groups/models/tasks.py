"""Study tasks (学习任务): a 党委 or 党总支 (or the 组织部) asks its 党支部 to study sections by a
deadline; each branch schedules its own session for it."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Exists, ExpressionWrapper, F, Func, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class StudyTask(models.Model):
    """A study task issued down the tree to chosen 党支部, followed branch by branch."""

    # Empty for a task the 组织部 (site staff) issues to the whole organisation.
    issuer = models.ForeignKey(
        "groups.Branch",
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="issued_tasks",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    title = models.CharField(_("title"), max_length=200)
    sections = models.ManyToManyField(
        "lessons.Section", verbose_name=_("sections to study"), related_name="study_tasks"
    )
    kinds = models.ManyToManyField(
        "groups.SessionKind", verbose_name=_("session kinds that count"), related_name="+"
    )
    deadline = models.DateField(_("deadline"))
    requires_reading = models.BooleanField(_("members must mark the sections read"), default=True)
    requires_notes = models.BooleanField(_("members must write a study note"), default=False)
    # The 党支部 asked; "all of them" is expanded when the task is issued.
    targets = models.ManyToManyField(
        "groups.Branch",
        verbose_name=_("target branches"),
        through="groups.TaskTarget",
        related_name="study_tasks",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["-deadline", "-pk"]
        verbose_name = _("study task")
        verbose_name_plural = _("study tasks")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("groups:task-detail", args=[self.pk])

    @property
    def is_overdue(self) -> bool:
        return self.deadline < timezone.localdate()


def _first(queryset: models.QuerySet, field: str) -> Subquery:
    return Subquery(queryset.values(field)[:1])


def _count(queryset: models.QuerySet) -> Coalesce:
    """Return a correlated COUNT(*) of the queryset, usable in annotate()."""
    counted = queryset.order_by().annotate(_n=Func(F("pk"), function="COUNT")).values("_n")[:1]
    return Coalesce(Subquery(counted, output_field=models.IntegerField()), 0)


class TaskTargetQuerySet(models.QuerySet):
    def with_progress(self, now: datetime | None = None) -> TaskTargetQuerySet:
        """Annotate each target with its linked sessions and how far its members got.

        All correlated subqueries, so any number of targets is one query. A session counts
        when it is linked to the task, of a kind the task counts, not cancelled, and held in
        the target branch or below it (a 党小组 of the 党支部).
        """
        from groups.models import Attendance, ReadingProgress, StudyNote, StudySession

        now = now or timezone.now()
        linked = (
            StudySession.objects.not_cancelled()
            .filter(
                task=OuterRef("task"),
                branch__path__startswith=OuterRef("branch__path"),
                kind__in=StudyTask.kinds.through.objects.filter(
                    studytask=OuterRef(OuterRef("task"))
                ).values("sessionkind"),
            )
            .order_by()
        )
        held = linked.filter(starts_at__lte=now).order_by("-starts_at", "-pk")
        upcoming = linked.filter(starts_at__gt=now).order_by("starts_at", "pk")
        attendees = Attendance.objects.filter(session=OuterRef("held_id"))
        read_count = _count(
            ReadingProgress.objects.filter(
                member=OuterRef("member"),
                read_at__isnull=False,
                section__study_tasks=OuterRef(OuterRef("task")),
            )
        )
        wrote = StudyNote.objects.filter(
            member=OuterRef("member"), section__study_tasks=OuterRef(OuterRef("task"))
        )
        return self.annotate(
            held_id=_first(held, "pk"),
            held_at=_first(held, "starts_at"),
            next_id=_first(upcoming, "pk"),
            next_at=_first(upcoming, "starts_at"),
            section_count=_count(
                StudyTask.sections.through.objects.filter(studytask=OuterRef("task"))
            ),
            expected=_count(attendees),
            recorded=_count(attendees.exclude(status="")),
            attended=_count(attendees.filter(status__in=Attendance.ATTENDED)),
            readers=_count(
                attendees.annotate(read_n=read_count).filter(read_n=OuterRef("section_count"))
            ),
            writers=_count(attendees.filter(Exists(wrote))),
        ).annotate(
            done=ExpressionWrapper(
                Q(held_id__isnull=False, recorded__gt=0)
                & (Q(task__requires_reading=False) | Q(readers=F("expected")))
                & (Q(task__requires_notes=False) | Q(writers=F("expected"))),
                output_field=models.BooleanField(),
            )
        )


class TaskTarget(models.Model):
    """One 党支部 a study task is issued to."""

    task = models.ForeignKey(
        StudyTask, verbose_name=_("study task"), on_delete=models.CASCADE, related_name="+"
    )
    branch = models.ForeignKey(
        "groups.Branch",
        verbose_name=_("branch"),
        on_delete=models.CASCADE,
        related_name="task_targets",
    )

    objects = TaskTargetQuerySet.as_manager()

    class Meta:
        ordering = ["task", "branch__path"]
        verbose_name = _("task target")
        verbose_name_plural = _("task targets")
        constraints = [
            models.UniqueConstraint(fields=["task", "branch"], name="tasktarget_unique_branch"),
        ]

    def __str__(self) -> str:
        return f"{self.task} → {self.branch}"

    @property
    def attendance_rate(self) -> float | None:
        """Return attended / expected at the held session (needs with_progress())."""
        return self.attended / self.expected if self.expected else None
