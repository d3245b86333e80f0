"""Session pages: schedule, series preview and save, edit, cancel, list, calendar, compliance."""

from __future__ import annotations

import re
from datetime import date, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from groups.models import Series, StudySession
from lessons.models import Lecture, Section
from tests.groups.factories import kind, local, make_session

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.STUDYHUB_PUBLIC_HOLIDAYS = ["2026-10-01"]
    # The messages are asserted in English, the language of the msgids.
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def sections(db):
    lecture = Lecture.objects.create(title="新时代党的组织路线", source_name="x", source_hash="h")
    other = Lecture.objects.create(title="另一讲", source_name="y", source_hash="i")
    return [
        Section.objects.create(lecture=lecture, number="一", title="深刻理解", level=1, position=1),
        Section.objects.create(lecture=lecture, number="二", title="准确把握", level=1, position=2),
        Section.objects.create(lecture=other, number="一", title="别的", level=1, position=1),
    ]


def session_post(org, **overrides):
    data = {
        "branch": org.branch_a.pk,
        "kind": kind("themed_day").pk,
        "topic": "主题党日",
        "day": "2026-09-15",
        "start_time": "14:30",
        "end_time": "16:00",
        "location": "党员活动室",
    }
    data.update(overrides)
    return data


def series_post(org, **overrides):
    data = {
        "branch": org.branch_a.pk,
        "kind": kind("study").pk,
        "topic": "每周二集中学习",
        "pattern": "weekly",
        "interval": "1",
        "weekdays": ["TU"],
        "first_day": "2026-09-22",
        "until": "2026-10-13",
        "start_time": "14:30",
        "end_time": "16:00",
        "preview": "1",
    }
    data.update(overrides)
    return data


def errors(response) -> str:
    form = response.context["form"]
    return " ".join(str(e) for errs in form.errors.values() for e in errs)


def test_secretary_schedules_a_session_with_reading(org, login, sections):
    client = login("secretary_a")
    response = client.post(
        reverse("groups:session-create"),
        session_post(
            org, lecture=sections[0].lecture_id, sections=[sections[1].pk, sections[0].pk]
        ),
    )
    session = StudySession.objects.get()
    assert response.status_code == 302 and response["Location"] == session.get_absolute_url()
    assert timezone.localtime(session.starts_at).time() == time(14, 30)
    assert session.reading == [sections[0], sections[1]]  # outline order
    page = client.get(session.get_absolute_url()).content.decode()
    assert "一、深刻理解" in page and "二、准确把握" in page
    assert "党员活动室" in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"end_time": "14:00"}, "must end after it starts"),
        ({"day": "1999-12-31"}, "before 2000"),
        ({"day": "2099-01-01"}, "at most 5 years ahead"),
        ({"topic": ""}, "required"),
    ],
)
def test_session_form_refuses_bad_input(org, login, overrides, message):
    response = login("secretary_a").post(
        reverse("groups:session-create"), session_post(org, **overrides)
    )
    assert response.status_code == 200
    assert message in errors(response)
    assert not StudySession.objects.exists()


def test_tampered_branch_outside_scope_is_a_form_error(org, login):
    response = login("secretary_a").post(
        reverse("groups:session-create"), session_post(org, branch=org.branch_b.pk)
    )
    assert response.status_code == 200
    assert "Select a valid choice" in errors(response)
    assert not StudySession.objects.exists()


def test_sections_of_another_lecture_are_refused(org, login, sections):
    response = login("secretary_a").post(
        reverse("groups:session-create"),
        session_post(org, lecture=sections[0].lecture_id, sections=[sections[2].pk]),
    )
    assert "sections of the chosen lecture only" in errors(response)


