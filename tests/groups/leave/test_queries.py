"""Query counts of the leave and make-up lists stay the same from a small org to a big one.

Big: a 党委 with 20 党支部 and 600 members, 60 of its sessions with their 应到 snapshot, a
pending leave request and a submitted make-up task for ten members of each, and 60 more
sessions of 第一党支部 that 李明 missed.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from groups.attendance.services import attendance_snapshot
from groups.leave import services as leave
from groups.models import Attendance, LeaveRequest, MakeUpStudy, StudySession
from tests.groups.factories import grow_organisation, local, make_sessions, missed

# 2 for the login session and user, the managed-branches check (lists for managers only,
# or the member's own profile for "mine"), the page count and the page's rows with their
# sessions, branches and members joined in.
PAGES = {
    ("leave-pending", "secretary_parent"): 5,
    ("makeup-review", "secretary_parent"): 5,
    ("makeup-mine", "member_a"): 5,
}


def grow(org) -> None:
    """Add the big organisation's sessions, leave requests and make-up tasks."""
    grow_organisation(org.committee)
    sessions = list(
        StudySession.objects.filter(branch__path__startswith=org.committee.path)
        .exclude(branch__in=[org.committee, org.branch_a, org.branch_b])
        .select_related("kind", "branch")
        .order_by("pk")[:60]
    )
    today = timezone.localdate()
    own = StudySession.objects.bulk_create(
        StudySession(
            branch=org.branch_a,
            kind=sessions[0].kind,
            topic=f"第{n}次补学测试",
            starts_at=local(today - timedelta(days=n + 10)),
            ends_at=local(today - timedelta(days=n + 10)) + timedelta(minutes=90),
        )
        for n in range(60)
    )
    attendance_snapshot(sessions=[*sessions, *own])
    rows = Attendance.objects.filter(session__in=sessions)
    LeaveRequest.objects.bulk_create(
        LeaveRequest(session_id=session_id, member_id=member_id, reason="出差")
        for session_id, member_id in rows.values_list("session_id", "member_id")[:600]
    )
    missed_rows = list(rows.order_by("-pk")[:600]) + list(
        Attendance.objects.filter(session__in=own, member=org.member_a)
    )
    for row in missed_rows:
        row.status = Attendance.Status.ABSENT
    Attendance.objects.bulk_update(missed_rows, ["status"])
    MakeUpStudy.objects.bulk_create(
        MakeUpStudy(attendance=row, note="心得", submitted_at=timezone.now()) for row in missed_rows
    )


def count(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


@pytest.mark.parametrize(("page", "who"), list(PAGES))
def test_lists_run_the_same_queries_at_any_size(org, login, page, who):
    sessions = make_sessions(org)
    leave.leave_request(session=sessions.upcoming, member=org.member_a, reason="出差")
    task = missed(sessions.past, org.member_a)
    task.note, task.submitted_at = "心得", timezone.now()
    task.save()
    client = login(who)
    url = reverse(f"groups:{page}")
    small, small_page = count(client, url)
    assert "李明" in small_page or "七月集中学习" in small_page
    grow(org)
    large, large_page = count(client, url)
    assert large == small <= PAGES[(page, who)]
    # The big page shows a full page of rows, each from the one query.
    assert large_page.count("<tr>") == 1 + 50
