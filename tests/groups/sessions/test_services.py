"""Scheduling services: one session, a series, edit following, cancel one, warnings, expected."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from groups.models import BranchKind, BranchRole, Series, StudySession
from groups.sessions import services as scheduling
from groups.sessions.recurrence import RuleError
from groups.sessions.selectors import expected_members, session_warnings
from lessons.models import Lecture, Section
from tests.groups.factories import kind, local, make_branch, make_member, make_session

pytestmark = pytest.mark.django_db

NINETY = timedelta(minutes=90)


@pytest.fixture(autouse=True)
def _no_holidays(settings):
    """Keep 国庆 out of the way unless a test names its holidays."""
    settings.STUDYHUB_PUBLIC_HOLIDAYS = []


@pytest.fixture
def tree():
    committee = make_branch("县委党委", BranchKind.COMMITTEE)
    first = make_branch("第一党支部", parent=committee)
    second = make_branch("第二党支部", parent=committee)
    group = make_branch("第一党小组", BranchKind.GROUP, parent=first)
    return committee, first, second, group


@pytest.fixture
def sections(db):
    lecture = Lecture.objects.create(
        title="新时代党的组织路线", source_name="x.txt", source_hash="h"
    )
    return [
        Section.objects.create(lecture=lecture, title=f"第{n}部分", level=1, position=n)
        for n in range(1, 4)
    ]


def weekly_series(branch, **kwargs):
    kwargs.setdefault("sections", ())
    return scheduling.series_schedule(
        user=None,
        branch=branch,
        kind=kind("study"),
        topic="每周二集中学习",
        rule="FREQ=WEEKLY;BYDAY=TU",
        first_day=kwargs.pop("first_day", date(2026, 9, 1)),
        start_time=time(14, 30),
        duration=NINETY,
        count=kwargs.pop("count", 6),
        **kwargs,
    )


def test_schedule_one_session_with_reading(tree, sections):
    _, first, _, _ = tree
    session = scheduling.session_schedule(
        user=None,
        branch=first,
        kind=kind("lecture"),
        topic="党课",
        starts_at=local(date(2026, 9, 4)),
        ends_at=local(date(2026, 9, 4)) + NINETY,
        sections=[sections[2], sections[0]],
    )
    assert session.starts_at == datetime(2026, 9, 4, 6, 30, tzinfo=UTC)
    assert [a.section for a in session.assignments.all()] == [sections[2], sections[0]]


def test_schedule_refuses_end_before_start_and_saves_nothing(tree):
    _, first, _, _ = tree
    with pytest.raises(ValidationError):
        scheduling.session_schedule(
            user=None,
            branch=first,
            kind=kind("lecture"),
            topic="党课",
            starts_at=local(date(2026, 9, 4)),
            ends_at=local(date(2026, 9, 4)) - NINETY,
        )
    assert not StudySession.objects.exists()


def test_schedule_refuses_dates_out_of_bounds(tree):
    _, first, _, _ = tree
    for day in (date(1999, 12, 31), timezone.localdate() + timedelta(days=6 * 366)):
        with pytest.raises(RuleError):
            scheduling.session_schedule(
                user=None,
                branch=first,
                kind=kind("lecture"),
                topic="党课",
                starts_at=local(day),
                ends_at=local(day) + NINETY,
            )


def test_series_skips_holidays_and_assigns_reading(tree, sections, settings):
    settings.STUDYHUB_PUBLIC_HOLIDAYS = ["2026-09-29"]
    _, first, _, _ = tree
    series = weekly_series(first, sections=sections[:2])
    sessions = list(series.sessions.order_by("starts_at"))
    assert [timezone.localdate(s.starts_at) for s in sessions] == [
        date(2026, 9, 1),
        date(2026, 9, 8),
        date(2026, 9, 15),
        date(2026, 9, 22),
        date(2026, 10, 6),  # 09-29 skipped; COUNT=6 counts it
    ]
    assert all(timezone.localtime(s.starts_at).time() == time(14, 30) for s in sessions)
    assert all(s.reading == sections[:2] for s in StudySession.objects.for_page())


def test_series_with_no_sessions_is_refused_and_nothing_saved(tree, settings):
    settings.STUDYHUB_PUBLIC_HOLIDAYS = ["2026-09-01"]
    _, first, _, _ = tree
    with pytest.raises(RuleError, match="没有生成任何活动"):
        weekly_series(first, count=1)
    assert not Series.objects.exists()
    assert not StudySession.objects.exists()


def test_cancel_one_occurrence_with_a_reason(tree):
    _, first, _, _ = tree
    series = weekly_series(first)
    third = series.sessions.order_by("starts_at")[2]
    scheduling.session_cancel(session=third, reason="国庆调休")
    third.refresh_from_db()
    assert third.status == StudySession.Status.CANCELLED
    assert third.cancel_reason == "国庆调休"
    assert series.sessions.exclude(status="cancelled").count() == 5
    with pytest.raises(ValueError):
        scheduling.session_cancel(session=third, reason="  ")


def test_edit_one_occurrence_leaves_the_others(tree):
    _, first, _, _ = tree
    series = weekly_series(first)
    second = series.sessions.order_by("starts_at")[1]
    scheduling.session_update(
        session=second,
        topic="改在周三",
        starts_at=local(date(2026, 9, 9)),
        ends_at=local(date(2026, 9, 9)) + NINETY,
    )
    topics = list(series.sessions.order_by("starts_at").values_list("topic", flat=True))
    assert topics == ["每周二集中学习", "改在周三", *["每周二集中学习"] * 4]
    second.refresh_from_db()
    assert second.series == series


def test_edit_this_and_following_splits_the_series(tree, sections):
    _, first, _, _ = tree
    series = weekly_series(first, sections=[sections[0]])
    sessions = list(series.sessions.order_by("starts_at"))
    # Move the fourth one to Wednesday by hand first: it stays on its day.
    scheduling.session_update(
        session=sessions[3],
        starts_at=local(date(2026, 9, 23)),
        ends_at=local(date(2026, 9, 23)) + NINETY,
    )
    new = scheduling.series_update_following(
        session=sessions[2],
        user=None,
        start_time=time(9, 0),
        duration=timedelta(hours=2),
        topic="下半程",
        sections=[sections[1], sections[2]],
    )
    series.refresh_from_db()
    assert new.pk != series.pk and new.previous == series
    assert (series.until, series.count) == (date(2026, 9, 14), None)
    assert (new.first_day, new.until, new.count) == (date(2026, 9, 15), date(2026, 10, 6), None)
    rows = [
        (timezone.localtime(s.starts_at), s.topic, s.series_id, s.reading)
        for s in StudySession.objects.for_page().order_by("starts_at")
    ]
    tz = timezone.get_default_timezone()
    assert rows == [
        (datetime(2026, 9, 1, 14, 30, tzinfo=tz), "每周二集中学习", series.pk, [sections[0]]),
        (datetime(2026, 9, 8, 14, 30, tzinfo=tz), "每周二集中学习", series.pk, [sections[0]]),
        (datetime(2026, 9, 15, 9, 0, tzinfo=tz), "下半程", new.pk, sections[1:]),
        (datetime(2026, 9, 23, 9, 0, tzinfo=tz), "下半程", new.pk, sections[1:]),
        (datetime(2026, 9, 29, 9, 0, tzinfo=tz), "下半程", new.pk, sections[1:]),
        (datetime(2026, 10, 6, 9, 0, tzinfo=tz), "下半程", new.pk, sections[1:]),
    ]
    assert all(s.ends_at - s.starts_at == timedelta(hours=2) for s in new.sessions.all())


def test_edit_following_from_the_first_changes_the_series_itself(tree):
    _, first, _, _ = tree
    series = weekly_series(first)
    new = scheduling.series_update_following(
        session=series.sessions.order_by("starts_at").first(),
        user=None,
        start_time=time(15, 0),
        duration=NINETY,
        location="三楼会议室",
    )
    assert new.pk == series.pk
    assert Series.objects.count() == 1
    assert set(series.sessions.values_list("location", flat=True)) == {"三楼会议室"}


def test_parent_session_expects_the_whole_subtree(tree):
    committee, first, second, group = tree
    a = make_member("甲", first)
    b = make_member("乙", second)
    c = make_member("丙", group)
    make_member("丁", second, status="transferred_out")
    party_lecture = make_session(committee, "lecture")
    assert set(expected_members(party_lecture)) == {a, b, c}
    assert set(expected_members(make_session(first, "themed_day"))) == {a, c}


def test_committee_meeting_expects_the_committee(tree):
    _, first, _, _ = tree
    secretary = make_member("书记", first, role=BranchRole.Role.SECRETARY)
    make_member("组长", first, role=BranchRole.Role.GROUP_LEADER)
    make_member("党员", first)
    assert list(expected_members(make_session(first, "committee_meeting"))) == [secretary]


def test_warns_about_a_committee_meeting_without_committee(tree):
    _, first, second, _ = tree
    make_member("书记", first, role=BranchRole.Role.SECRETARY)
    start = local(date(2026, 9, 4))
    spans = [(start, start + NINETY)]
    assert session_warnings(branch=first, kind=kind("committee_meeting"), spans=spans) == []
    (warning,) = session_warnings(branch=second, kind=kind("committee_meeting"), spans=spans)
    assert "第二党支部没有可参加支部委员会的委员" in warning


def test_warns_about_overlaps_in_the_same_branch_only(tree):
    _, first, second, _ = tree
    start = local(date(2026, 9, 4))
    existing = make_session(first, "lecture", starts_at=start, topic="党课")
    make_session(first, "lecture", starts_at=start + NINETY, topic="紧接着")  # touches, no overlap
    make_session(
        first, "lecture", starts_at=start, topic="取消的", status="cancelled", cancel_reason="x"
    )
    make_session(second, "lecture", starts_at=start, topic="别的支部")
    spans = [(start + timedelta(minutes=30), start + timedelta(minutes=60))]
    (warning,) = session_warnings(branch=first, kind=kind("study"), spans=spans)
    assert "党课：党课" in warning
    assert (
        session_warnings(branch=first, kind=kind("study"), spans=spans, exclude=[existing.pk]) == []
    )