def test_overlap_and_missing_committee_are_warnings_not_blocks(org, login):
    make_session(org.branch_b, "themed_day", starts_at=local(date(2026, 9, 15)), topic="先排的")
    client = login("secretary_parent")
    response = client.post(
        reverse("groups:session-create"),
        session_post(org, branch=org.branch_b.pk, kind=kind("committee_meeting").pk),
        follow=True,
    )
    assert StudySession.objects.count() == 2
    text = [str(m) for m in response.context["messages"]]
    assert any("Overlaps" in m and "先排的" in m for m in text)
    assert not any("no committee members" in m for m in text)  # secretary_b is committee
    response = client.post(
        reverse("groups:session-create"),
        session_post(org, branch=org.group_b.pk, kind=kind("committee_meeting").pk),
        follow=True,
    )
    assert any("no committee members" in str(m) for m in response.context["messages"])


def test_series_preview_shows_skipped_holidays_and_saves_nothing(org, login):
    response = login("secretary_a").post(reverse("groups:series-create"), series_post(org))
    assert response.status_code == 200
    preview = response.context["preview"]
    assert [(o.day, o.is_holiday) for o in preview] == [
        (date(2026, 9, 22), False),
        (date(2026, 9, 29), False),
        (date(2026, 10, 6), False),
        (date(2026, 10, 13), False),
    ]
    assert not Series.objects.exists()
    response = login("secretary_a").post(
        reverse("groups:series-create"),
        series_post(org, weekdays=["TH"], until="2026-10-08"),
    )
    page = response.content.decode()
    assert [(o.day, o.is_holiday) for o in response.context["preview"]] == [
        (date(2026, 9, 24), False),
        (date(2026, 10, 1), True),
        (date(2026, 10, 8), False),
    ]
    assert "public holiday: skipped" in page
    assert "Save the series (2 sessions)" in page


def test_series_save_creates_the_sessions_with_reading(org, login, sections):
    response = login("secretary_a").post(
        reverse("groups:series-create"),
        series_post(
            org,
            weekdays=["TH"],
            until="2026-10-08",
            preview="",
            save="1",
            lecture=sections[0].lecture_id,
            sections=[s.pk for s in sections[:2]],
        ),
    )
    assert response.status_code == 302
    series = Series.objects.get()
    assert series.rule == "FREQ=WEEKLY;INTERVAL=1;BYDAY=TH"
    days = [timezone.localdate(s.starts_at) for s in series.sessions.order_by("starts_at")]
    assert days == [date(2026, 9, 24), date(2026, 10, 8)]
    assert all(s.reading == sections[:2] for s in StudySession.objects.for_page())


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"until": "", "count": ""}, "End the series on a date or after a number"),
        ({"count": "3"}, "not both"),
        ({"until": "2026-09-01"}, "ends before it starts"),
        ({"end_time": "14:30"}, "must end after it starts"),
        ({"first_day": "1990-01-01"}, "before 2000"),
        ({"until": "2035-01-01"}, "at most 5 years ahead"),
        ({"pattern": "custom", "custom_rule": "FREQ=MINUTELY"}, "daily, weekly, monthly"),
        (
            {"weekdays": ["TH"], "first_day": "2026-10-01", "until": "2026-10-01"},
            "This series has no sessions",
        ),
    ],
)
def test_series_form_refuses_bad_input(org, login, overrides, message):
    for action in ({}, {"preview": "", "save": "1"}):
        response = login("secretary_a").post(
            reverse("groups:series-create"), series_post(org, **overrides, **action)
        )
        assert response.status_code == 200
        assert message in errors(response)
    assert not Series.objects.exists() and not StudySession.objects.exists()


def test_the_series_form_ticks_no_weekday_and_none_means_the_first_dates(org, login):
    client = login("secretary_a")
    page = client.get(reverse("groups:series-create")).content.decode()
    assert 'name="weekdays"' in page and not re.search(r'name="weekdays"[^>]*checked', page)
    # 2026-09-24 is a Thursday: the series repeats on Thursdays.
    response = client.post(
        reverse("groups:series-create"), series_post(org, weekdays=[], first_day="2026-09-24")
    )
    assert response.context["form"].cleaned_data["rule"] == "FREQ=WEEKLY;INTERVAL=1;BYDAY=TH"
    assert {o.day.weekday() for o in response.context["preview"]} == {3}


