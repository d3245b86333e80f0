"""Query counts of the session pages stay the same from a small org to a big one.

Big: a 党委 with 20 党支部, 600 members and a year of weekly sessions in every branch.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from groups.models import StudySession
from tests.groups.factories import grow_organisation, kind, local, make_session

pytestmark = pytest.mark.django_db


def grow(org) -> None:
    """Add 20 branches, 600 members and a year of weekly sessions around today."""
    grow_organisation(org.committee)
    first = timezone.localdate() - timedelta(days=182)
    StudySession.objects.bulk_create(
        StudySession(
            branch=branch,
            kind=kind("study"),
            topic=f"第{week}周学习",
            starts_at=local(first + timedelta(weeks=week)),
            ends_at=local(first + timedelta(weeks=week)) + timedelta(minutes=90),
        )
        for branch in [org.branch_a, org.group_a]
        for week in range(52)
    )


def count(client, url: str, params: dict | None = None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(queries)


# The most each page may run (counted for a manager; a member runs as many or fewer):
# 2 for the login session and user, then
# list: managed-branches check, the branch and kind filter choices, page count, page rows;
# calendar: the same without the page count; detail: the session, its reading, the
# manage check, the expected members, plus the panels the page includes: two for reading
# status (groups.reading.services), one for the attendance headcounts, one for the member's own
# leave and make-up (the check-in panel runs none outside the check-in window);
# compliance: scope checks and the form's branch, then the report's six (branches, kinds,
# their branch kinds, rules, exemptions, counts).
PAGES = {
    "session-list": 7,
    "calendar-month": 6,
    "session-detail": 10,
    "compliance": 12,
}


@pytest.mark.parametrize(
    ("page", "who"),
    [(page, "secretary_parent") for page in PAGES]
    + [(page, "member_a") for page in PAGES if page != "compliance"],
)
def test_pages_run_the_same_queries_at_any_size(org, login, page, who):
    session = make_session(org.committee, "lecture", topic="党委党课")
    client = login(who)
    args = [session.pk] if page == "session-detail" else []
    url = reverse(f"groups:{page}", args=args)
    params = {"period": "year"} if page == "compliance" else {}
    small = count(client, url, params)
    grow(org)
    large = count(client, url, params)
    assert large == small <= PAGES[page]


def test_compliance_of_the_big_org_counts_right(org, login, django_assert_max_num_queries):
    grow(org)
    client = login("secretary_parent")
    with django_assert_max_num_queries(PAGES["compliance"]):
        response = client.get(
            reverse("groups:compliance"),
            {"branch": org.committee.pk, "period": "year", "day": timezone.localdate().isoformat()},
        )
    report = response.context["report"]
    assert len(report.rows) == 1 + 2 + 2 + 20
