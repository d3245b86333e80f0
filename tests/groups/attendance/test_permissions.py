"""Every attendance URL × the seven personas: 200/302, 403, 404, or a redirect to the login.

The sessions belong to 第一党支部 (a) and to the 党委 (c), as in the session matrix: only
the managers of a session's branch take its attendance; members of it get 403, others 404.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from groups.models import Attendance
from tests.groups.factories import PERSONAS, started_session

pytestmark = pytest.mark.django_db

LOGIN = "login"


def manage(ok: int, target: str) -> dict[str, int]:
    """Return the status per persona for a page only the session's managers may use."""
    if target == "a":
        return {
            "member_a": 403,
            "member_b": 404,
            "secretary_a": ok,
            "secretary_b": 404,
            "secretary_parent": ok,
            "staff": ok,
        }
    # A 党委 session: everyone under the 党委 sees it; its secretary and staff manage it.
    return {
        "member_a": 403,
        "member_b": 403,
        "secretary_a": 403,
        "secretary_b": 403,
        "secretary_parent": ok,
        "staff": ok,
    }


# (url name, method, takes a member, status for a manager)
URLS = [
    ("attendance-take", "get", False, 200),
    ("attendance-take", "post", False, 302),
    ("attendance-mark-all", "post", False, 302),
    ("attendance-headcounts", "get", False, 200),
    ("attendance-row", "get", True, 200),
    ("attendance-row", "post", True, 302),
    ("attendance-history", "get", True, 200),
    ("attendance-signin-sheet", "get", False, 200),
]
CASES = [
    pytest.param(
        name,
        method,
        with_member,
        target,
        who,
        manage(ok, target).get(who, LOGIN),
        id=f"{name}-{method}-{target}-{who}",
    )
    for name, method, with_member, ok in URLS
    for target in ("a", "c")
    for who in PERSONAS
]


@pytest.mark.parametrize(("name", "method", "with_member", "target", "who", "status"), CASES)
def test_attendance_urls(org, login, name, method, with_member, target, who, status):
    session = {
        "a": lambda: started_session(org.branch_a, "themed_day"),
        "c": lambda: started_session(org.committee, "lecture"),
    }[target]()
    args = [session.pk, org.member_a.pk] if with_member else [session.pk]
    field = f"status-{org.member_a.pk}"
    response = getattr(login(who), method)(reverse(f"groups:{name}", args=args), {field: "absent"})
    if status == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == status
    changed = session.attendance.exclude(status="").exists()
    assert changed == (method == "post" and status == 302 and who != "anonymous")


def test_a_member_not_expected_has_no_row_page(org, login):
    session = started_session(org.branch_a, "themed_day")
    url = reverse("groups:attendance-row", args=[session.pk, org.member_b.pk])
    assert login("secretary_a").get(url).status_code == 404
    history = reverse("groups:attendance-history", args=[session.pk, org.member_b.pk])
    assert login("secretary_a").get(history).status_code == 404


@pytest.mark.parametrize("who", PERSONAS[1:])
def test_only_managers_see_the_attendance_links_on_the_session_page(org, login, who):
    session = started_session(org.branch_a, "themed_day")
    response = login(who).get(reverse("groups:session-detail", args=[session.pk]))
    if response.status_code == 404:
        assert who in ("member_b", "secretary_b")
        return
    page = response.content.decode()
    assert 'data-count="expected">2<' in page  # everyone who sees the session sees counts
    link = reverse("groups:attendance-take", args=[session.pk])
    assert (link in page) == (manage(200, "a")[who] == 200)


def test_nothing_is_recorded_for_a_session_outside_scope(org, login):
    session = started_session(org.branch_a, "themed_day")
    client = login("secretary_b")
    field = f"status-{org.member_a.pk}"
    for name, args in [
        ("attendance-take", [session.pk]),
        ("attendance-mark-all", [session.pk]),
        ("attendance-row", [session.pk, org.member_a.pk]),
    ]:
        assert (
            client.post(reverse(f"groups:{name}", args=args), {field: "absent"}).status_code == 404
        )
    assert not Attendance.objects.exclude(status="").exists()
