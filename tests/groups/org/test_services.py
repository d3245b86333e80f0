"""Members, transfers, deactivation and roles: history stays dated and is never deleted."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import ProtectedError

from groups.models import BranchKind, BranchRole, Member, MemberCategory, MembershipPeriod
from groups.org import services
from groups.permissions import managed_branches
from tests.groups.factories import add_member

D = datetime.date


def test_seeded_kinds_and_categories(db):
    assert list(BranchKind.objects.values_list("name", flat=True)) == [
        "党委",
        "党总支",
        "党支部",
        "党小组",
    ]
    voting = MemberCategory.objects.filter(has_vote=True)
    assert [c.name for c in voting] == ["正式党员"]
    assert MemberCategory.objects.count() == 4


def test_member_create_opens_a_period_and_a_login_without_password(org):
    member = add_member("赵磊", org.branch_a, phone="13900000009")
    assert member.user.username == "13900000009"
    assert not member.user.has_usable_password()
    (period,) = member.periods.all()
    assert (period.branch, period.started_on) == (org.branch_a, D(2020, 1, 1))
    assert period.ended_on is None


def test_transfer_closes_the_old_period_and_keeps_it_dated(org):
    member = org.member_a
    services.member_transfer(member=member, branch=org.group_b, on=D(2024, 3, 1))
    member.refresh_from_db()
    assert member.branch == org.group_b
    periods = list(member.periods.values_list("branch__code", "started_on", "ended_on"))
    assert periods == [("a1", D(2020, 1, 1), D(2024, 3, 1)), ("b1", D(2024, 3, 1), None)]


def test_transfer_ends_roles_in_the_branch_left(org):
    secretary = org.secretary_a
    services.member_transfer(member=secretary, branch=org.branch_b, on=D(2024, 3, 1))
    role = BranchRole.objects.get(member=secretary)
    assert role.ended_on == D(2024, 3, 1)
    assert not managed_branches(secretary.user).filter(pk=org.branch_a.pk).exists()


def test_transfer_refuses_a_date_before_the_current_period(org):
    with pytest.raises(ValidationError):
        services.member_transfer(member=org.member_a, branch=org.branch_b, on=D(2019, 1, 1))


def test_member_with_history_cannot_be_deleted(org):
    with pytest.raises(ProtectedError):
        org.member_a.delete()
    assert Member.objects.filter(pk=org.member_a.pk).exists()


def test_deactivate_keeps_the_record_and_closes_everything(org):
    member = services.member_deactivate(
        member=org.secretary_a, status=Member.Status.TRANSFERRED_OUT, on=D(2025, 6, 30)
    )
    member.refresh_from_db()
    assert member.status == Member.Status.TRANSFERRED_OUT
    assert not member.user.is_active
    assert member.periods.get().ended_on == D(2025, 6, 30)
    assert member.roles.get().ended_on == D(2025, 6, 30)
    assert MembershipPeriod.objects.filter(member=member).count() == 1


def test_deactivate_refuses_active_as_a_status(org):
    with pytest.raises(ValidationError):
        services.member_deactivate(member=org.member_a, status=Member.Status.ACTIVE)


def test_a_new_secretary_ends_the_previous_term(org):
    deputy = add_member("周强", org.branch_a)
    services.role_assign(
        member=deputy, branch=org.branch_a, role=BranchRole.Role.SECRETARY, started_on=D(2025, 1, 1)
    )
    terms = BranchRole.objects.filter(branch=org.branch_a, role=BranchRole.Role.SECRETARY)
    assert sorted((r.member.name, r.ended_on) for r in terms) == [
        ("周强", None),
        ("张伟", D(2025, 1, 1)),
    ]


def test_role_must_be_in_the_members_branch_or_above(org):
    with pytest.raises(ValidationError):
        services.role_assign(
            member=org.member_b, branch=org.branch_a, role=BranchRole.Role.ORGANISATION
        )


def test_role_end_revokes_management(org):
    role = org.secretary_a.roles.get()
    assert managed_branches(org.secretary_a.user).filter(pk=org.group_a.pk).exists()
    services.role_end(role=role)
    assert not managed_branches(org.secretary_a.user).exists()


def test_committee_roles_exclude_group_leader(org):
    leader = services.role_assign(
        member=org.member_a, branch=org.group_a, role=BranchRole.Role.GROUP_LEADER
    )
    assert not leader.is_committee
    assert org.secretary_a.roles.get().is_committee


def test_phone_is_unique_only_when_present(org):
    add_member("甲", org.branch_a)
    add_member("乙", org.branch_a)  # two blank phones are fine
    with pytest.raises((ValidationError, IntegrityError)):
        add_member("丙", org.branch_a, phone="13800000001")


def test_members_sort_by_the_pinyin_stored_with_their_name(org):
    """Rosters list 安然 (an) before 李明 (li) before 张小红 (zhang), whichever came first."""
    category = MemberCategory.objects.get(code=MemberCategory.FULL)
    branch = org.member_a.branch
    Member.objects.bulk_create(
        [Member(name=n, branch=branch, category=category) for n in ("张小红", "安然")]
    )
    names = list(Member.objects.filter(branch=branch).values_list("name", flat=True))
    assert names == ["安然", "李明", "张小红"]
    renamed = Member.objects.get(name="安然")
    renamed.name = "赵然"
    renamed.save(update_fields=["name"])
    assert Member.objects.get(pk=renamed.pk).sort_name == "zhao ran"
    assert list(Member.objects.filter(branch=branch).values_list("name", flat=True))[-1] == "赵然"
