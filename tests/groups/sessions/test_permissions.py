"""Every session URL × the seven personas: 200, 403, 404, or a redirect to the login page.

The session under test belongs to 第一党支部 (branch a). member_a sits in a 党小组 under it;
member_b and secretary_b are in the sibling 第二党支部; secretary_parent runs the 党委.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from groups.models import CalendarToken
from tests.groups.factories import PERSONAS, make_session

pytestmark = pytest.mark.django_db

LOGIN = 302
EVERYONE = dict.fromkeys(PERSONAS[1:], 200)
MANAGERS = {
    "member_a": 403,
    "member_b": 403,
    "secretary_a": 200,
    "secretary_b": 200,
    "secretary_parent": 200,
    "staff": 200,
}
SEE_BRANCH_A = {
    "member_a": 200,
    "member_b": 404,
    "secretary_a": 200,
    "secretary_b": 404,
    "secretary_parent": 200,
    "staff": 200,
}
MANAGE_BRANCH_A = {**SEE_BRANCH_A, "member_a": 403}
# A 党委 session: everyone under the 党委 sees it; only its secretary and staff manage it.
SEE_COMMITTEE = EVERYONE
MANAGE_COMMITTEE = {**MANAGERS, "secretary_a": 403, "secretary_b": 403}

MATRIX = [
    ("session-list", None, EVERYONE),
    ("calendar-month", None, EVERYONE),
    ("calendar-subscription", None, EVERYONE),
    ("session-create", None, MANAGERS),
    ("series-create", None, MANAGERS),
    ("compliance", None, MANAGERS),
    ("holidays", None, MANAGERS),
    ("session-detail", "a", SEE_BRANCH_A),
    ("session-ics", "a", SEE_BRANCH_A),
    ("session-edit", "a", MANAGE_BRANCH_A),
    ("session-cancel", "a", MANAGE_BRANCH_A),
    ("session-detail", "c", SEE_COMMITTEE),
    ("session-ics", "c", SEE_COMMITTEE),
    ("session-edit", "c", MANAGE_COMMITTEE),
    ("session-cancel", "c", MANAGE_COMMITTEE),
]

CASES = [
    pytest.param(name, target, who, expected.get(who, LOGIN), id=f"{name}-{target}-{who}")
    for name, target, expected in MATRIX
    for who in PERSONAS
]


@pytest.mark.parametrize(("name", "target", "who", "status"), CASES)
def test_session_urls(org, login, name, target, who, status):
    sessions = {
        "a": make_session(org.branch_a, "themed_day"),
        "c": make_session(org.committee, "lecture"),
    }
    args = [sessions[target].pk] if target else []
    response = login(who).get(reverse(f"groups:{name}", args=args))
    assert response.status_code == status
    if status == LOGIN:
        assert response["Location"].startswith(reverse("login"))


COMPLIANCE_OF_BRANCH_A = {**MANAGE_BRANCH_A, "member_a": 403, "member_b": 403}


@pytest.mark.parametrize("who", PERSONAS)
def test_compliance_of_a_branch_outside_scope_is_404(org, login, who):
    url = reverse("groups:compliance") + f"?branch={org.branch_a.pk}"
    response = login(who).get(url)
    assert response.status_code == COMPLIANCE_OF_BRANCH_A.get(who, LOGIN)


@pytest.mark.parametrize("who", PERSONAS)
def test_calendar_feed_needs_only_the_token(org, login, who):
    token = CalendarToken.objects.create(user=org.member_a.user)
    client = login(who)
    assert client.get(reverse("groups:calendar-feed", args=[token.token])).status_code == 200
    assert client.get(reverse("groups:calendar-feed", args=["not-a-token"])).status_code == 404


@pytest.mark.parametrize("who", ["member_b", "secretary_b"])
def test_posting_to_a_session_outside_scope_is_404_and_changes_nothing(org, login, who):
    session = make_session(org.branch_a, "themed_day", topic="原题目")
    client = login(who)
    cancel = client.post(reverse("groups:session-cancel", args=[session.pk]), {"reason": "x"})
    edit = client.post(reverse("groups:session-edit", args=[session.pk]), {"topic": "改"})
    assert (cancel.status_code, edit.status_code) == (404, 404)
    session.refresh_from_db()
    assert (session.status, session.topic) == ("scheduled", "原题目")


ORGANISATION_DEPARTMENT_ONLY = {**MANAGERS, "secretary_a": 403, "secretary_b": 403}
ORGANISATION_DEPARTMENT_ONLY["secretary_parent"] = 403


@pytest.mark.parametrize("who", PERSONAS)
def test_only_the_organisation_department_changes_the_holidays(org, login, who, settings):
    from datetime import date

    from groups.models import PublicHoliday

    client = login(who)
    day = {"day": "2027-01-01", "name": "元旦", "day_off": "on"}
    saved = client.post(reverse("groups:holiday-save"), day)
    expected = ORGANISATION_DEPARTMENT_ONLY.get(who, LOGIN)
    assert saved.status_code == (302 if expected == 200 else expected)
    assert PublicHoliday.objects.filter(day=date(2027, 1, 1)).exists() == (expected == 200)
    row = PublicHoliday.objects.get_or_create(day=date(2027, 5, 1), name="劳动节")[0]
    deleted = client.post(reverse("groups:holiday-delete", args=[row.pk]))
    assert deleted.status_code == (302 if expected == 200 else expected)
    assert PublicHoliday.objects.filter(pk=row.pk).exists() == (expected != 200)
