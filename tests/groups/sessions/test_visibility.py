"""Who finds a session in their list, month calendar and feed: 支委会 only for its committee."""

from __future__ import annotations

import icalendar
import pytest
from django.urls import reverse

from groups.models import CalendarToken, SessionKind
from tests.groups.factories import make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def meetings(org):
    make_session(org.branch_a, SessionKind.COMMITTEE_MEETING, topic="研究发展党员")
    make_session(org.branch_a, SessionKind.STUDY, topic="学习党章")


def feed_topics(client, user) -> list[str]:
    token = CalendarToken.objects.create(user=user)
    body = client.get(reverse("groups:calendar-feed", args=[token.token])).content
    events = icalendar.Calendar.from_ical(body).events
    # The summary is "<kind>：<topic>"; the topic says which meeting it is.
    return sorted(str(e["SUMMARY"]).split("：", 1)[1] for e in events)


def test_a_members_feed_leaves_out_the_committee_meeting(org, meetings, client):
    assert feed_topics(client, org.member_a.user) == ["学习党章"]


def test_the_secretarys_feed_keeps_the_committee_meeting(org, meetings, client):
    assert feed_topics(client, org.secretary_a.user) == ["学习党章", "研究发展党员"]


@pytest.mark.parametrize("page", ["groups:session-list", "groups:calendar-month"])
def test_a_members_list_and_calendar_leave_out_the_committee_meeting(org, meetings, login, page):
    html = login("member_a").get(reverse(page)).content.decode()
    assert "学习党章" in html
    assert "研究发展党员" not in html


@pytest.mark.parametrize("page", ["groups:session-list", "groups:calendar-month"])
def test_the_secretarys_list_and_calendar_keep_the_committee_meeting(org, meetings, login, page):
    html = login("secretary_a").get(reverse(page)).content.decode()
    assert "学习党章" in html and "研究发展党员" in html


def test_a_member_cannot_open_a_committee_meeting_they_are_not_on(org, login):
    meeting = make_session(org.branch_a, SessionKind.COMMITTEE_MEETING, topic="研究发展党员")
    assert login("member_a").get(meeting.get_absolute_url()).status_code == 404
    assert login("secretary_a").get(meeting.get_absolute_url()).status_code == 200
