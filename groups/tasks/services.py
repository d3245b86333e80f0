"""Issuing a study task (学习任务) to the 党支部 of a subtree."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from groups.models import Branch, BranchKind, SessionKind, StudyTask, TaskTarget
from lessons.models import Section


def task_branches(issuer: Branch | None) -> Any:
    """Return the active 党支部 a task from the issuer may go to (all of them for the 组织部)."""
    branches = Branch.objects.active().filter(kind__code=BranchKind.BRANCH)
    return branches.subtree_of(issuer) if issuer is not None else branches


@transaction.atomic
def task_create(
    *,
    user: Any,
    issuer: Branch | None,
    title: str,
    sections: Sequence[Section],
    kinds: Sequence[SessionKind],
    deadline: date,
    requires_reading: bool = True,
    requires_notes: bool = False,
    targets: Sequence[Branch] = (),
    today: date | None = None,
) -> StudyTask:
    """Issue a task to the chosen 党支部 of the issuer's subtree, or to all of them if none."""
    today = today or timezone.localdate()
    errors: dict[str, str] = {}
    if deadline < today:
        errors["deadline"] = _("The deadline cannot be in the past.")
    if not sections:
        errors["sections"] = _("Choose the sections to study.")
    if not kinds:
        errors["kinds"] = _("Choose the session kinds that count.")
    allowed = task_branches(issuer)
    if targets:
        outside = {b.pk for b in targets} - set(
            allowed.filter(pk__in=[b.pk for b in targets]).values_list("pk", flat=True)
        )
        if outside:
            errors["targets"] = _("Choose 党支部 of the issuing organisation only.")
        chosen = list(targets)
    else:
        chosen = list(allowed)
        if not chosen:
            errors["targets"] = _("There is no 党支部 under the issuing organisation.")
    if errors:
        raise ValidationError(errors)
    task = StudyTask(
        issuer=issuer,
        created_by=user,
        title=title,
        deadline=deadline,
        requires_reading=requires_reading,
        requires_notes=requires_notes,
    )
    task.full_clean()
    task.save()
    task.sections.set(sections)
    task.kinds.set(kinds)
    TaskTarget.objects.bulk_create(TaskTarget(task=task, branch=branch) for branch in chosen)
    return task
