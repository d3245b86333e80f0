"""Operations that change the organisation: members, transfers, roles, roster imports.

Scheduling lives in ``groups.sessions.services``; forms never write, views call these.
"""

from __future__ import annotations

import datetime
import uuid
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from groups.attendance.services import attendance_refresh
from groups.models import Branch, BranchRole, Member, MemberCategory, MembershipPeriod
from groups.models.org import local_today, normalise_phone

BATCH = 1000

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser

    from groups.org.roster import RawRoster, RosterPlan


def _new_usernames(phones: list[str]) -> list[str]:
    """Return a login name for each new member: the phone when free, else a random one."""
    taken = set(
        get_user_model()
        .objects.filter(username__in=[p for p in phones if p])
        .values_list("username", flat=True)
    )
    names = []
    for phone in phones:
        if phone and phone not in taken:
            taken.add(phone)
            names.append(phone)
        else:
            names.append(f"m{uuid.uuid4().hex[:10]}")
    return names


def _members_create(members: list[Member], *, started_on: datetime.date) -> list[Member]:
    """Save new members with their open periods, and a login (no password yet) for those
    without one; the caller has validated them. Return them saved."""
    user_model = get_user_model()
    needing = [member for member in members if member.user_id is None]
    usernames = _new_usernames([member.phone for member in needing])
    # An unusable password: the member signs in once staff set one or send a reset.
    users = user_model.objects.bulk_create(
        user_model(username=username, first_name=member.name[:150], password=make_password(None))
        for member, username in zip(needing, usernames, strict=True)
    )
    for member, user in zip(needing, users, strict=True):
        member.user = user
    created = Member.objects.bulk_create(members, batch_size=BATCH)
    MembershipPeriod.objects.bulk_create(
        (MembershipPeriod(member=m, branch_id=m.branch_id, started_on=started_on) for m in created),
        batch_size=BATCH,
    )
    return created


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
    if user is None and username:
        user = get_user_model().objects.create_user(username=username, first_name=name[:150])
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
    (member,) = _members_create([member], started_on=started_on or local_today())
    attendance_refresh(members=[member])
    return member


def _members_transfer(moves: list[tuple[Member, Branch]], *, on: datetime.date) -> None:
    """Move members to other branches from a date: close their open periods and open new
    ones, and end their roles in branches they leave (not those above the new branch)."""
    moved = {member.pk: branch for member, branch in moves}
    periods = list(
        MembershipPeriod.objects.select_for_update().filter(
            member_id__in=moved, ended_on__isnull=True
        )
    )
    for period in periods:
        if on < period.started_on:
            raise ValidationError(_("A transfer cannot date from before the current period."))
        period.ended_on = on
    MembershipPeriod.objects.bulk_update(periods, ["ended_on"], batch_size=BATCH)
    roles = list(
        BranchRole.objects.filter(member_id__in=moved, ended_on__isnull=True).select_related(
            "branch"
        )
    )
    ended = []
    for role in roles:
        if not moved[role.member_id].is_in_subtree_of(role.branch):
            role.ended_on = max(on, role.started_on)
            ended.append(role)
    BranchRole.objects.bulk_update(ended, ["ended_on"], batch_size=BATCH)
    now = timezone.now()
    for member, branch in moves:
        member.branch, member.updated_at = branch, now
    Member.objects.bulk_update([m for m, _ in moves], ["branch", "updated_at"], batch_size=BATCH)
    MembershipPeriod.objects.bulk_create(
        (MembershipPeriod(member=m, branch=b, started_on=on) for m, b in moves), batch_size=BATCH
    )


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
    _members_transfer([(member, branch)], on=on)
    attendance_refresh(members=[member])
    return member.periods.get(ended_on__isnull=True)


def _open_period(member: Member) -> MembershipPeriod | None:
    return member.periods.select_for_update().filter(ended_on__isnull=True).first()


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
    attendance_refresh(members=[member])
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
    attendance_refresh(members=[member])  # a new committee member joins future 支委会
    return created


@transaction.atomic
def role_end(*, role: BranchRole, on: datetime.date | None = None) -> BranchRole:
    """End a role's term from a date (the holder no longer manages the branch from then)."""
    on = on or local_today()
    if on < role.started_on:
        raise ValidationError(_("A role cannot end before it started."))
    role.ended_on = on
    role.save(update_fields=["ended_on"])
    attendance_refresh(members=[role.member])
    return role


@transaction.atomic
def roster_import(
    *,
    data: bytes = b"",
    filename: str = "",
    raw: RawRoster | None = None,
    root: Branch | None = None,
    dry_run: bool = False,
) -> RosterPlan:
    """Validate a roster file and, if every row is valid and not a dry run, apply it.

    Give the file (data, filename), or what parse_roster already read from it (raw).

    All or nothing: a plan with any error saves nothing. Rows update the member they match
    (see ``groups.org.roster``) and create the rest; a changed branch is a dated transfer.
    Set-based, so a 党委's 5,000 rows take seconds: a few statements per kind of change,
    then one refresh of the 应到 of sessions not yet held.
    """
    from groups.org.roster import parse_roster, validate_roster

    if raw is None:
        raw = parse_roster(data, filename=filename)
    plan = validate_roster(raw, root=root)
    if dry_run or not plan.is_valid:
        return plan
    today = local_today()
    new_members = []
    for row in plan.rows:
        if row.action == row.CREATE:
            row.member = Member(
                name=row.name, branch=row.branch, category=row.category, **row.fields
            )
            row.member.phone = normalise_phone(row.member.phone)
            # The plan checked phones against each other and the database already.
            row.member.full_clean(
                exclude=["user", "branch", "category"],
                validate_unique=False,
                validate_constraints=False,
            )
            new_members.append(row.member)
    _members_create(new_members, started_on=today)

    updated, moves = [], []
    for row in plan.rows:
        if row.action != row.UPDATE:
            continue
        member = row.member
        for name, value in row.fields.items():
            setattr(member, name, value)
        member.category = row.category
        member.full_clean(
            exclude=["branch", "user", "category"],
            validate_unique=False,
            validate_constraints=False,
        )
        updated.append(member)
        if row.branch.pk != member.branch_id:
            moves.append((member, row.branch))
    if updated:
        fields = sorted({"category", "updated_at", *(f for r in plan.rows for f in r.fields)})
        now = timezone.now()
        for member in updated:
            member.updated_at = now
        Member.objects.bulk_update(updated, fields, batch_size=BATCH)
    _members_transfer(moves, on=today)
    attendance_refresh(members=[*new_members, *updated])
    return plan
