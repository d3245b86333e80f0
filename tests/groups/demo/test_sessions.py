"""The demo semester: idempotent, realistic kinds and times, reading assigned, past ones held."""

from __future__ import annotations

from datetime import time

import pytest
from django.utils import timezone

from groups.demo.org import build_demo_organisation
from groups.demo.sessions import build_demo_sessions
from groups.models import Series, StudySession
from lessons.models import Lecture, Section

pytestmark = pytest.mark.django_db


@pytest.fixture
def lecture(db):
    lecture = Lecture.objects.create(title="新时代党的组织路线", source_name="x", source_hash="h")
    for n in range(1, 4):
        Section.objects.create(
            lecture=lecture, number=str(n), title=f"第{n}部分", level=1, position=n
        )
    return lecture


def test_demo_semester(lecture):
    build_demo_organisation(password="pw")
    added = build_demo_sessions()
    assert added == StudySession.objects.count() > 40
    assert Series.objects.count() == 2 + 4 * 3
    assert build_demo_sessions() == 0  # idempotent
    assert StudySession.objects.count() == added

    study = StudySession.objects.filter(kind__code="study")
    local_starts = {timezone.localtime(s.starts_at) for s in study}
    assert {t.weekday() for t in local_starts} == {1}  # Tuesdays
    assert {t.time() for t in local_starts} == {time(14, 30)}
    assert (
        StudySession.objects.filter(kind__code="committee_meeting")
        .values("branch")
        .distinct()
        .count()
        == 4
    )

    # A 支部党员大会 expects party members only: the demo's 群众 and 积极分子 are not 应到.
    meeting = StudySession.objects.filter(kind__code="general_meeting").first()
    assert set(meeting.attendance.values_list("category__code", flat=True)) <= {
        "full",
        "probationary",
    }

    now = timezone.now()
    assert not StudySession.objects.filter(ends_at__lt=now, status="scheduled").exists()
    assert StudySession.objects.filter(ends_at__lt=now, status="held").exists()
    assert StudySession.objects.filter(starts_at__gt=now, status="scheduled").exists()
    assert all(len(s.reading) == 1 for s in StudySession.objects.for_page())


def test_demo_without_a_lecture_has_no_reading(db):
    build_demo_organisation(password="pw")
    assert build_demo_sessions() > 0
    assert not StudySession.objects.filter(assignments__isnull=False).exists()
