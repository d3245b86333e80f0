"""The session's reading tables cut in the database agree with every member's rows sorted here."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from groups.models import Member, ReadingProgress, StudyNote
from groups.reading import selectors as reading_selectors
from tests.groups.factories import assign, big_session
from tests.lessons.factories import make_lecture

pytestmark = pytest.mark.django_db


@pytest.fixture
def session():
    """A session of 230 expected members, three sections: read at different times, opened,
    unread; some names alike (pinyin ties broken by the member), some notes."""
    session, _ = big_session(230)
    sections = list(make_lecture(sections=3, terms=3).sections.order_by("position"))
    assign(session, sections)
    members = list(Member.objects.filter(attendance__session=session).order_by("pk"))
    for member in members[::7]:
        Member.objects.filter(pk=member.pk).update(name="王芳", sort_name="wang fang")
    now = timezone.now()
    for n, member in enumerate(members):
        for s, section in enumerate(sections):
            state = (n + s) % 4
            if state == 0:
                continue  # unread
            ReadingProgress.objects.create(
                member=member,
                section=section,
                opened_at=now - timedelta(days=3),
                read_at=now - timedelta(minutes=n % 50) if state > 1 else None,
            )
            if state == 3 and n % 5 == 0:
                StudyNote.objects.create(member=member, section=section, text=f"心得{n}")
    return session


def rows(shown) -> list[tuple]:
    return [
        (r.member.pk, r.member.name, r.member.branch.name, r.status, r.read_at, r.note)
        for r in shown
    ]


@pytest.mark.parametrize("sort", ["name", "-name", "status", "-status", "read_at", "-read_at"])
def test_each_page_and_the_preview_are_those_of_the_whole_list(session, sort):
    everyone = reading_selectors.reading_status_for_session(session, sort=sort)
    preview = reading_selectors.reading_status(session, sort=sort, preview=True)
    assert (preview.members, preview.more) == (230, 230 - reading_selectors.READING_PREVIEW_ROWS)
    for page in (1, 2, 3):
        paged = reading_selectors.reading_status(session, sort=sort, page=page)
        assert paged.page.paginator.num_pages == 3
        start = (page - 1) * reading_selectors.READING_PAGE_ROWS
        for full, cut in zip(everyone, paged.statuses, strict=True):
            assert cut.section == full.section
            assert rows(cut.shown) == rows(
                full.rows[start : start + reading_selectors.READING_PAGE_ROWS]
            )
    for full, cut in zip(everyone, preview.statuses, strict=True):
        assert rows(cut.shown) == rows(full.rows[: reading_selectors.READING_PREVIEW_ROWS])
        assert (cut.read_count, cut.opened_count, cut.unread_count, cut.members) == (
            full.read_count,
            full.opened_count,
            full.unread_count,
            230,
        )
        assert cut.unread_count > 0 and cut.opened_count > 0 and cut.read_count > 0


def test_three_queries_for_any_number_expected(session, django_assert_num_queries):
    with django_assert_num_queries(4):  # the assigned sections, counts, the page, its members
        reading_selectors.reading_status(session, preview=True)
