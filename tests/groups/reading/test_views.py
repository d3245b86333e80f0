"""Reading pages: the panel under a section, the managers' read status, their reminder."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from groups.models import ReadingProgress, ReminderLog
from groups.reading import reminders
from groups.reading import services as reading
from tests.groups.factories import grow, make_reading


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def books(org):
    return make_reading(org)


def test_opening_a_section_records_it_and_offers_the_read_button(org, books, login):
    client = login("member_a")
    section = books.sections[0]
    page = client.get(section.get_absolute_url()).content.decode()
    progress = ReadingProgress.objects.get(member=org.member_a, section=section)
    assert progress.read_at is None
    assert "I have read it" in page
    assert "First opened on" in page

    response = client.post(
        reverse("groups:reading-mark-read", args=[section.pk]),
        {"next": section.get_absolute_url()},
        follow=True,
    )
    page = response.content.decode()
    assert "Marked “一、坚持党的全面领导” as read." in page
    assert "Read on" in page
    assert "I have read it" not in page
    progress.refresh_from_db()
    assert progress.read_at is not None


def test_study_note_is_saved_and_shown_to_its_writer(org, books, login):
    client = login("member_a")
    section = books.sections[0]
    url = reverse("groups:reading-note-save", args=[section.pk])
    response = client.post(url, {"text": "要把组织路线落到实处。"})
    assert response["Location"] == section.get_absolute_url() + "#study-note"
    page = client.get(section.get_absolute_url()).content.decode()
    assert "要把组织路线落到实处。" in page
    assert "Saved your study note." in page


def test_a_too_long_note_is_refused_with_a_message(org, books, login):
    client = login("member_a")
    section = books.sections[0]
    url = reverse("groups:reading-note-save", args=[section.pk])
    page = client.post(url, {"text": "学" * 2001}, follow=True).content.decode()
    assert "at most 2000 characters" in page
    assert not org.member_a.study_notes.exists()


def test_other_members_never_see_a_note(org, books, login):
    section = books.sections[0]
    reading.note_save(member=org.member_a, section=section, text="只给支部书记看的心得")
    page = login("member_b").get(section.get_absolute_url()).content.decode()
    assert "只给支部书记看的心得" not in page
    assert "Study notes on this section by the members you manage" not in page


def test_managers_read_their_members_notes(org, books, login):
    section = books.sections[0]
    reading.note_save(member=org.member_a, section=section, text="第一支部的心得")
    client = login("secretary_a")
    page = client.get(section.get_absolute_url()).content.decode()
    notes_url = reverse("groups:reading-section-notes", args=[section.pk])
    assert f'href="{notes_url}"' in page
    page = client.get(notes_url).content.decode()
    assert "李明" in page and "第一支部的心得" in page
    page = login("secretary_b").get(notes_url).content.decode()
    assert "第一支部的心得" not in page
    assert "No study notes yet." in page


def status_rows(page: str) -> list[tuple[str, str]]:
    """Return (name, status) for the rows of the first section's table."""
    first = page.split('data-section="')[1]
    return re.findall(r'<tr data-status="(\w+)">\s*<td>([^<]+)</td>', first)


def test_session_read_status_counts_and_names(org, books, login):
    first = books.sections[0]
    reading.reading_mark_read(member=org.member_a, section=first)
    reading.note_save(member=org.member_a, section=first, text="学有所得")
    url = reverse("groups:session-reading", args=[books.session_a.pk])
    page = login("secretary_a").get(url).content.decode()
    assert "Who has read the assigned sections" in page
    assert "Read: 1" in page and "Opened: 0" in page and "Unread: 1" in page
    assert "of 2 expected members" in page
    assert status_rows(page) == [("unread", "张伟"), ("read", "李明")]
    assert "学有所得" in page
    page = login("secretary_a").get(url + "?sort=-status").content.decode()
    assert status_rows(page) == [("read", "李明"), ("unread", "张伟")]
    page = login("secretary_a").get(url + "?sort=name").content.decode()
    assert status_rows(page) == [("read", "李明"), ("unread", "张伟")]
    # The active sort's link reverses it.
    assert 'href="?sort=-name#reading-status"' in page


def test_the_session_page_shows_the_status_to_managers_only(org, books, login):
    url = books.session_a.get_absolute_url()
    page = login("member_a").get(url).content.decode()
    assert "Who has read the assigned sections" not in page
    page = login("secretary_parent").get(url).content.decode()
    assert "Who has read the assigned sections" in page