def test_first_friday_and_quarterly_patterns_from_the_form(org, login):
    client = login("secretary_a")
    response = client.post(
        reverse("groups:series-create"),
        series_post(org, pattern="monthly_weekday", nth="1", weekday="FR", until="2026-12-31"),
    )
    assert [o.day for o in response.context["preview"]] == [
        date(2026, 10, 2),
        date(2026, 11, 6),
        date(2026, 12, 4),
    ]
    response = client.post(
        reverse("groups:series-create"),
        series_post(org, pattern="monthly_last_day", interval="3", until="2027-06-30"),
    )
    assert [o.day for o in response.context["preview"]] == [
        date(2026, 9, 30),
        date(2026, 12, 31),
        date(2027, 3, 31),
        date(2027, 6, 30),
    ]


def weekly(org, login):
    login("secretary_a").post(
        reverse("groups:series-create"),
        series_post(org, preview="", save="1", until="2026-10-27"),
    )
    return list(StudySession.objects.order_by("starts_at"))


def test_edit_this_and_following_from_the_page(org, login):
    sessions = weekly(org, login)
    third = sessions[2]
    data = session_post(
        org,
        kind=kind("study").pk,
        topic="下半程",
        day="2026-10-06",
        start_time="09:00",
        end_time="11:00",
        status="scheduled",
        scope="following",
    )
    url = reverse("groups:session-edit", args=[third.pk])
    preview = login("secretary_a").post(url, data)
    assert preview.status_code == 200 and "data-following-preview" in preview.content.decode()
    assert StudySession.objects.filter(topic="下半程").count() == 0  # nothing saved yet
    response = login("secretary_a").post(url, {**data, "confirm": "1"})
    assert response.status_code == 302
    rows = [
        (timezone.localtime(s.starts_at).strftime("%m-%d %H:%M"), s.topic)
        for s in StudySession.objects.order_by("starts_at")
    ]
    assert rows == [
        ("09-22 14:30", "每周二集中学习"),
        ("09-29 14:30", "每周二集中学习"),
        ("10-06 09:00", "下半程"),
        ("10-13 09:00", "下半程"),
        ("10-20 09:00", "下半程"),
        ("10-27 09:00", "下半程"),
    ]
    assert Series.objects.count() == 2


def test_this_and_following_keeps_held_and_cancelled_occurrences(org, login):
    """A later occurrence already held (or cancelled, or recorded) keeps its record."""
    sessions = weekly(org, login)  # 09-22 … 10-27, Tuesdays 14:30
    held, cancelled, recorded = sessions[3], sessions[4], sessions[5]
    StudySession.objects.filter(pk=held.pk).update(status="held", location="大会议室")
    StudySession.objects.filter(pk=cancelled.pk).update(status="cancelled", cancel_reason="下雨")
    recorded.attendance.filter(member=org.member_a).update(status="present")
    data = session_post(
        org,
        kind=kind("study").pk,
        topic="下半程",
        day="2026-09-29",
        start_time="09:00",
        end_time="11:00",
        status="scheduled",
        scope="following",
    )
    url = reverse("groups:session-edit", args=[sessions[1].pk])
    page = login("secretary_a").post(url, data).content.decode()
    changing = re.search(r"<ul class=\"small mb-2\" data-changing>(.*?)</ul>", page, re.S).group(1)
    kept = re.search(r"<ul class=\"small mb-2\" data-kept>(.*?)</ul>", page, re.S).group(1)
    assert re.findall(r"2026-\d\d-\d\d", changing) == ["2026-09-29", "2026-10-06"]
    assert re.findall(r"2026-\d\d-\d\d", kept) == ["2026-10-13", "2026-10-20", "2026-10-27"]

    assert login("secretary_a").post(url, {**data, "confirm": "1"}).status_code == 302
    rows = [
        (timezone.localtime(s.starts_at).strftime("%m-%d %H:%M"), s.topic, s.status, s.location)
        for s in StudySession.objects.order_by("starts_at")
    ]
    assert rows == [
        ("09-22 14:30", "每周二集中学习", "scheduled", ""),
        ("09-29 09:00", "下半程", "scheduled", "党员活动室"),
        ("10-06 09:00", "下半程", "scheduled", "党员活动室"),
        ("10-13 14:30", "每周二集中学习", "held", "大会议室"),
        ("10-20 14:30", "每周二集中学习", "cancelled", ""),
        ("10-27 14:30", "每周二集中学习", "scheduled", ""),
    ]


