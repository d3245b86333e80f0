"""The 应到 snapshot: fixed at scheduling, kept in step for future sessions only."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from groups.attendance.services import attendance_snapshot_missing
from groups.models import Attendance, BranchRole, MemberCategory, SessionKind, StudySession
from groups.org import services
from tests.groups.factories import add_member, local, make_session

pytestmark = pytest.mark.django_db


def expected(session: StudySession) -> set[str]:
    return set(session.attendance.values_list("member__name", flat=True))


def test_a_branch_session_expects_its_whole_subtree_and_snapshots_category(org):
    session = make_session(org.branch_a)
    assert expected(session) == {"李明", "张伟"}
    row = session.attendance.get(member=org.member_a)
    assert (row.member_branch, row.has_vote, row.status) == (org.group_a, True, "")

    committee_wide = make_session(org.committee, SessionKind.LECTURE)
    assert expected(committee_wide) == {"李明", "王芳", "张伟", "刘洋", "陈静"}


def test_a_committee_meeting_expects_the_committee_only(org):
    session = make_session(org.branch_a, SessionKind.COMMITTEE_MEETING)
    assert expected(session) == {"张伟"}


def test_probationary_members_are_snapshotted_without_a_vote(org):
    add_member("赵预备", org.group_a, category=MemberCategory.PROBATIONARY)
    session = make_session(org.branch_a)
    assert not session.attendance.get(member__name="赵预备").has_vote


def test_joining_adds_to_future_sessions_only(org):
    past = make_session(org.branch_a, starts_at=local(timezone.localdate() - timedelta(days=7)))
    future = make_session(org.branch_a)
    add_member("新党员", org.group_a)
    assert "新党员" in expected(future)
    assert "新党员" not in expected(past)


def test_transfer_keeps_past_records_and_moves_future_ones(org):
    past = make_session(org.branch_a, starts_at=local(timezone.localdate() - timedelta(days=7)))
    past.attendance.filter(member=org.member_a).update(status=Attendance.Status.PRESENT)
    future_a = make_session(org.branch_a)
    future_b = make_session(org.branch_b)

    services.member_transfer(member=org.member_a, branch=org.group_b)

    assert "李明" in expected(past)  # the record stays, with the old branch
    assert past.attendance.get(member=org.member_a).member_branch == org.group_a
    assert "李明" not in expected(future_a)
    assert "李明" in expected(future_b)
    assert future_b.attendance.get(member=org.member_a).member_branch == org.group_b


def test_marked_future_rows_are_never_dropped(org):
    future = make_session(org.branch_a)
    future.attendance.filter(member=org.member_a).update(status=Attendance.Status.EXCUSED)
    services.member_deactivate(member=org.member_a, status="transferred_out")
    assert "李明" in expected(future)


def test_a_new_committee_member_joins_future_committee_meetings(org):
    meeting = make_session(org.branch_a, SessionKind.COMMITTEE_MEETING)
    services.role_assign(
        member=org.member_a,
        branch=org.branch_a,
        role=BranchRole.Role.ORGANISATION,
        started_on=date(2020, 1, 1),
    )
    assert expected(meeting) == {"张伟", "李明"}


def test_old_sessions_without_a_snapshot_get_one(org):
    session = StudySession.objects.create(
        branch=org.branch_b,
        kind=SessionKind.objects.get(code=SessionKind.STUDY),
        topic="旧数据",
        starts_at=local(date(2026, 1, 6)),
        ends_at=local(date(2026, 1, 6)) + timedelta(hours=1),
    )
    assert attendance_snapshot_missing() == 2
    assert expected(session) == {"王芳", "刘洋"}
    assert attendance_snapshot_missing() == 0


def test_one_row_per_member_and_session(org):
    from django.db import IntegrityError, transaction

    session = make_session(org.branch_a)
    row = session.attendance.get(member=org.member_a)
    row.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        row.save()


def test_a_session_with_attendance_taken_cannot_be_deleted(org):
    from django.db import transaction
    from django.db.models import ProtectedError

    untouched = make_session(org.branch_a)
    untouched.delete()  # a mistake, nothing recorded yet: its snapshot goes with it
    assert not Attendance.objects.exists()

    taken = make_session(org.branch_a)
    taken.attendance.filter(member=org.member_a).update(status=Attendance.Status.PRESENT)
    with pytest.raises(ProtectedError), transaction.atomic():
        taken.delete()
    with pytest.raises(ProtectedError), transaction.atomic():
        StudySession.objects.filter(pk=taken.pk).delete()
    assert taken.attendance.count() == 2
