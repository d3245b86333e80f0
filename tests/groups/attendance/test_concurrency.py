"""Concurrent writes to one attendance row, on PostgreSQL (SQLite has no row locks to test).

Each case holds a row lock in one transaction while another thread tries to write the same
row, waits until PostgreSQL reports that thread blocked on the lock, then lets the first
commit: the second must then apply its change on top, never lose it or duplicate the row.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from groups.attendance.services import attendance_mark_all_present, attendance_record
from groups.models import Attendance
from tests.groups.factories import started_session

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="row locks (SELECT … FOR UPDATE) need PostgreSQL: run with DATABASE_URL set",
    ),
]
P, L, A = Attendance.Status.PRESENT, Attendance.Status.LATE, Attendance.Status.ABSENT


def in_thread(work: Callable[[], object]) -> tuple[threading.Thread, list]:
    """Start work in a thread with its own connection; return it and a list for errors."""
    errors: list[BaseException] = []

    def run() -> None:
        try:
            work()
        except BaseException as exc:  # reported by the test, not lost in the thread
            errors.append(exc)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors


def wait_until_blocked(timeout: float = 10.0) -> None:
    """Return once another connection is waiting for a lock (PostgreSQL's own view of it)."""
    deadline = time.monotonic() + timeout
    with connections["default"].cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError("the second writer never waited for the row lock")


def history(row: Attendance) -> list[tuple[str, str | None]]:
    return [
        (h.status, h.history_user.username if h.history_user else None)
        for h in row.history.order_by("history_date", "history_id")
    ]


def hold_lock_then(first: Callable[[], object], second: Callable[[], object]) -> None:
    """Run `first` in a transaction that already locks the rows while `second` waits."""
    ready, release = threading.Event(), threading.Event()

    def holder() -> None:
        with transaction.atomic():
            list(Attendance.objects.select_for_update())
            ready.set()
            release.wait(10)
            first()

    holding, holder_errors = in_thread(holder)
    assert ready.wait(10)
    waiting, waiter_errors = in_thread(second)
    wait_until_blocked()
    release.set()
    holding.join(10)
    waiting.join(10)
    assert holder_errors == [] and waiter_errors == []


def test_two_managers_saving_one_member_end_with_one_row_and_both_changes(org):
    session = started_session(org.branch_a)
    row = session.attendance.get(member=org.member_a)
    hold_lock_then(
        lambda: attendance_record(attendance=row, status=A, by=org.secretary_a.user),
        lambda: attendance_record(
            session=session, member=org.member_a, status=L, by=org.secretary_parent.user
        ),
    )
    assert Attendance.objects.filter(session=session, member=org.member_a).count() == 1
    row.refresh_from_db()
    assert (row.status, row.updated_by) == (L, org.secretary_parent.user)
    assert history(row) == [(A, "secretary_a"), (L, "secretary_parent")]


def test_a_check_in_while_a_manager_marks_everyone_present_is_kept(org):
    session = started_session(org.branch_a)
    row = session.attendance.get(member=org.member_a)
    checked_in = timezone.now()
    # The member's check-in holds the row; "mark all present" waits, then skips it.
    hold_lock_then(
        lambda: attendance_record(
            attendance=row, status=L, by=org.member_a.user, checked_in_at=checked_in
        ),
        lambda: attendance_mark_all_present(session=session, by=org.secretary_a.user),
    )
    row.refresh_from_db()
    assert (row.status, row.checked_in_at) == (L, checked_in)
    assert history(row) == [(L, "member_a")]
    assert session.attendance.get(member=org.secretary_a).status == P


def test_a_manager_marking_while_a_member_checks_in_ends_consistent(org):
    session = started_session(org.branch_a)
    row = session.attendance.get(member=org.member_a)
    checked_in = timezone.now()
    # The manager's "mark all" holds the rows; the check-in waits, then applies on top.
    hold_lock_then(
        lambda: attendance_mark_all_present(session=session, by=org.secretary_a.user),
        lambda: attendance_record(
            attendance=row, status=L, by=org.member_a.user, checked_in_at=checked_in
        ),
    )
    row.refresh_from_db()
    assert (row.status, row.checked_in_at) == (L, checked_in)
    assert history(row) == [(P, "secretary_a"), (L, "member_a")]
