"""Every reading URL × the seven personas; what each may see and change."""

from __future__ import annotations

import pytest
from django.urls import reverse

from groups.models import ReadingProgress, StudyNote
from tests.groups.factories import PERSONAS, make_reading

# The session is 第一党支部's; the section is one of its reading. Members act only for
# themselves, so any member may mark a section read or write a note (302 back); a login
# without a member profile has nobody to act for (404). A session's read status is for
# those who manage its branch: 403 to its own members, 404 to anyone it is hidden from.
EXPECTED = {
    "mark-read": [302, 302, 302, 302, 302, 302, 404],
    "note-save": [302, 302, 302, 302, 302, 302, 404],
    "section-notes": [302, 404, 404, 200, 200, 200, 200],
    "session-reading": [302, 403, 404, 200, 404, 200, 200],
    "session-remind": [302, 403, 404, 302, 404, 302, 302],
}


def request_for(name: str, books) -> tuple[str, str, dict]:
    section = books.sections[0].pk
    session = books.session_a.pk
    return {
        "mark-read": ("post", reverse("groups:reading-mark-read", args=[section]), {}),
        "note-save": (
            "post",
            reverse("groups:reading-note-save", args=[section]),
            {"text": "心得"},
        ),
        "section-notes": ("get", reverse("groups:reading-section-notes", args=[section]), {}),
        "session-reading": ("get", reverse("groups:session-reading", args=[session]), {}),
        "session-remind": (
            "post",
            reverse("groups:session-reading-remind", args=[session]),
            {},
        ),
    }[name]


@pytest.mark.parametrize("url_name", list(EXPECTED))
@pytest.mark.parametrize("index,persona_name", list(enumerate(PERSONAS)))
def test_permission_matrix(org, login, url_name, index, persona_name):
    books = make_reading(org)
    method, url, data = request_for(url_name, books)
    response = getattr(login(persona_name), method)(url, data)
    assert response.status_code == EXPECTED[url_name][index], (persona_name, url_name)
    if persona_name == "anonymous":
        assert response["Location"].startswith(reverse("login"))


def test_marking_read_is_always_for_oneself(org, login):
    books = make_reading(org)
    client = login("member_b")
    url = reverse("groups:reading-mark-read", args=[books.sections[0].pk])
    # A member id smuggled into the form changes nothing: the URL takes none.
    client.post(url, {"member": org.member_a.pk})
    assert list(ReadingProgress.objects.values_list("member__name", flat=True)) == ["王芳"]
    client.post(reverse("groups:reading-note-save", args=[books.sections[0].pk]), {"text": "x"})
    assert list(StudyNote.objects.values_list("member__name", flat=True)) == ["王芳"]


def test_mark_read_only_accepts_post(org, login):
    books = make_reading(org)
    url = reverse("groups:reading-mark-read", args=[books.sections[0].pk])
    assert login("member_a").get(url).status_code == 405


def test_missing_section_or_session_is_404(org, login):
    client = login("secretary_parent")
    assert client.post(reverse("groups:reading-mark-read", args=[999999])).status_code == 404
    assert client.get(reverse("groups:session-reading", args=[999999])).status_code == 404


def test_an_offsite_next_is_ignored(org, login):
    books = make_reading(org)
    url = reverse("groups:reading-mark-read", args=[books.sections[0].pk])
    response = login("member_a").post(url, {"next": "https://evil.example/"})
    assert response["Location"] == books.sections[0].get_absolute_url()


@pytest.mark.parametrize("target", ["abc", "党" * 50, "99999999999999999999"])
def test_a_next_that_is_no_path_goes_back_to_the_section(org, login, target):
    books = make_reading(org)
    url = reverse("groups:reading-mark-read", args=[books.sections[0].pk])
    response = login("member_a").post(url, {"next": target})
    assert response.status_code == 302
    assert response["Location"] == books.sections[0].get_absolute_url()


def test_a_next_on_this_site_is_followed(org, login):
    books = make_reading(org)
    url = reverse("groups:reading-mark-read", args=[books.sections[0].pk])
    response = login("member_a").post(url, {"next": "/groups/sessions/?when=past"})
    assert response["Location"] == "/groups/sessions/?when=past"
