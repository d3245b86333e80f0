"""Operations that change the organisation: members, transfers, roles, roster imports.

Scheduling lives in ``groups.sessions.services``; forms never write, views call these.
"""

from __future__ import annotations

import datetime
import uuid
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from groups.attendance.services import attendance_refresh_member
from groups.models import Branch, BranchRole, Member, MemberCategory, MembershipPeriod
from groups.models.org import local_today, normalise_phone

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser

    from groups.org.roster import RosterPlan


def _new_username(phone: str) -> str:
    user_model = get_user_model()
    if phone and not user_model.objects.filter(username=phone).exists():
        return phone
    return f"m{uuid.uuid4().hex[:10]}"


@transaction.atomic
def member_create(
    *,
    name: str,
    branch: Branch,
    category: MemberCategory,
    user: AbstractUser | None = None,
    username: str = "",
    gender: str = "",
    birth_date: datetime.date | None = None,
    phone: str = "",
    joined_party_on: datetime.date | None = None,
    full_member_on: datetime.date | None = None,
    started_on: datetime.date | None = None,
) -> Member:
    """Create a member in a branch with a login (no password yet) and an open period."""
    phone = normalise_phone(phone)
    if user is None:
        # An unusable password: the member signs in once staff set one or send a reset.
        user = get_user_model().objects.create_user(
            username=username or _new_username(phone), first_name=name[:150]
        )
    member = Member(
        user=user,
        name=name,
        branch=branch,
        category=category,
        gender=gender,
        birth_date=birth_date,
        phone=phone,
        joined_party_on=joined_party_on,
        full_member_on=full_member_on,
    )
    member.full_clean()
    member.save()
    MembershipPeriod.objects.create(
        member=member, branch=branch, started_on=started_on or local_today()
    )
    attendance_refresh_member(member=member)
    return member


def _open_period(member: Member) -> MembershipPeriod | None:
    return member.periods.select_for_update().filter(ended_on__isnull=True).first()


@transaction.atomic
def member_transfer(
    *, member: Member, branch: Branch, on: datetime.date | None = None
) -> MembershipPeriod:
    """Move a member to another branch from a date, closing the old period so history stays."""
    on = on or local_today()
    if not member.is_active:
        raise ValidationError(_("Only an active member can be transferred."))
    if member.branch_id == branch.pk:
        raise ValidationError(_("The member is already in this branch."))
    current = _open_period(member)
    if current is not None:
        if on < current.started_on:
            raise ValidationError(_("A transfer cannot date from before the current period."))
        current.ended_on = on
        current.save(update_fields=["ended_on"])
    # Roles in branches the member leaves (not above the new branch) end with the move.
    for role in member.roles.filter(ended_on__isnull=True).select_related("branch"):
        if not branch.is_in_subtree_of(role.branch):
            role_end(role=role, on=max(on, role.started_on))
    member.branch = branch
    member.save(update_fields=["branch", "updated_at"])
    period = MembershipPeriod.objects.create(member=member, branch=branch, started_on=on)
    attendance_refresh_member(member=member)
    return period


@transaction.atomic
def member_deactivate(*, member: Member, status: str, on: datetime.date | None = None) -> Member:
    """Mark a member transferred out, suspended or deceased; never delete their history."""
    on = on or local_today()
    if status == Member.Status.ACTIVE or status not in Member.Status.values:
        raise ValidationError(_("Choose a status other than active."))
    current = _open_period(member)
    if current is not None:
        current.ended_on = max(on, current.started_on)
        current.save(update_fields=["ended_on"])
    for role in member.roles.filter(ended_on__isnull=True):
        role_end(role=role, on=max(on, role.started_on))
    member.status = status
    member.save(update_fields=["status", "updated_at"])
    if member.user is not None and member.user.is_active:
        member.user.is_active = False
        member.user.save(update_fields=["is_active"])
    attendance_refresh_member(member=member)
    return member


@transaction.atomic
def role_assign(
    *, member: Member, branch: Branch, role: str, started_on: datetime.date | None = None
) -> BranchRole:
    """Give a member a role in a branch; a new 书记 ends the previous one's term."""
    started_on = started_on or local_today()
    if not member.is_active:
        raise ValidationError(_("Only an active member can hold a role."))
    if role not in BranchRole.Role.values:
        raise ValidationError(_("Unknown role."))
    if not member.branch.is_in_subtree_of(branch):
        raise ValidationError(_("A role is held in the member's own branch or one above it."))
    existing = BranchRole.objects.filter(
        member=member, branch=branch, role=role, ended_on__isnull=True
    ).first()
    if existing is not None:
        return existing
    if role == BranchRole.Role.SECRETARY:
        for previous in BranchRole.objects.select_for_update().filter(
            branch=branch, role=role, ended_on__isnull=True
        ):
            role_end(role=previous, on=max(started_on, previous.started_on))
    created = BranchRole.objects.create(
        member=member, branch=branch, role=role, started_on=started_on
    )
    attendance_refresh_member(member=member)  # a new committee member joins future 支委会
    return created


@transaction.atomic
def role_end(*, role: BranchRole, on: datetime.date | None = None) -> BranchRole:
    """End a role's term from a date (the holder no longer manages the branch from then)."""
    on = on or local_today()
    if on < role.started_on:
        raise ValidationError(_("A role cannot end before it started."))
    role.ended_on = on
    role.save(update_fields=["ended_on"])
    attendance_refresh_member(member=role.member)
    return role


@transaction.atomic
def roster_import(
    *, data: bytes, filename: str = "", root: Branch | None = None, dry_run: bool = False
) -> RosterPlan:
    """Validate a roster file and, if every row is valid and not a dry run, apply it.

    All or nothing: a plan with any error saves nothing. Rows update the member they match
    (see ``groups.org.roster``) and create the rest; a changed branch is a dated transfer.
    """
    from groups.org.roster import parse_roster, validate_roster

    plan = validate_roster(parse_roster(data, filename=filename), root=root)
    if dry_run or not plan.is_valid:
        return plan
    today = local_today()
    for row in plan.rows:
        if row.action == row.CREATE:
            row.member = member_create(
                name=row.name, branch=row.branch, category=row.category, **row.fields
            )
        elif row.action == row.UPDATE:
            member = row.member
            for field, value in row.fields.items():
                setattr(member, field, value)
            member.category = row.category
            member.full_clean(exclude=["branch", "user"])
            member.save()
            if row.branch.pk != member.branch_id:
                member_transfer(member=member, branch=row.branch, on=today)
    return plan
