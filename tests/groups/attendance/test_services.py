"""Taking attendance: status changes, mark all present, the sheet, history with who and when."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from groups.attendance.services import (
    attendance_mark_all_present,
    attendance_record,
    attendance_save_sheet,
)
from groups.models import Attendance
from groups.sessions.services import session_cancel
from tests.groups.factories import A, E, L, P, started_session

pytestmark = pytest.mark.django_db


def statuses(session) -> dict[str, str]:
    return dict(session.attendance.values_list("member__name", "status"))


def history(row: Attendance) -> list[tuple[str, str, str | None]]:
    """Return (status, note, username) of each history record, oldest first."""
    return [
        (h.status, h.note, h.history_user.username if h.history_user else None)
        for h in row.history.order_by("history_date", "pk")
    ]


def test_record_sets_status_and_note_and_who(org):
    session = started_session(org.branch_a)
    by = org.secretary_a.user
    row = attendance_record(
        session=session, member=org.member_a, status=L, note="迟到十分钟", by=by
    )
    row.refresh_from_db()
    assert (row.status, row.note, row.updated_by) == (L, "迟到十分钟", by)
    assert statuses(session) == {"李明": L, "张伟": ""}


def test_each_change_is_in_the_history_with_its_user(org):
    session = started_session(org.branch_a)
    row = session.attendance.get(member=org.member_a)
    attendance_record(attendance=row, status=A, by=org.secretary_a.user)
    attendance_record(attendance=row, status=E, note="病假", by=org.secretary_parent.user)
    # The snapshot is bulk-created at scheduling, so history starts at the first change.
    assert history(row) == [
        (A, "", "secretary_a"),
        (E, "病假", "secretary_parent"),
    ]


def test_saving_the_same_values_again_adds_no_history(org):
    session = started_session(org.branch_a)
    row = session.attendance.get(member=org.member_a)
    attendance_record(attendance=row, status=P, by=org.secretary_a.user)
    attendance_record(attendance=row, status=P, by=org.secretary_a.user)
    attendance_record(attendance=row, status=None, note=None, by=org.secretary_a.user)
    assert len(history(row)) == 1


def test_none_keeps_the_status_and_the_first_check_in_stays(org):
    session = started_session(org.branch_a)
    first = timezone.now()
    row = attendance_record(
        session=session, member=org.member_a, status=P, by=None, checked_in_at=first
    )
    row = attendance_record(attendance=row, status=None, note="带病参加", by=None)
    row = attendance_record(attendance=row, status=L, by=None, checked_in_at=timezone.now())
    row.refresh_from_db()
    assert (row.status, row.note, row.checked_in_at) == (L, "带病参加", first)


@pytest.mark.parametrize("status", ["", "maybe", "PRESENT"])
def test_an_unknown_or_empty_status_is_refused_once_taken(org, status):
    session = started_session(org.branch_a)
    row = attendance_record(session=session, member=org.member_a, status=P, by=None)
    with pytest.raises(ValidationError):
        attendance_record(attendance=row, status=status, by=None)
    row.refresh_from_db()
    assert row.status == P


def test_a_long_note_is_refused(org):
    session = started_session(org.branch_a)
    with pytest.raises(ValidationError):
        attendance_record(session=session, member=org.member_a, status=P, note="长" * 201, by=None)


def test_a_member_not_expected_is_not_recorded(org):
    session = started_session(org.branch_a)
    with pytest.raises(Attendance.DoesNotExist):
        attendance_record(session=session, member=org.member_b, status=P, by=None)
    assert not session.attendance.filter(member=org.member_b).exists()


def test_a_cancelled_session_takes_no_attendance(org):
    session = started_session(org.branch_a)
    session_cancel(session=session, reason="台风")
    with pytest.raises(ValidationError):
        attendance_record(session=session, member=org.member_a, status=P, by=None)
    with pytest.raises(ValidationError):
        attendance_mark_all_present(session=session, by=None)
    assert statuses(session) == {"李明": "", "张伟": ""}


def test_mark_all_present_fills_only_rows_not_yet_taken(org):
    session = started_session(org.committee)
    by = org.secretary_parent.user
    attendance_record(session=session, member=org.member_a, status=E, note="出差", by=by)
    assert attendance_mark_all_present(session=session, by=by) == 4
    assert statuses(session) == {"李明": E, "王芳": P, "张伟": P, "刘洋": P, "陈静": P}
    assert attendance_mark_all_present(session=session, by=by) == 0
    row = session.attendance.get(member=org.member_b)
    assert history(row) == [(P, "", "secretary_parent")]
    assert row.updated_by == by


def test_the_sheet_saves_changed_rows_only(org):
    session = started_session(org.committee)
    by = org.secretary_parent.user
    attendance_mark_all_present(session=session, by=by)
    result = attendance_save_sheet(
        session=session,
        entries={
            org.member_a.pk: (A, ""),  # changed
            org.member_b.pk: (P, ""),  # as it was
            org.secretary_a.pk: ("", "会后补签"),  # a note alone keeps the status
        },
        by=by,
    )
    assert (result.changed, result.conflicts) == (2, [])
    assert statuses(session)["李明"] == A
    assert session.attendance.get(member=org.secretary_a).note == "会后补签"
    assert len(history(session.attendance.get(member=org.member_b))) == 1


def test_the_sheet_keeps_a_change_someone_made_after_the_form_was_shown(org):
    session = started_session(org.branch_a)
    shown_at = timezone.now()
    attendance_record(session=session, member=org.member_a, status=L, by=org.secretary_a.user)
    result = attendance_save_sheet(
        session=session,
        entries={org.member_a.pk: (A, ""), org.secretary_a.pk: (P, "")},
        by=org.secretary_parent.user,
        seen_at=shown_at,
    )
    assert (result.changed, result.conflicts) == (1, ["李明"])
    assert statuses(session) == {"李明": L, "张伟": P}


def test_marking_absent_or_excused_creates_a_makeup_task_and_present_drops_it(org):
    from groups.attendance.services import attendance_record
    from groups.models import MakeUpStudy
    from tests.groups.factories import started_session

    session = started_session(org.branch_a)
    row = attendance_record(
        session=session, member=org.member_a, status="absent", by=org.secretary_a.user
    )
    assert MakeUpStudy.objects.filter(attendance=row).exists()
    attendance_record(attendance=row, status="present", by=org.secretary_a.user)
    assert not MakeUpStudy.objects.filter(attendance=row).exists()
