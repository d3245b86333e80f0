"""Who a session expects (its 应到): one rule, read from either side.

A session expects the active members of its branch's subtree whose category its kind
admits (``SessionKind.expected_categories``: 党员大会 expects 正式 and 预备党员, none ticked
means everyone), or, for a kind held by the committee (支委会), the members holding a
committee role in the branch. ``members_to_expect`` reads the rule for a session (the
snapshot taken at scheduling); ``sessions_expecting`` reads it for a member (their own lists).
The attendance services keep the snapshot of sessions not yet held in step with both.
"""

from __future__ import annotations

from django.db.models import Q

from groups.models import Branch, BranchRole, Member, StudySession
from groups.models.org import MemberQuerySet
from groups.models.sessions import StudySessionQuerySet


def committee_members(branch: Branch) -> MemberQuerySet:
    """Return the active members holding a committee role (支委) in the branch today."""
    roles = BranchRole.objects.active().filter(
        branch=branch, role__in=BranchRole.COMMITTEE_ROLES, member__status=Member.Status.ACTIVE
    )
    return Member.objects.filter(pk__in=roles.values("member_id"))


def members_to_expect(session: StudySession) -> MemberQuerySet:
    """Return whom the roster expects at a session today (prefetch kind__expected_categories)."""
    kind = session.kind
    if kind.committee_only:
        members = committee_members(session.branch)
    else:
        members = Member.objects.active().in_subtree(session.branch)
    categories = [category.pk for category in kind.expected_categories.all()]
    return members.filter(category__in=categories) if categories else members


def sessions_expecting(member: Member) -> StudySessionQuerySet:
    """Return the sessions whose rule expects the member (the inverse of members_to_expect)."""
    if not member.is_active:
        return StudySession.objects.none()
    committee_branches = (
        BranchRole.objects.active()
        .filter(member=member, role__in=BranchRole.COMMITTEE_ROLES)
        .values("branch_id")
    )
    # The member's branch and its ancestors, from the path already loaded; by id, so the
    # sessions are found through their (branch, start) index, not among every branch's.
    own_and_above = Branch.objects.filter(
        path__in=[*member.branch.ancestor_paths, member.branch.path]
    ).values("pk")
    admits_category = Q(kind__expected_categories__isnull=True) | Q(
        kind__expected_categories=member.category_id
    )
    return StudySession.objects.filter(
        Q(kind__committee_only=False, branch__in=own_and_above)
        | Q(kind__committee_only=True, branch__in=committee_branches),
        admits_category,
    )
