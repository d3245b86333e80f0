"""A realistic demo organisation: a 党委, four 党支部, 党小组 under two of them, ~60 members."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, Group
from django.db import transaction

from groups.models import Branch, BranchKind, BranchRole, Member, MemberCategory
from groups.org import services
from groups.permissions import ORGANISATION_DEPARTMENT

D = datetime.date
# Everyone joined their current branch at the start of the 2023 autumn term.
ROSTER_START = D(2023, 9, 1)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文斌晓燕慧鹏飞宇"

# (code, name, kind, parent code)
BRANCHES = [
    ("demo-committee", "县直机关党委", BranchKind.COMMITTEE, None),
    ("demo-b1", "第一党支部", BranchKind.BRANCH, "demo-committee"),
    ("demo-b1-g1", "第一党小组", BranchKind.GROUP, "demo-b1"),
    ("demo-b1-g2", "第二党小组", BranchKind.GROUP, "demo-b1"),
    ("demo-b2", "第二党支部", BranchKind.BRANCH, "demo-committee"),
    ("demo-b2-g1", "第一党小组", BranchKind.GROUP, "demo-b2"),
    ("demo-b2-g2", "第二党小组", BranchKind.GROUP, "demo-b2"),
    ("demo-b3", "第三党支部", BranchKind.BRANCH, "demo-committee"),
    ("demo-b4", "第四党支部", BranchKind.BRANCH, "demo-committee"),
]
# Where the 60 generated members go, in turn (groups hold most of a grouped branch).
MEMBER_BRANCHES = [
    "demo-b1-g1",
    "demo-b1-g2",
    "demo-b1",
    "demo-b2-g1",
    "demo-b2-g2",
    "demo-b2",
    "demo-b3",
    "demo-b4",
    "demo-b3",
    "demo-b4",
]
PERSONAS = ("member", "outsider", "secretary")
BRANCH_ROLES = [BranchRole.Role.SECRETARY, BranchRole.Role.ORGANISATION, BranchRole.Role.PUBLICITY]


@dataclass
class _Person:
    username: str
    name: str
    branch_code: str
    gender: str
    birth_date: D
    phone: str
    category: str
    joined_party_on: D | None
    full_member_on: D | None


def _people(count: int) -> list[_Person]:
    """Return the same generated people on every run (seeded), with plausible dates."""
    rng = random.Random(2020)
    used: set[str] = set()
    people = []
    for index in range(count):
        name = ""
        while not name or name in used:
            name = rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, rng.choice([1, 2])))
        used.add(name)
        birth = D(rng.randint(1966, 2001), rng.randint(1, 12), rng.randint(1, 28))
        roll = rng.random()
        category = (
            MemberCategory.FULL
            if roll < 0.8
            else MemberCategory.PROBATIONARY
            if roll < 0.88
            else MemberCategory.ACTIVIST
            if roll < 0.96
            else MemberCategory.NON_MEMBER
        )
        joined = full = None
        if category == MemberCategory.FULL:
            joined = D(min(birth.year + rng.randint(20, 32), 2022), rng.randint(1, 12), 1)
            full = D(joined.year + 1, joined.month, 1)
        elif category == MemberCategory.PROBATIONARY:
            joined = D(2025, rng.randint(1, 6), 1)
        people.append(
            _Person(
                username=f"demo{index + 1:02d}",
                name=name,
                branch_code=MEMBER_BRANCHES[index % len(MEMBER_BRANCHES)],
                gender=rng.choice([Member.Gender.MALE, Member.Gender.FEMALE]),
                birth_date=birth,
                phone=f"139{20260000 + index:08d}",
                category=category,
                joined_party_on=joined,
                full_member_on=full,
            )
        )
    return people


def _branch(code: str, name: str, kind: str, parent: Branch | None) -> Branch:
    existing = Branch.objects.filter(code=code).first()
    if existing is not None:
        return existing
    fields = {"code": code, "name": name, "kind": BranchKind.objects.get(code=kind)}
    if parent is None:
        return Branch.objects.add_root(fields)
    return Branch.objects.add_child(parent, fields)


def _member(person: _Person, branches: dict[str, Branch]) -> Member:
    existing = Member.objects.filter(user__username=person.username).first()
    if existing is not None:
        return existing
    return services.member_create(
        name=person.name,
        username=person.username,
        branch=branches[person.branch_code],
        category=MemberCategory.objects.get(code=person.category),
        gender=person.gender,
        birth_date=person.birth_date,
        phone=person.phone,
        joined_party_on=person.joined_party_on,
        full_member_on=person.full_member_on,
        started_on=ROSTER_START,
    )


@transaction.atomic
def build_demo_organisation(*, password: str) -> dict[str, AbstractUser]:
    """Create (or find) the demo organisation and return its persona logins by username.

    Personas: ``staff`` (组织部), ``secretary`` (书记 of 第一党支部), ``member`` (a member
    of 第一党支部's 第一党小组) and ``outsider`` (a member of 第二党支部); all get password.
    """
    branches: dict[str, Branch] = {}
    for code, name, kind, parent_code in BRANCHES:
        branches[code] = _branch(code, name, kind, branches.get(parent_code or ""))

    people = _people(56)
    # The personas are people too: the first of 第一党小组 and 第二党支部, plus a 书记.
    people[0].username, people[3].username = "member", "outsider"
    people[2].username = "secretary"  # generated into 第一党支部 itself
    people[2].category, people[2].joined_party_on = MemberCategory.FULL, D(2005, 7, 1)
    people[2].full_member_on = D(2006, 7, 1)
    members = {person.username: _member(person, branches) for person in people}

    # Roles: each 党支部 gets a committee from its own members, each 党小组 a leader, and the
    # 党委 a 书记 and 副书记 from its branches' members.
    # Personas keep exactly the roles their names promise (member and outsider hold none).
    by_branch: dict[str, list[Member]] = {}
    for username, member in members.items():
        if username not in PERSONAS:
            by_branch.setdefault(member.branch.code, []).append(member)
    assignments: list[tuple[Member, str, str]] = [
        (members["secretary"], "demo-b1", BranchRole.Role.SECRETARY)
    ]
    for code in ("demo-b2", "demo-b3", "demo-b4"):
        staffable = by_branch.get(code, [])
        assignments += [(m, code, r) for m, r in zip(staffable, BRANCH_ROLES, strict=False)]
    assignments += [
        (m, "demo-b1", r)
        for m, r in zip(by_branch.get("demo-b1", []), BRANCH_ROLES[1:], strict=False)
    ]
    for code in ("demo-b1-g1", "demo-b1-g2", "demo-b2-g1", "demo-b2-g2"):
        if by_branch.get(code):
            assignments.append((by_branch[code][0], code, BranchRole.Role.GROUP_LEADER))
    committee_members = by_branch.get("demo-b3", [])[3:5]
    assignments += [
        (m, "demo-committee", r)
        for m, r in zip(
            committee_members, [BranchRole.Role.SECRETARY, BranchRole.Role.DEPUTY], strict=False
        )
    ]
    for member, code, role in assignments:
        services.role_assign(
            member=member, branch=branches[code], role=role, started_on=ROSTER_START
        )

    user_model = get_user_model()
    staff, _created = user_model.objects.get_or_create(
        username="staff", defaults={"first_name": "组织部", "is_staff": True}
    )
    # The 组织部 role (migration 0013) is what lets staff into the admin's pages.
    staff.groups.add(Group.objects.get(name=ORGANISATION_DEPARTMENT))
    personas = {
        "staff": staff,
        "secretary": members["secretary"].user,
        "member": members["member"].user,
        "outsider": members["outsider"].user,
    }
    for user in personas.values():
        user.set_password(password)
        user.is_active = True
        user.save()
    return personas
