"""Who each kind of session expects (应到): one rule, read from the session or the member."""

from __future__ import annotations

import pytest
from django.utils import translation

from groups.attendance.expected import members_to_expect, sessions_expecting
from groups.attendance.headcounts import session_headcounts
from groups.models import BranchRole, Member, MemberCategory, SessionKind, StudySession
from tests.groups.factories import add_member, make_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def everyone(org):
    """Add one member of each other category to 第一党小组 (李明 and 张伟 are 正式党员)."""
    add_member("赵预备", org.group_a, category=MemberCategory.PROBATIONARY)
    add_member("钱积极", org.group_a, category=MemberCategory.ACTIVIST)
    add_member("孙群众", org.group_a, category=MemberCategory.NON_MEMBER)
    return org


def expected(session: StudySession) -> set[str]:
    return set(session.attendance.values_list("member__name", flat=True))


PARTY = {"李明", "张伟", "赵预备"}


@pytest.mark.parametrize(
    ("kind", "names"),
    [
        (SessionKind.GENERAL_MEETING, PARTY),
        (SessionKind.THEMED_DAY, PARTY),
        (SessionKind.ORGANISATIONAL_LIFE, PARTY),
        (SessionKind.LECTURE, PARTY | {"钱积极"}),
        (SessionKind.STUDY, PARTY | {"钱积极"}),
        (SessionKind.TRAINING, PARTY | {"钱积极", "孙群众"}),
        (SessionKind.COMMITTEE_MEETING, {"张伟"}),
    ],
)
def test_each_kind_expects_whom_its_rule_names(everyone, kind, names):
    assert expected(make_session(everyone.branch_a, kind)) == names


def test_a_general_meeting_counts_no_non_member_and_only_full_members_vote(everyone):
    meeting = make_session(everyone.branch_a, SessionKind.GENERAL_MEETING)
    counts = session_headcounts(meeting)
    assert counts.expected == 3  # 孙群众 and 钱积极 are not 应到
    assert counts.quorum.entitled == 2  # 预备党员 have no vote


def test_the_kind_says_whom_it_expects(db):
    kinds = {k.code: k for k in SessionKind.objects.prefetch_related("expected_categories")}
    with translation.override("zh-hans"):
        assert kinds[SessionKind.GENERAL_MEETING].expected_label == "正式党员、预备党员"
        assert kinds[SessionKind.COMMITTEE_MEETING].expected_label == "支部委员会成员"
        assert kinds[SessionKind.TRAINING].expected_label == "全体人员"


def test_the_rule_reads_the_same_from_the_session_and_from_the_member(everyone):
    """For every kind at every level, a member is expected iff the session expects them."""
    sessions = [
        make_session(branch, kind.code)
        for branch in (everyone.committee, everyone.branch_a, everyone.group_a, everyone.branch_b)
        for kind in SessionKind.objects.all()
    ]
    sessions = StudySession.objects.filter(pk__in=[s.pk for s in sessions]).select_related(
        "branch", "kind"
    )
    members = list(Member.objects.select_related("branch"))
    for session in sessions.prefetch_related("kind__expected_categories"):
        by_rule = set(members_to_expect(session).values_list("pk", flat=True))
        from_members = {m.pk for m in members if sessions_expecting(m).filter(pk=session.pk)}
        assert by_rule == from_members, (session.branch.name, session.kind.code)
        assert by_rule == set(session.attendance.values_list("member_id", flat=True))


def test_sessions_of_the_own_branch_and_its_ancestors_expect_a_member(org):
    own = make_session(org.branch_a, topic="本支部学习")
    above = make_session(org.committee, SessionKind.LECTURE, topic="党委专题党课")
    make_session(org.branch_b, topic="别的支部")
    assert set(sessions_expecting(org.member_a)) == {own, above}


def test_a_committee_meeting_expects_only_the_committee(org):
    meeting = make_session(org.branch_a, SessionKind.COMMITTEE_MEETING, topic="支委会")
    assert meeting not in sessions_expecting(org.member_a)
    assert meeting in sessions_expecting(org.secretary_a)
    assert meeting not in sessions_expecting(org.secretary_parent)
    assert BranchRole.objects.filter(member=org.secretary_a).exists()


def test_changing_an_upcoming_sessions_kind_retakes_whom_it_expects(everyone):
    from groups.sessions.services import session_update

    session = make_session(everyone.branch_a, SessionKind.TRAINING)
    assert "孙群众" in expected(session)
    session_update(session=session, kind=SessionKind.objects.get(code=SessionKind.GENERAL_MEETING))
    assert expected(session) == PARTY
