"""Reading services and selectors: progress, notes, who is expected, the managers' status."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from groups.models import BranchRole, ReadingProgress, StudyNote
from groups.reading import selectors as reading_selectors
from groups.reading import services as reading
from tests.groups.factories import assign, make_reading, make_session


@pytest.fixture
def books(org):
    return make_reading(org)


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def test_opening_twice_keeps_the_first_time(org, books):
    section = books.sections[0]
    first = timezone.now() - timedelta(hours=2)
    reading.reading_open(member=org.member_a, section=section, at=first)
    reading.reading_open(member=org.member_a, section=section)
    progress = ReadingProgress.objects.get(member=org.member_a, section=section)
    assert progress.opened_at == first
    assert progress.read_at is None


def test_marking_read_keeps_the_first_mark(org, books):
    section = books.sections[0]
    reading.reading_open(member=org.member_a, section=section)
    first = reading.reading_mark_read(member=org.member_a, section=section).read_at
    again = reading.reading_mark_read(
        member=org.member_a, section=section, at=timezone.now() + timedelta(days=1)
    )
    assert again.read_at == first
    assert ReadingProgress.objects.filter(member=org.member_a).count() == 1


def test_marking_read_without_opening_records_both(org, books):
    progress = reading.reading_mark_read(member=org.member_a, section=books.sections[1])
    assert progress.opened_at == progress.read_at is not None


def test_progress_is_unique_per_member_and_section_and_read_after_opened(org, books):
    section = books.sections[0]
    now = timezone.now()
    ReadingProgress.objects.create(member=org.member_a, section=section, opened_at=now)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReadingProgress.objects.create(member=org.member_a, section=section, opened_at=now)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReadingProgress.objects.create(
            member=org.member_b,
            section=section,
            opened_at=now,
            read_at=now - timedelta(minutes=1),
        )


def test_a_note_is_created_edited_and_deleted(org, books):
    section = books.sections[0]
    reading.note_save(member=org.member_a, section=section, text="  坚持民主集中制。 ")
    reading.note_save(member=org.member_a, section=section, text="把党的组织路线落到实处。")
    note = StudyNote.objects.get(member=org.member_a, section=section)
    assert note.text == "把党的组织路线落到实处。"
    # Writing a note counts as having opened the section.
    assert ReadingProgress.objects.filter(member=org.member_a, section=section).exists()
    assert reading.note_save(member=org.member_a, section=section, text="  ") is None
    assert not StudyNote.objects.exists()


def test_a_note_longer_than_2000_characters_is_refused(org, books):
    with pytest.raises(ValidationError):
        reading.note_save(member=org.member_a, section=books.sections[0], text="学" * 2001)
    reading.note_save(member=org.member_a, section=books.sections[0], text="学" * 2000)
    assert StudyNote.objects.get().text == "学" * 2000


def test_home_reading_lists_each_section_once_with_its_next_session(org, books):
    # Section 1 was also assigned to a session last week: tomorrow's session is shown.
    past = make_session(
        org.branch_a, topic="上周学习", starts_at=timezone.now() - timedelta(days=7)
    )
    assign(past, books.sections[:1])
    reading.reading_mark_read(member=org.member_a, section=books.sections[0])
    items = reading_selectors.member_reading(org.member_a, now=timezone.now())
    assert [(i.section.title, i.session.topic, i.status) for i in items] == [
        ("坚持党的全面领导", "学习新时代党的组织路线", reading_selectors.READ),
        ("加强基层组织建设", "学习新时代党的组织路线", reading_selectors.UNREAD),
        ("严格党内政治生活", "党委专题党课", reading_selectors.UNREAD),
    ]


def test_cancelled_and_far_sessions_bring_no_reading(org, books):
    books.session_a.status = "cancelled"
    books.session_a.cancel_reason = "改期"
    books.session_a.save()
    later = make_session(
        org.branch_a, topic="两个月后", starts_at=timezone.now() + timedelta(days=60)
    )
    assign(later, books.sections[:1])
    items = reading_selectors.member_reading(org.member_a, now=timezone.now())
    assert [i.section.title for i in items] == ["严格党内政治生活"]


def _rows(status):
    return [(row.member.name, row.status) for row in status.rows]


def test_session_status_counts_and_names_the_expected_members(org, books):
    first, second = books.sections[:2]
    reading.reading_mark_read(member=org.member_a, section=first)
    reading.reading_open(member=org.secretary_a, section=first)
    # Someone outside the session's subtree reading it does not count.
    reading.reading_mark_read(member=org.member_b, section=first)
    statuses = reading_selectors.reading_status_for_session(books.session_a, sort="name")
    assert [s.section for s in statuses] == [first, second]
    one = statuses[0]
    assert (one.read_count, one.opened_count, one.unread_count) == (1, 1, 0)
    # Pinyin order: 李明 (li), 张伟 (zhang).
    assert _rows(one) == [("李明", "read"), ("张伟", "opened")]
    assert _rows(statuses[1]) == [("李明", "unread"), ("张伟", "unread")]


def test_session_status_sorts_by_status_and_read_time(org, books):
    section = books.sections[2]
    now = timezone.now()
    reading.reading_mark_read(member=org.secretary_b, section=section, at=now)
    reading.reading_mark_read(member=org.member_b, section=section, at=now - timedelta(hours=1))
    reading.reading_open(member=org.member_a, section=section)
    session = books.session_c
    by_status = _rows(reading_selectors.reading_status_for_session(session, sort="status")[0])
    assert by_status == [
        ("陈静", "unread"),
        ("张伟", "unread"),
        ("李明", "opened"),
        ("刘洋", "read"),
        ("王芳", "read"),
    ]
    by_time = _rows(reading_selectors.reading_status_for_session(session, sort="read_at")[0])
    assert by_time[:2] == [("王芳", "read"), ("刘洋", "read")]
    by_name_desc = _rows(reading_selectors.reading_status_for_session(session, sort="-name")[0])
    assert [name for name, _status in by_name_desc] == ["张伟", "王芳", "刘洋", "李明", "陈静"]


def test_an_unknown_sort_falls_back_to_status():
    assert reading_selectors.parse_sort("password") == ("status", False)
    assert reading_selectors.parse_sort("-read_at") == ("read_at", True)


def test_managers_see_their_members_notes_only(org, books):
    section = books.sections[0]
    reading.note_save(member=org.member_a, section=section, text="第一支部的心得")
    reading.note_save(member=org.member_b, section=section, text="第二支部的心得")

    def texts(user):
        return [n.text for n in reading_selectors.visible_notes(user, section)]

    assert texts(org.secretary_a.user) == ["第一支部的心得"]
    assert texts(org.secretary_b.user) == ["第二支部的心得"]
    assert sorted(texts(org.secretary_parent.user)) == ["第一支部的心得", "第二支部的心得"]
    assert texts(org.member_a.user) == ["第一支部的心得"]


def test_a_role_that_ended_no_longer_shows_the_notes_link(org, books, client):
    role = BranchRole.objects.get(member=org.secretary_a)
    role.ended_on = timezone.localdate()
    role.save()
    panel = reading_selectors.section_progress(org.secretary_a.user, books.sections[0])
    assert panel.member == org.secretary_a
    assert not panel.may_read_notes
    client.force_login(org.secretary_a.user)
    url = reverse("groups:reading-section-notes", args=[books.sections[0].pk])
    assert client.get(url).status_code == 404