def test_edit_one_occurrence_and_mark_it_held(org, login):
    sessions = weekly(org, login)
    data = session_post(
        org, kind=kind("study").pk, topic="只改这次", day="2026-09-30", status="held", scope="one"
    )
    login("secretary_a").post(reverse("groups:session-edit", args=[sessions[1].pk]), data)
    sessions[1].refresh_from_db()
    assert (sessions[1].topic, sessions[1].status) == ("只改这次", "held")
    assert timezone.localdate(sessions[1].starts_at) == date(2026, 9, 30)
    assert StudySession.objects.filter(topic="每周二集中学习").count() == 5


def rendered_value(html: str, name: str) -> str:
    """Return the value attribute the page renders for the input called ``name``."""
    tag = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', html)
    assert tag, f"no input {name}"
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return value.group(1) if value else ""


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_edit_page_renders_iso_dates_and_times_and_saves_them_back(org, login, language):
    """Browsers only accept ISO in date/time inputs: 2026/12/02 would show an empty field."""
    session = make_session(
        org.branch_a, "themed_day", starts_at=local(date(2026, 12, 2), time(9, 5))
    )
    client = login("secretary_a")
    client.cookies["django_language"] = language
    html = client.get(reverse("groups:session-edit", args=[session.pk])).content.decode()
    rendered = {name: rendered_value(html, name) for name in ("day", "start_time", "end_time")}
    assert rendered == {"day": "2026-12-02", "start_time": "09:05", "end_time": "10:35"}

    data = session_post(org, **rendered, status="scheduled", scope="one", topic="改了主题")
    response = client.post(reverse("groups:session-edit", args=[session.pk]), data)
    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.topic, session.starts_at) == ("改了主题", local(date(2026, 12, 2), time(9, 5)))


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_series_and_report_filters_render_iso_dates(org, login, language):
    client = login("secretary_a")
    client.cookies["django_language"] = language
    html = client.get(
        reverse("groups:series-create"), {"first_day": "2026-12-01", "until": "2027-01-31"}
    ).content.decode()
    assert 'type="date"' in html and 'type="time"' in html
    report = client.get(
        reverse("groups:report-members"), {"date_from": "2026-09-01", "date_to": "2026-12-31"}
    ).content.decode()
    assert rendered_value(report, "date_from") == "2026-09-01"
    assert rendered_value(report, "date_to") == "2026-12-31"


def test_edit_cannot_move_a_session_to_another_branch(org, login):
    session = make_session(org.branch_a, "themed_day")
    data = session_post(
        org,
        branch=org.branch_b.pk,
        day=str(timezone.localdate() + timedelta(days=1)),
        status="scheduled",
    )
    login("secretary_parent").post(reverse("groups:session-edit", args=[session.pk]), data)
    session.refresh_from_db()
    assert session.branch == org.branch_a


def test_cancel_one_occurrence_with_a_reason(org, login):
    sessions = weekly(org, login)
    client = login("secretary_a")
    url = reverse("groups:session-cancel", args=[sessions[0].pk])
    response = client.post(url, {"reason": "  "})
    assert "This field is required." in errors(response)
    response = client.post(url, {"reason": "与县委会议冲突"}, follow=True)
    page = response.content.decode()
    assert "与县委会议冲突" in page
    # Nothing to take or record at a cancelled session: its page offers neither.
    for name in ["attendance-take", "minutes-edit", "minutes-record"]:
        assert reverse(f"groups:{name}", args=[sessions[0].pk]) not in page
    other = client.get(sessions[1].get_absolute_url()).content.decode()
    assert reverse("groups:minutes-edit", args=[sessions[1].pk]) in other
    assert list(StudySession.objects.values_list("status", flat=True).order_by("starts_at")) == [
        "cancelled",
        *["scheduled"] * 5,
    ]


