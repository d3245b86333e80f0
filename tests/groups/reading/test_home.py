"""The start page: a member's upcoming sessions and assigned reading; managers' sessions."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from groups.reading import services as reading
from tests.groups.factories import grow, make_reading, make_session


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def books(org):
    return make_reading(org)


def home(client) -> str:
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def reading_items(page: str) -> list[tuple[str, str]]:
    """Return (section heading, status) for each item of the assigned-reading list."""
    items = re.findall(
        r'data-status="(\w+)">\s*<span>\s*<a class="fw-semibold" href="[^"]+">([^<]+)</a>', page
    )
    return [(label, status) for status, label in items]


def test_member_sees_their_sessions_and_reading_with_status(org, books, login):
    reading.reading_mark_read(member=org.member_a, section=books.sections[0])
    reading.reading_open(member=org.member_a, section=books.sections[1])
    page = home(login("member_a"))
    assert "学习新时代党的组织路线" in page
    assert "党委专题党课" in page
    # The sibling branch's session is not theirs.
    assert "第二支部学习会" not in page
    assert reading_items(page) == [
        ("一、坚持党的全面领导", "read"),
        ("二、加强基层组织建设", "opened"),
        ("三、严格党内政治生活", "unread"),
    ]
    assert ">Read</span>" in page and ">Opened</span>" in page and ">Unread</span>" in page
    assert "1 of 3 read" in page
    assert f'href="{books.sections[2].get_absolute_url()}"' in page
    # The lecture list stays below.
    assert page.index("Assigned reading") < page.index("新时代党的组织路线</span>")
    # Not a manager: no managed sessions section.
    assert "Sessions of the branches you manage" not in page


def test_read_time_is_shown_in_local_time(org, books, login):
    at = timezone.now().replace(second=0, microsecond=0) - timedelta(hours=1)
    reading.reading_mark_read(member=org.member_a, section=books.sections[0], at=at)
    page = home(login("member_a"))
    assert timezone.localtime(at).strftime("%m-%d %H:%M") in page


def test_outsider_sees_only_their_branch(org, books, login):
    page = home(login("member_b"))
    assert "第二支部学习会" in page
    assert "党委专题党课" in page
    assert "学习新时代党的组织路线" not in page
    assert [label for label, _ in reading_items(page)] == [
        "二、加强基层组织建设",
        "三、严格党内政治生活",
    ]


def test_secretary_also_sees_the_sessions_they_manage(org, books, login):
    page = home(login("secretary_a"))
    managed = page[page.index("Sessions of the branches you manage") :]
    assert "学习新时代党的组织路线" in managed
    assert "第二支部学习会" not in managed
    url = reverse("groups:session-reading", args=[books.session_a.pk])
    assert f'href="{url}"' in managed


def test_staff_without_a_member_profile_see_every_branch_s_sessions(org, books, login):
    page = home(login("staff"))
    assert "Assigned reading" not in page
    managed = page[page.index("Sessions of the branches you manage") :]
    assert "学习新时代党的组织路线" in managed and "第二支部学习会" in managed


def test_member_with_nothing_scheduled_is_told_so(org, login):
    page = home(login("member_a"))
    assert "No sessions in the next 30 days." in page
    assert "Nothing to read for your sessions right now." in page


def test_cancelled_session_is_marked(org, books, login):
    make_session(org.branch_a, topic="取消的学习", status="cancelled", cancel_reason="改期")
    page = home(login("member_a"))
    assert "取消的学习" in page
    assert ">cancelled</span>" in page


# Session + user (2), member (1), upcoming sessions (1), reading with progress (1),
# managed sessions (1), "manages any branch" only when that list is empty (1), lectures (1);
# the to-do list: check-ins due, own leave (2), for managers recent sessions with their
# counts (1), and one query for its counts (open 补学; pending leave, 补学 to confirm);
# managers' follow-up list (1).
HOME_QUERIES = 12


@pytest.mark.parametrize("size", ["small", "large"])
@pytest.mark.parametrize("persona_name", ["member_a", "secretary_parent", "staff"])
def test_home_queries_do_not_grow(
    org, books, login, size, persona_name, django_assert_max_num_queries
):
    if size == "large":
        grow(org, books)
    client = login(persona_name)
    with django_assert_max_num_queries(HOME_QUERIES):
        page = home(client)
    if persona_name == "member_a" and size == "large":
        # 第一党支部 has a weekly session: four or five in the next 30 days, all listed.
        assert page.count("第一党支部第") >= 4


# --- What to act on -----------------------------------------------------------------------


def todo_items(page: str) -> list[str]:
    return re.findall(r'data-todo-item="([\w-]+)"', page)


def test_a_member_is_asked_to_check_in_do_their_makeup_and_sees_their_leave(org, login):
    from groups.attendance.services import attendance_record
    from groups.leave import services as leave

    now = timezone.now()
    running = make_session(
        org.branch_a, topic="正在进行的学习", starts_at=now - timedelta(minutes=10)
    )
    missed = make_session(org.branch_a, topic="上周的学习", starts_at=now - timedelta(days=7))
    row = missed.attendance.get(member=org.member_a)
    attendance_record(attendance=row, status="absent", by=org.secretary_a.user)
    upcoming = make_session(org.branch_a, topic="下周的学习", starts_at=now + timedelta(days=7))
    leave.leave_request(session=upcoming, member=org.member_a, reason="出差")

    page = home(login("member_a"))
    assert todo_items(page) == ["check-in", "makeups-open", "leave"]
    assert reverse("groups:checkin-session", args=[running.pk]) in page
    assert "1 make-up study to do" in page
    assert 'data-leave-status="pending"' in page and "下周的学习" in page

    # Checked in, the request goes from the list.
    row = running.attendance.get(member=org.member_a)
    attendance_record(attendance=row, status="present", by=None, checked_in_at=now)
    assert "check-in" not in todo_items(home(login("member_a")))


def test_a_secretary_sees_leave_makeup_the_meeting_in_progress_and_attendance_not_taken(org, login):
    from groups.attendance.services import attendance_record
    from groups.leave import makeup
    from groups.leave import services as leave

    now = timezone.now()
    running = make_session(org.branch_a, topic="正在进行的会", starts_at=now - timedelta(minutes=5))
    untaken = make_session(org.branch_a, topic="忘了考勤的会", starts_at=now - timedelta(days=2))
    taken = make_session(org.branch_a, topic="考过勤的会", starts_at=now - timedelta(days=3))
    row = taken.attendance.get(member=org.member_a)
    attendance_record(attendance=row, status="absent", by=org.secretary_a.user)
    makeup.makeup_submit(makeup=row.makeup, note="自学了材料。")
    upcoming = make_session(org.branch_a, starts_at=now + timedelta(days=7))
    leave.leave_request(session=upcoming, member=org.member_a, reason="出差")

    page = home(login("secretary_a"))
    items = todo_items(page)
    # The secretary is also expected at the meeting in progress: asked to check in first.
    assert items == [
        "check-in",
        "in-progress",
        "leave-pending",
        "makeups-to-confirm",
        "attendance-missing",
    ]
    assert reverse("groups:attendance-take", args=[running.pk]) in page
    assert "1 leave request to decide" in page and "1 make-up study to confirm" in page
    assert "忘了考勤的会" in page and "Attendance not taken: 考过勤的会" not in page
    assert untaken.pk != taken.pk
    # A member who manages nothing sees none of the managers' lines.
    assert not {"leave-pending", "attendance-missing"} & set(todo_items(home(login("member_b"))))