def test_reminder_emails_the_unread_once_a_day(org, books, login):
    for member in (org.member_a, org.secretary_a):
        member.user.email = f"{member.user.username}@example.org"
        member.user.save()
    reading.reading_mark_read(member=org.secretary_a, section=books.sections[0])
    reading.reading_mark_read(member=org.secretary_a, section=books.sections[1])
    client = login("secretary_a")
    url = reverse("groups:session-reading-remind", args=[books.session_a.pk])
    page = client.post(url, follow=True).content.decode()
    assert "Sent 1 reminder(s); 0 already reminded today" in page
    assert [m.to for m in mail.outbox] == [["member_a@example.org"]]
    body = mail.outbox[0].body
    assert "李明" in body and "一、坚持党的全面领导" in body and "二、加强基层组织建设" in body
    assert "http://testserver" + books.sections[0].get_absolute_url() in body
    page = client.post(url, follow=True).content.decode()
    assert "Sent 0 reminder(s); 1 already reminded today" in page
    assert len(mail.outbox) == 1
    assert ReminderLog.objects.filter(kind=ReminderLog.Kind.UNREAD).count() == 1


# Session + user (2), the session with its page's relations (1) and assignments (1),
# may-manage check (1), then the tag: may-manage (1), assigned sections (1), expected
# members (1), their progress (1), their notes (1).
SESSION_READING_QUERIES = 10


@pytest.mark.parametrize("size", ["small", "large"])
def test_session_read_status_queries_do_not_grow(
    org, books, login, size, django_assert_max_num_queries
):
    if size == "large":
        grow(org, books)
    client = login("secretary_parent")
    url = reverse("groups:session-reading", args=[books.session_a.pk])
    with django_assert_max_num_queries(SESSION_READING_QUERIES):
        page = client.get(url + "?sort=read_at").content.decode()
    expected = 2 if size == "small" else 202
    assert f"of {expected} expected members" in page
    # The session page shows the first members of each section: its size stays put.
    with django_assert_max_num_queries(12):
        session_page = client.get(books.session_a.get_absolute_url()).content
    assert len(session_page) < 120_000


# The lessons section page once its text is cached (4: session, user, section, the cached
# text) plus the panel: the reader's member row with progress and note (1), and the first
# time the insert (1).
SECTION_PAGE_WITH_PANEL = 6


def test_the_panel_costs_a_fixed_number_of_queries(
    org, books, login, django_assert_max_num_queries
):
    url = books.sections[0].get_absolute_url()
    login("member_b").get(url)  # works out and caches the section's text
    client = login("member_a")
    with django_assert_max_num_queries(SECTION_PAGE_WITH_PANEL):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(SECTION_PAGE_WITH_PANEL - 1):
        assert client.get(url).status_code == 200


def test_the_email_reads_well(org, books):
    org.member_a.user.email = "member_a@example.org"
    org.member_a.user.save()
    reminders.reminders_send_unread(session=books.session_a, base_url="https://s.example")
    message = mail.outbox[0]
    assert (
        message.subject
        == "[StudyHub] Please read before Concentrated study：学习新时代党的组织路线"
    )
    starts = timezone.localtime(books.session_a.starts_at).strftime("%Y-%m-%d %H:%M")
    assert f"Time: {starts}–" in message.body
    assert "Branch: 第一党支部" in message.body
    assert "https://s.example" + books.sections[1].get_absolute_url() in message.body
    # Only this session's reading.
    assert "严格党内政治生活" not in message.body


def rows_per_section(page: str) -> list[list[tuple[str, str]]]:
    """Return each section table's (status, name) rows."""
    return [
        re.findall(r'<tr data-status="(\w+)">\s*<td>([^<]+)</td>', chunk)
        for chunk in page.split('data-section="')[1:]
    ]


def test_the_session_page_shows_the_first_members_and_the_reading_page_all_by_pages(
    org, books, login
):
    grow(org, books)  # 202 members expected at session a
    client = login("secretary_parent")
    session_page = client.get(books.session_a.get_absolute_url()).content.decode()
    assert [len(rows) for rows in rows_per_section(session_page)] == [20, 20]
    assert "of 202 expected members" in session_page
    full_url = reverse("groups:session-reading", args=[books.session_a.pk])
    assert f'href="{full_url}?sort=status&amp;"' in session_page
    assert "See all 202 members" in session_page
    # Who is expected: the count, the first 60 names and where to find them all.
    assert "Expected: 202 members" in session_page and "Showing the first 60." in session_page
    sheet = reverse("groups:attendance-signin-sheet", args=[books.session_a.pk])
    assert f'href="{sheet}"' in session_page

    pages = [client.get(full_url, {"sort": "name", "page": n}).content.decode() for n in (1, 2, 3)]
    assert [[len(rows) for rows in rows_per_section(p)] for p in pages] == [
        [100, 100],
        [100, 100],
        [2, 2],
    ]
    assert 'href="?sort=name&amp;page=2#reading-status"' in pages[0]
    assert "Page 3 of 3" in pages[2]
    # Every member once over the pages.
    first_section = [row for p in pages for row in rows_per_section(p)[0]]
    assert len(first_section) == 202
