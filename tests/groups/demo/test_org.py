"""The demo organisation: realistic, idempotent, with the four persona logins."""

from __future__ import annotations

from groups.demo.org import build_demo_organisation
from groups.models import Branch, BranchRole, Member, MembershipPeriod
from groups.permissions import can_manage_branch, managed_branches, member_branches


def test_demo_builds_once_and_again_without_duplicates(db):
    users = build_demo_organisation(password="demo-pass-1")
    counts = (Branch.objects.count(), Member.objects.count(), BranchRole.objects.count())
    assert counts[0] == 9 and 55 <= counts[1] <= 65
    users = build_demo_organisation(password="demo-pass-2")
    assert (Branch.objects.count(), Member.objects.count(), BranchRole.objects.count()) == counts
    assert MembershipPeriod.objects.count() == counts[1]
    assert set(users) == {"staff", "secretary", "member", "outsider"}
    assert all(user.check_password("demo-pass-2") for user in users.values())


def test_demo_personas_have_the_promised_scope(db):
    users = build_demo_organisation(password="pw")
    first = Branch.objects.get(code="demo-b1")
    second = Branch.objects.get(code="demo-b2")
    assert users["staff"].is_staff
    assert can_manage_branch(users["secretary"], first)
    assert not can_manage_branch(users["secretary"], second)
    assert not managed_branches(users["member"]).exists()
    assert not managed_branches(users["outsider"]).exists()
    assert first in member_branches(users["member"])
    assert second in member_branches(users["outsider"])
    assert first not in member_branches(users["outsider"])
    assert Member.objects.filter(branch__path__startswith=second.path).count() > 5
