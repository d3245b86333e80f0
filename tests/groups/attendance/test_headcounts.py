"""Headcounts and quorum on a hand-built branch: 8 full members and 2 probationary members."""

from __future__ import annotations

import pytest
from django.urls import reverse

from groups.attendance.headcounts import session_headcounts
from groups.attendance.services import attendance_record
from groups.models import BranchRole, MemberCategory, SessionKind
from tests.groups.factories import A, E, L, P, make_branch, make_member, started_session

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    # The new strings have no Chinese yet; assert the English ones.
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def branch():
    """A 党支部 of 8 full members (the first two on its committee, with a third) + 2 预备党员."""
    branch = make_branch("测试党支部")
    roles = [BranchRole.Role.SECRETARY, BranchRole.Role.ORGANISATION, BranchRole.Role.PUBLICITY]
    for n in range(8):
        make_member(
            f"正式{n + 1}",
            branch,
            role=roles[n] if n < 3 else None,
            username="secretary-x" if n == 0 else None,
        )
    for n in range(2):
        make_member(f"预备{n + 1}", branch, category=MemberCategory.PROBATIONARY)
    return branch


def mark(session, statuses: dict[str, str]) -> None:
    for row in session.attendance.select_related("member"):
        if row.member.name in statuses:
            attendance_record(attendance=row, status=statuses[row.member.name], by=None)


def general_meeting(branch, full_present: int, late: int = 0):
    """Return a 支部党员大会 where both 预备党员 came and full_present (+late) full members."""
    session = started_session(branch, SessionKind.GENERAL_MEETING)
    statuses = {"预备1": P, "预备2": P, "正式8": E}
    for n in range(full_present):
        statuses[f"正式{n + 1}"] = P
    for n in range(full_present, full_present + late):
        statuses[f"正式{n + 1}"] = L
    for n in range(full_present + late, 7):
        statuses[f"正式{n + 1}"] = A
    mark(session, statuses)
    return session


def test_headcounts_of_a_general_meeting_with_quorum(branch):
    counts = session_headcounts(general_meeting(branch, full_present=4, late=1))
    assert (counts.expected, counts.attended, counts.present, counts.late) == (10, 7, 6, 1)
    assert (counts.excused, counts.absent, counts.not_recorded) == (1, 2, 0)
    assert (counts.quorum.entitled, counts.quorum.present) == (8, 5)
    assert counts.quorum.voting
    assert counts.quorum.reached


def test_probationary_members_do_not_make_a_quorum(branch):
    # 4 of 8 full members is not more than half, though 6 of the 10 expected came.
    counts = session_headcounts(general_meeting(branch, full_present=4))
    assert counts.attended == 6
    assert (counts.quorum.entitled, counts.quorum.present, counts.quorum.needed) == (8, 4, 5)
    assert not counts.quorum.reached


def test_a_committee_meeting_counts_its_committee(branch):
    session = started_session(branch, SessionKind.COMMITTEE_MEETING)
    mark(session, {"正式1": P, "正式2": A})
    counts = session_headcounts(session)
    assert (counts.expected, counts.not_recorded) == (3, 1)
    assert (counts.quorum.entitled, counts.quorum.present, counts.quorum.voting) == (3, 1, False)
    assert not counts.quorum.reached
    mark(session, {"正式3": L})
    assert session_headcounts(session).quorum.reached


def test_other_kinds_have_no_quorum(branch):
    session = started_session(branch, SessionKind.THEMED_DAY)
    counts = session_headcounts(session)
    assert (counts.expected, counts.not_recorded, counts.quorum) == (10, 10, None)


def test_the_session_page_shows_headcounts_and_quorum(client, branch):
    session = general_meeting(branch, full_present=5)
    client.force_login(branch.members.get(name="正式1").user)
    page = client.get(reverse("groups:session-detail", args=[session.pk])).content.decode()
    assert 'data-count="expected">10<' in page
    assert 'data-count="attended">7<' in page
    assert 'data-count="excused">1<' in page
    assert 'data-count="absent">2<' in page
    assert 'data-quorum="reached"' in page
    assert "Full members present 5/8, more than half." in page
    assert reverse("groups:attendance-take", args=[session.pk]) in page


def test_the_session_page_says_when_quorum_is_not_reached(client, branch):
    session = general_meeting(branch, full_present=4)
    client.force_login(branch.members.get(name="正式1").user)
    page = client.get(reverse("groups:session-detail", args=[session.pk])).content.decode()
    assert 'data-quorum="not-reached"' in page
    assert "Full members present 4/8, not more than half (at least 5 needed)." in page
