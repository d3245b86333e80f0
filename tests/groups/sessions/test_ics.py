"""iCalendar: a session's .ics and the personal feed, parsed back with icalendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import icalendar
import pytest
from django.urls import reverse

from groups.models import CalendarToken, StudySession
from groups.sessions import services as scheduling
from groups.sessions.ics import build_calendar, session_uid
from lessons.models import Lecture, Section
from tests.groups.factories import local, make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(org):
    lecture = Lecture.objects.create(title="新时代党的组织路线", source_name="x", source_hash="h")
    sections = [
        Section.objects.create(lecture=lecture, number=n, title=title, level=1, position=i)
        for i, (n, title) in enumerate([("一", "深刻理解"), ("二", "准确把握")])
    ]
    created = make_session(
        org.branch_a,
        "lecture",
        starts_at=local(date(2026, 3, 3), time(14, 30)),
        topic="新时代党的组织路线",
        location="三楼会议室",
        agenda="1. 领学\n2. 交流",
    )
    scheduling.session_update(session=created, sections=sections)
    return StudySession.objects.for_page().get(pk=created.pk)


def parse(body: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(body)


def test_session_event_round_trips(session):
    cal = parse(build_calendar([session], name="x"))
    assert cal["VERSION"] == "2.0" and cal["PRODID"]
    (tz,) = cal.walk("VTIMEZONE")
    assert tz["TZID"] == "Asia/Shanghai"
    (event,) = cal.events
    assert event["UID"] == session_uid(session) == f"session-{session.pk}@studyhub"
    assert event["SUMMARY"] == "党课：新时代党的组织路线"
    assert event["LOCATION"] == "三楼会议室"
    assert event["STATUS"] == "CONFIRMED"
    assert event.get("DTSTART").params["TZID"] == "Asia/Shanghai"
    assert event.start == datetime(2026, 3, 3, 6, 30, tzinfo=UTC)
    assert event.start.utcoffset().total_seconds() == 8 * 3600
    assert event.end == datetime(2026, 3, 3, 8, 0, tzinfo=UTC)
    description = str(event["DESCRIPTION"])
    assert "一、深刻理解" in description and "二、准确把握" in description
    assert "1. 领学" in description
    assert b"DTSTART;TZID=Asia/Shanghai:20260303T143000" in build_calendar([session], name="x")


def test_uid_is_stable_when_the_session_changes(session):
    before = parse(build_calendar([session], name="x")).events[0]["UID"]
    scheduling.session_update(session=session, topic="改了题目")
    session = StudySession.objects.for_page().get(pk=session.pk)
    assert parse(build_calendar([session], name="x")).events[0]["UID"] == before


def test_cancelled_session_is_cancelled_in_the_calendar(session):
    scheduling.session_cancel(session=session, reason="上级会议冲突")
    session = StudySession.objects.for_page().get(pk=session.pk)
    (event,) = parse(build_calendar([session], name="x")).events
    assert event["STATUS"] == "CANCELLED"
    assert "上级会议冲突" in str(event["DESCRIPTION"])


def test_session_ics_download(session, login):
    response = login("member_a").get(reverse("groups:session-ics", args=[session.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    (event,) = parse(response.content).events
    assert str(event["URL"]).endswith(session.get_absolute_url())


def test_personal_feed_lists_what_the_member_sees(session, org, client):
    make_session(org.branch_a, "lecture", topic="新时代党的组织路线")  # tomorrow
    make_session(org.committee, "study", topic="党委集中学习")
    make_session(org.branch_b, "themed_day", topic="别的支部")
    token = CalendarToken.objects.create(user=org.member_a.user)
    response = client.get(reverse("groups:calendar-feed", args=[token.token]))
    assert response.status_code == 200
    summaries = sorted(str(e["SUMMARY"]) for e in parse(response.content).events)
    # The March session is older than the feed's 90 days.
    assert summaries == ["党课：新时代党的组织路线", "集中学习：党委集中学习"]


def test_regenerating_the_token_revokes_the_old_feed(org, login, client):
    member = login("member_a")
    member.post(reverse("groups:calendar-subscription"), {"regenerate": "1"})
    old = CalendarToken.objects.get(user=org.member_a.user).token
    member.post(reverse("groups:calendar-subscription"), {"regenerate": "1"})
    new = CalendarToken.objects.get(user=org.member_a.user).token
    assert new != old
    page = member.get(reverse("groups:calendar-subscription"))
    assert new in page.content.decode()
    member.logout()
    assert client.get(reverse("groups:calendar-feed", args=[old])).status_code == 404
    assert client.get(reverse("groups:calendar-feed", args=[new])).status_code == 200
    login("member_a").post(reverse("groups:calendar-subscription"), {"revoke": "1"})
    assert not CalendarToken.objects.exists()
    client.logout()
    assert client.get(reverse("groups:calendar-feed", args=[new])).status_code == 404


def test_feed_of_a_deactivated_user_is_gone(org, client):
    token = CalendarToken.objects.create(user=org.member_a.user)
    org.member_a.user.is_active = False
    org.member_a.user.save()
    assert client.get(reverse("groups:calendar-feed", args=[token.token])).status_code == 404