def test_list_filters_by_subtree_and_kind(org, login):
    soon = local(timezone.localdate() + timedelta(days=2))
    make_session(org.committee, "lecture", starts_at=soon, topic="党委党课")
    make_session(org.branch_a, "themed_day", starts_at=soon, topic="一支部主题党日")
    make_session(org.group_a, "group_meeting", starts_at=soon, topic="一小组会")
    make_session(org.branch_b, "themed_day", starts_at=soon, topic="二支部主题党日")
    client = login("secretary_parent")

    def topics(**params):
        response = client.get(reverse("groups:session-list"), params)
        return sorted(s.topic for s in response.context["page"].object_list)

    assert topics() == ["一小组会", "一支部主题党日", "二支部主题党日", "党委党课"]
    assert topics(branch=org.branch_a.pk) == ["一小组会", "一支部主题党日"]
    assert topics(kind=kind("themed_day").pk) == ["一支部主题党日", "二支部主题党日"]
    member = login("member_a")
    response = member.get(reverse("groups:session-list"))
    assert sorted(s.topic for s in response.context["page"].object_list) == [
        "一小组会",
        "一支部主题党日",
        "党委党课",
    ]


def test_calendar_month_places_sessions_on_local_days(org, login):
    make_session(
        org.branch_a, "themed_day", starts_at=local(date(2026, 9, 15), time(7, 0)), topic="早上七点"
    )
    response = login("member_a").get(reverse("groups:calendar-month"), {"year": 2026, "month": 9})
    weeks = response.context["weeks"]
    assert weeks[0][0].day == date(2026, 8, 31)  # Monday first
    days = {cell.day: [s.topic for s in cell.sessions] for week in weeks for cell in week}
    assert days[date(2026, 9, 15)] == ["早上七点"]  # 23:00 UTC the day before
    assert "早上七点" in response.content.decode()
    assert (
        login("member_a")
        .get(reverse("groups:calendar-month"), {"year": 2026, "month": 13})
        .status_code
        == 404
    )
    for absurd in ["99999999999999999999", "-1", "二〇二六"]:
        response = login("member_a").get(reverse("groups:calendar-month"), {"year": absurd})
        assert response.status_code == 404, absurd
    response = login("secretary_a").get(reverse("groups:holidays"), {"year": "9" * 30})
    assert response.status_code == 404


def test_calendar_month_lists_the_busy_days_for_a_phone(org, login):
    make_session(org.branch_a, starts_at=local(date(2026, 9, 15), time(7, 0)), topic="早上七点")
    client = login("member_a")
    september = client.get(reverse("groups:calendar-month"), {"year": 2026, "month": 9})
    assert [cell.day for cell in september.context["busy_days"]] == [date(2026, 9, 15)]
    page = september.content.decode()
    agenda = page.split('<ol class="list-group d-sm-none')[1].split("</ol>")[0]
    assert "早上七点" in agenda and "07:00" in agenda
    october = client.get(reverse("groups:calendar-month"), {"year": 2026, "month": 10})
    assert october.context["busy_days"] == []
    assert "No sessions this month." in october.content.decode()


def test_compliance_page_shows_behind_with_days_left(org, login):
    response = login("secretary_a").get(
        reverse("groups:compliance"),
        {"branch": org.branch_a.pk, "period": "month", "day": timezone.localdate().isoformat()},
    )
    page = response.content.decode()
    assert response.status_code == 200
    report = response.context["report"]
    assert report.root == org.branch_a
    cell = next(c for c in report.rows[0].cells if c and c.kind.code == "committee_meeting")
    assert (cell.held, cell.required) == (0, 1)
    assert f"0 of 1 in {cell.label}, {cell.days_left} day" in page
