"""Every study task URL × every persona: a branch sees only tasks issued to it (its own row),
an issuer the branches of their subtree, anyone else a 404."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from groups.models import SessionKind
from groups.tasks.services import task_create
from tests.groups.factories import PERSONAS, kind
from tests.matrix import LOGIN, assert_outcome


@pytest.fixture
def tasks(org, books):
    common = {
        "sections": books.sections[:1],
        "kinds": [kind(SessionKind.STUDY)],
        "deadline": timezone.localdate() + timedelta(days=20),
    }
    return {
        # The 党委's task to 第一党支部 only.
        "to_a": task_create(
            user=None, issuer=org.committee, title="党委任务", targets=[org.branch_a], **common
        ),
        # The 组织部's task to 第二党支部.
        "to_b": task_create(
            user=None, issuer=None, title="组织部任务", targets=[org.branch_b], **common
        ),
    }


#            anonymous member_a member_b sec_a sec_b sec_parent staff
MATRIX = [
    ("task-list", None, "", [LOGIN, 200, 200, 200, 200, 200, 200]),
    ("task-create", None, "", [LOGIN, 403, 403, 403, 403, 200, 200]),
    ("task-detail", "to_a", "", [LOGIN, 404, 404, 200, 404, 200, 200]),
    ("task-detail", "to_b", "", [LOGIN, 404, 404, 404, 200, 200, 200]),
    ("task-export", "to_a", "?format=csv", [LOGIN, 404, 404, 200, 404, 200, 200]),
    ("task-export", "to_b", "?format=xlsx", [LOGIN, 404, 404, 404, 200, 200, 200]),
    ("task-export", "to_a", "?format=pdf", [LOGIN, 404, 404, 404, 404, 404, 404]),
    # Scheduling a session for a task: its target branches' managers; a manager it was not
    # issued to, a 404.
    ("session-create", "to_a", "task", [LOGIN, 403, 403, 200, 404, 200, 200]),
]

CASES = [
    pytest.param(name, target, query, persona, expected, id=f"{name}-{target}{query}-{persona}")
    for name, target, query, row in MATRIX
    for persona, expected in zip(PERSONAS, row, strict=True)
]


@pytest.mark.parametrize(("name", "target", "query", "persona_name", "expected"), CASES)
def test_permission_matrix(org, tasks, login, name, target, query, persona_name, expected):
    task = tasks[target] if target else None
    if query == "task":
        url = reverse(f"groups:{name}") + f"?task={task.pk}"
    else:
        url = reverse(f"groups:{name}", args=[task.pk] if task else []) + query
    assert_outcome(login(persona_name).get(url), expected)


def test_matrix_covers_every_task_url():
    from groups import urls

    covered = {name for name, *_ in MATRIX}
    task_views = {
        p.name
        for p in urls.urlpatterns
        if getattr(p, "callback", None) and p.callback.__module__ == "groups.tasks.views"
    }
    assert task_views <= covered
