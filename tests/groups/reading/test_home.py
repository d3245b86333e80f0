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
# managed sessions (1), "manages any branch" only when that list is empty (1), lectures (1).
HOME_QUERIES = 8


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
