"""Reading study tasks: each target branch's progress, the completion curve, the home to-do.

Every function here is a constant number of queries whatever the number of branches: the
progress of a branch is annotated in SQL (TaskTargetQuerySet.with_progress).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from itertools import accumulate
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from groups.models import StudyTask, TaskTarget
from groups.permissions import managed_branches, task_targets_for_user, visible_tasks
from lessons.permissions import is_staff

TASKS_SHOWN = 5


class State:
    NOT_SCHEDULED = "not_scheduled"
    SCHEDULED = "scheduled"
    HELD = "held"
    DONE = "done"


def target_state(target: TaskTarget) -> str:
    """Return where a target branch stands (needs with_progress())."""
    if target.done:
        return State.DONE
    if target.held_id:
        return State.HELD
    if target.next_id:
        return State.SCHEDULED
    return State.NOT_SCHEDULED


def state_label(state: str) -> str:
    return {
        State.NOT_SCHEDULED: _("not scheduled"),
        State.SCHEDULED: pgettext("study task", "scheduled"),
        State.HELD: _("held, not complete"),
        State.DONE: _("done"),
    }[state]


@dataclass
class TaskRow:
    target: TaskTarget
    state: str
    overdue: bool

    @property
    def label(self) -> str:
        return state_label(self.state)

    @property
    def session_id(self) -> int | None:
        return self.target.held_id or self.target.next_id

    @property
    def session_at(self) -> datetime | None:
        return self.target.held_at or self.target.next_at


def task_rows(user: Any, task: StudyTask, *, now: datetime | None = None) -> list[TaskRow]:
    """Return one row per target branch the user follows, in tree order (one query)."""
    now = now or timezone.now()
    overdue = task.deadline < timezone.localdate(now)
    targets = (
        task_targets_for_user(user, task)
        .with_progress(now)
        .select_related("branch")
        .order_by("branch__path")
    )
    rows = []
    for target in targets:
        state = target_state(target)
        rows.append(TaskRow(target=target, state=state, overdue=overdue and state != State.DONE))
    return rows


def completion_curve(task: StudyTask, rows: list[TaskRow]) -> dict[str, list]:
    """Return the branches done by each day a session of a done branch was held (cumulative)."""
    days = Counter(
        timezone.localdate(row.target.held_at) for row in rows if row.state == State.DONE
    )
    ordered = sorted(days)
    return {
        "labels": [day.isoformat() for day in ordered],
        "done": list(accumulate(days[day] for day in ordered)),
        "total": len(rows),
    }


def task_summary(rows: list[TaskRow]) -> dict[str, int]:
    counts = Counter(row.state for row in rows)
    return {
        "total": len(rows),
        "done": counts[State.DONE],
        "overdue": sum(row.overdue for row in rows),
    }


def task_list(user: Any) -> dict[str, QuerySet[StudyTask]]:
    """Return the tasks the user issued (from branches they manage) and those issued to them."""
    tasks = visible_tasks(user).select_related("issuer").order_by("-deadline", "-pk")
    managed = managed_branches(user)
    issued = tasks if is_staff(user) else tasks.filter(issuer__in=managed)
    received = tasks.filter(
        Exists(TaskTarget.objects.filter(task=OuterRef("pk"), branch__in=managed))
    ).exclude(pk__in=issued.values("pk"))
    return {"issued": issued, "received": received}


def open_tasks_for_home(user: Any, *, now: datetime) -> list[TaskTarget]:
    """Return the tasks the branches the user manages have still to do (one query).

    A task the user follows as its issuer is on their dashboard, not their to-do.
    """
    if is_staff(user):
        return []
    managed = managed_branches(user)
    return list(
        TaskTarget.objects.filter(branch__in=managed)
        .exclude(task__issuer__in=managed)
        .with_progress(now)
        .filter(done=False)
        .select_related("task", "branch")
        .order_by("task__deadline", "task_id", "branch__path")[:TASKS_SHOWN]
    )


def dashboard_table(rows: list[TaskRow], *, deadline: date) -> list[list[Any]]:
    """Return the dashboard as rows of cells, the header first (for CSV and XLSX)."""
    table: list[list[Any]] = [
        [
            _("Branch"),
            _("State"),
            _("Session date"),
            _("Expected"),
            _("Attended"),
            _("Attendance rate"),
            _("Members who read"),
            _("Study notes written"),
            _("Overdue"),
        ]
    ]
    for row in rows:
        target = row.target
        when = row.session_at
        rate = target.attendance_rate
        table.append(
            [
                target.branch.name,
                row.label,
                timezone.localdate(when) if when else None,
                target.expected,
                target.attended,
                f"{rate:.0%}" if rate is not None else "",
                target.readers,
                target.writers,
                _("yes") if row.overdue else "",
            ]
        )
    return table
