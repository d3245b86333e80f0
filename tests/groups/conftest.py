"""Organisation fixtures: a 党委 with two sibling 党支部, each with a 党小组, and personas.

    县直机关党委 (c)             secretary_parent
    ├── 第一党支部 (a)           secretary_a
    │   └── 第一党小组 (a1)      member_a
    └── 第二党支部 (b)           secretary_b
        └── 第一党小组 (b1)      member_b (the outsider)

Both groups are named 第一党小组 on purpose: names repeat across branches, codes do not.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from groups import services
from groups.models import Branch, BranchKind, BranchRole, Member, MemberCategory

PERSONAS = [
    "anonymous",
    "member_a",
    "member_b",
    "secretary_a",
    "secretary_b",
    "secretary_parent",
    "staff",
]


def add_branch(name: str, code: str, kind: str, parent: Branch | None = None) -> Branch:
    """Create a branch under parent, or a root."""
    fields: dict[str, Any] = {
        "name": name,
        "code": code,
        "kind": BranchKind.objects.get(code=kind),
    }
    if parent is None:
        return Branch.objects.add_root(fields)
    return Branch.objects.add_child(parent, fields)


def add_member(
    name: str,
    branch: Branch,
    *,
    username: str = "",
    category: str = MemberCategory.FULL,
    role: str = "",
    **fields: Any,
) -> Member:
    """Create a member through the service (login with password pw-<username>), with a role."""
    member = services.member_create(
        name=name,
        branch=branch,
        category=MemberCategory.objects.get(code=category),
        username=username,
        started_on=datetime.date(2020, 1, 1),
        **fields,
    )
    if username:
        member.user.set_password("pw-" + username)
        member.user.save()
    if role:
        services.role_assign(
            member=member, branch=branch, role=role, started_on=datetime.date(2020, 1, 1)
        )
    return member


@dataclass
class Org:
    committee: Branch
    branch_a: Branch
    group_a: Branch
    branch_b: Branch
    group_b: Branch
    member_a: Member
    member_b: Member
    secretary_a: Member
    secretary_b: Member
    secretary_parent: Member


@pytest.fixture
def org(db) -> Org:
    committee = add_branch("县直机关党委", "c", BranchKind.COMMITTEE)
    branch_a = add_branch("第一党支部", "a", BranchKind.BRANCH, committee)
    branch_b = add_branch("第二党支部", "b", BranchKind.BRANCH, committee)
    group_a = add_branch("第一党小组", "a1", BranchKind.GROUP, branch_a)
    group_b = add_branch("第一党小组", "b1", BranchKind.GROUP, branch_b)
    secretary = BranchRole.Role.SECRETARY
    return Org(
        committee=committee,
        branch_a=branch_a,
        group_a=group_a,
        branch_b=branch_b,
        group_b=group_b,
        member_a=add_member(
            "李明", group_a, username="member_a", phone="13800000001", gender="male"
        ),
        member_b=add_member("王芳", group_b, username="member_b", phone="13800000002"),
        secretary_a=add_member("张伟", branch_a, username="secretary_a", role=secretary),
        secretary_b=add_member("刘洋", branch_b, username="secretary_b", role=secretary),
        secretary_parent=add_member("陈静", committee, username="secretary_parent", role=secretary),
    )


@pytest.fixture
def persona(org: Org, staff):
    """Return a function giving the user behind a persona name (None for anonymous)."""

    def get(name: str):
        if name == "anonymous":
            return None
        if name == "staff":
            return staff
        return getattr(org, name).user

    return get


@pytest.fixture
def login(client, persona):
    """Return a function that logs the client in as a persona and returns the client."""

    def as_persona(name: str):
        user = persona(name)
        if user is not None:
            client.force_login(user)
        return client

    return as_persona


@pytest.fixture
def plain_user(db):
    """A login with no member profile and no role."""
    return get_user_model().objects.create_user(username="plain", password="pw-plain")
