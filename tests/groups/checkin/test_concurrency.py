"""A member checking in while a manager marks them, on PostgreSQL: the check-in waits."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from groups.attendance.services import attendance_record
from groups.checkin import codes
from groups.checkin import services as checkin
from groups.checkin.codes import CheckinError
from groups.models import Attendance
from tests.groups.attendance.test_concurrency import hold_lock_then
from tests.groups.factories import make_session

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks (SELECT … FOR UPDATE) need PostgreSQL: run with DATABASE_URL set",
    ),
]


def check_in_recording(session, user, outcome: list) -> Callable[[], None]:
    """Return a check-in to run in a thread that keeps its result or refusal in outcome."""

    def run() -> None:
        try:
            outcome.append(checkin.checkin_record(session=session, user=user, token=token))
        except CheckinError as exc:
            outcome.append(exc)

    token = codes.checkin_token(session_pk=session.pk, now=timezone.now())
    return run


@pytest.mark.parametrize(
    "manager_sets,ends,says",
    [
        ("excused", "excused", "approved leave (excused)"),
        ("present", "present", "already marked present"),
        ("absent", "late", "marked late"),
    ],
)
def test_a_check_in_waits_for_the_manager_and_then_respects_their_mark(
    org, settings, manager_sets, ends, says
):
    settings.LANGUAGE_CODE = "en"
    session = make_session(org.branch_a, starts_at=timezone.now() - timedelta(minutes=10))
    row = session.attendance.get(member=org.member_a)
    outcome: list = []
    hold_lock_then(
        lambda: attendance_record(attendance=row, status=manager_sets, by=org.secretary_a.user),
        check_in_recording(session, org.member_a.user, outcome),
    )
    row.refresh_from_db()
    assert row.status == ends
    assert Attendance.objects.filter(session=session, member=org.member_a).count() == 1
    (result,) = outcome
    assert says in (str(result) if isinstance(result, CheckinError) else result.message)
