from __future__ import annotations

import pytest

from groups.models import Branch, BranchKind, Member
from groups.org.selectors import branches_with_member_counts
from tests.groups.factories import make_branch, make_member

pytestmark = pytest.mark.django_db


def test_member_counts_cover_each_branch_and_its_subtree(org):
    group = make_branch("第一党小组", BranchKind.GROUP, org.branch_a)
    make_member("组员甲", group)
    make_member("组员乙", group)
    Member.objects.filter(pk=make_member("已转出", group).pk).update(
        status=Member.Status.TRANSFERRED_OUT
    )
    branches = branches_with_member_counts(list(Branch.objects.all()))
    for branch in branches:
        active = Member.objects.filter(status=Member.Status.ACTIVE)
        assert branch.member_count == active.filter(branch=branch).count(), branch.name
        assert (
            branch.subtree_member_count
            == active.filter(branch__path__startswith=branch.path).count()
        ), branch.name
    by_name = {b.pk: b for b in branches}
    assert by_name[group.pk].subtree_member_count == 2  # not the one transferred out
    assert (
        by_name[org.committee.pk].subtree_member_count >= 2 + by_name[org.branch_a.pk].member_count
    )


def test_counts_of_a_part_of_the_tree_ignore_the_rest(org):
    make_member("别处党员", org.branch_b)
    (branch_a,) = branches_with_member_counts([Branch.objects.get(pk=org.branch_a.pk)])
    assert branch_a.subtree_member_count == Member.objects.active().in_subtree(org.branch_a).count()
    assert branches_with_member_counts([]) == []
