"""Session models: the seeded kinds and the invariants the database keeps."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from django.db import IntegrityError
from django.utils import translation

from groups.models import BranchKind, SessionKind, StudySession
from tests.groups.factories import local, make_branch, make_session

pytestmark = pytest.mark.django_db


def test_the_three_meetings_one_lecture_are_seeded_with_their_rules():
    rules = {k.code: (k.name, k.required_count, k.period) for k in SessionKind.objects.all()}
    assert rules == {
        "general_meeting": ("支部党员大会", 1, "quarter"),
        "committee_meeting": ("支部委员会", 1, "month"),
        "group_meeting": ("党小组会", 1, "month"),
        "lecture": ("党课", 1, "quarter"),
        "themed_day": ("主题党日", 1, "month"),
        "study": ("集中学习", 1, "week"),
        "organisational_life": ("组织生活会", 1, "year"),
        "training": ("专题培训", None, ""),
    }
    committee = SessionKind.objects.get(code="committee_meeting")
    assert committee.committee_only
    assert set(committee.branch_kinds.values_list("code", flat=True)) == {
        BranchKind.BRANCH,
        BranchKind.GENERAL_BRANCH,
    }


def test_kind_label_follows_the_language():
    kind = SessionKind.objects.get(code="committee_meeting")
    with translation.override("zh-hans"):
        assert kind.label == "支部委员会"
        assert kind.short_label == "支委会"
    with translation.override("en"):
        assert kind.label == "Committee meeting"


def test_a_session_cannot_end_before_it_starts():
    branch = make_branch("第一党支部")
    with pytest.raises(IntegrityError):
        make_session(branch, minutes=-30)


def test_a_cancelled_session_needs_a_reason():
    branch = make_branch("第一党支部")
    with pytest.raises(IntegrityError):
        make_session(branch, status=StudySession.Status.CANCELLED)


def test_between_uses_local_days():
    branch = make_branch("第一党支部")
    early = make_session(branch, starts_at=local(date(2026, 3, 3), time(7, 0)))
    late = make_session(branch, starts_at=local(date(2026, 3, 3), time(23, 0)), minutes=30)
    make_session(branch, starts_at=local(date(2026, 3, 4), time(0, 0)))
    assert list(StudySession.objects.between(date(2026, 3, 3), date(2026, 3, 4))) == [early, late]
    early.refresh_from_db()
    assert early.starts_at == datetime(2026, 3, 2, 23, 0, tzinfo=UTC)
