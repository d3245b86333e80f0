"""The demo semester of attendance: idempotent, realistic shares, leave, 补学, one absentee."""

from __future__ import annotations

from collections import Counter

import pytest

from groups.demo.attendance import build_demo_attendance, demo_absentee
from groups.demo.org import build_demo_organisation
from groups.demo.sessions import build_demo_sessions
from groups.models import Attendance, LeaveRequest, MakeUpStudy, StudySession

pytestmark = pytest.mark.django_db


@pytest.fixture
def recorded(db) -> int:
    build_demo_organisation(password="pw")
    build_demo_sessions()
    return build_demo_attendance()


def test_demo_attendance_is_a_realistic_semester_and_idempotent(recorded):
    held = Attendance.objects.filter(session__status=StudySession.Status.HELD)
    assert recorded == held.count() > 500
    assert not held.filter(status="").exists()
    future = Attendance.objects.filter(session__status=StudySession.Status.SCHEDULED)
    assert not future.exclude(status="").exists()
    shares = Counter(held.values_list("status", flat=True))
    assert shares["present"] > 0.7 * recorded
    assert 0 < shares["absent"] < shares["excused"] < shares["late"] < shares["present"]
    row = held.select_related("session").first()
    record = row.history.get()  # who recorded it, as of the end of the session
    assert (record.history_user is not None, record.history_date) == (True, row.session.ends_at)
    assert build_demo_attendance() == 0
    assert Counter(held.values_list("status", flat=True)) == shares


def test_demo_leave_makeup_and_the_member_to_follow_up(recorded):
    excused = Attendance.objects.filter(status="excused")
    approved = LeaveRequest.objects.filter(status="approved")
    assert set(approved.values_list("session_id", "member_id")) == set(
        excused.values_list("session_id", "member_id")
    )
    assert all(row.note for row in excused)
    missed = Attendance.objects.filter(status__in=Attendance.MISSED)
    assert MakeUpStudy.objects.count() == missed.count()
    confirmed = MakeUpStudy.objects.filter(confirmed_at__isnull=False)
    assert confirmed.exists() and MakeUpStudy.objects.filter(confirmed_at__isnull=True).exists()
    assert all(m.note and m.confirmed_by for m in confirmed)

    absentee = demo_absentee()
    assert absentee.branch.name == "第二党小组"
    theirs = Attendance.objects.filter(member=absentee, session__status="held").order_by(
        "-session__starts_at"
    )
    assert list(theirs.values_list("status", flat=True)[:3]) == ["absent"] * 3
    assert theirs.filter(status="absent").count() == 3
    streak = theirs.filter(status="absent")
    assert not MakeUpStudy.objects.filter(attendance__in=streak, submitted_at__isnull=False)
