"""A study task from the 党委 to both its 党支部, on the reading fixture's sections."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from groups.models import SessionKind
from groups.tasks.services import task_create
from tests.groups.factories import kind, make_reading


@pytest.fixture
def books(org):
    return make_reading(org)


@pytest.fixture
def task(org, books):
    return task_create(
        user=org.secretary_parent.user,
        issuer=org.committee,
        title="学习新时代党的组织路线",
        sections=books.sections[:2],
        kinds=[kind(SessionKind.STUDY), kind(SessionKind.LECTURE)],
        deadline=timezone.localdate() + timedelta(days=5),
        requires_reading=True,
        requires_notes=False,
    )
