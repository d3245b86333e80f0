"""Leave decided or asked at the same moment as another write, on PostgreSQL (row locks)."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction

from groups.attendance.services import attendance_record
from groups.leave import services as leave
from groups.models import Attendance, LeaveRequest, MakeUpStudy
from tests.groups.attendance.test_concurrency import (
    hold_lock_then,
    in_thread,
    pytestmark,  # noqa: F401 (transactional, PostgreSQL only)
    wait_until_blocked,
)
from tests.groups.factories import make_session


@pytest.fixture(autouse=True)
def _english(settings):
    # The refusals have no Chinese translation yet: read them in English (in every thread).
    settings.LANGUAGE_CODE = "en"


def refused(work) -> list[str]:
    """Return a callable running work that keeps a ValidationError's messages, not raises."""
    messages: list[str] = []

    def run() -> None:
        try:
            work()
        except ValidationError as exc:
            messages.extend(exc.messages)

    run.messages = messages  # type: ignore[attr-defined]
    return run


def test_approving_leave_while_a_manager_marks_the_member_present_is_refused(org):
    session = make_session(org.branch_a)
    request = leave.leave_request(session=session, member=org.member_a, reason="出差")
    row = session.attendance.get(member=org.member_a)
    approve = refused(lambda: leave.leave_approve(request=request, by=org.secretary_parent.user))
    # The manager's mark (taken in advance: leave is asked before the start) holds the row;
    # the approval waits, then sees the member present.
    hold_lock_then(
        lambda: attendance_record(
            attendance=row,
            status=Attendance.Status.PRESENT,
            by=org.secretary_a.user,
            before_start=True,
        ),
        approve,
    )
    assert approve.messages == ["李明 is already marked present at this session."]
    row.refresh_from_db()
    assert row.status == Attendance.Status.PRESENT
    # Marking the member present withdrew the request it made moot.
    assert LeaveRequest.objects.get().status == LeaveRequest.Status.WITHDRAWN
    assert not MakeUpStudy.objects.exists()


def test_two_leave_requests_at_once_leave_one(org):
    session = make_session(org.branch_a)
    ready, release = threading.Event(), threading.Event()

    def first() -> None:
        with transaction.atomic():
            leave.leave_request(session=session, member=org.member_a, reason="出差")
            ready.set()
            release.wait(10)

    second = refused(
        lambda: leave.leave_request(session=session, member=org.member_a, reason="开会")
    )
    holding, first_errors = in_thread(first)
    assert ready.wait(10)
    # The second passes the "already asked?" check (the first is not committed) and waits on
    # the constraint's index; once the first commits it is refused with the message.
    waiting, second_errors = in_thread(second)
    wait_until_blocked()
    release.set()
    holding.join(10)
    waiting.join(10)
    assert first_errors == second_errors == []
    assert second.messages == ["You have already asked for leave from this session."]
    assert list(LeaveRequest.objects.values_list("reason", flat=True)) == ["出差"]
