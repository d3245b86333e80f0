"""Organisation fixtures: a 党委 with two sibling 党支部, each with a 党小组, and personas.

    县直机关党委 (c)             secretary_parent
    ├── 第一党支部 (a)           secretary_a
    │   └── 第一党小组 (a1)      member_a
    └── 第二党支部 (b)           secretary_b
        └── 第一党小组 (b1)      member_b (the outsider)

Both groups are named 第一党小组 on purpose: names repeat across branches, codes do not.
"""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from groups.models import BranchKind, BranchRole
from tests.groups.factories import Org, add_branch, add_member


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
