"""Builders for reading tests: a lecture, sessions with assigned sections, a large organisation."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.utils import timezone

from groups.attendance import attendance_snapshot
from groups.models import (
    Branch,
    BranchKind,
    Member,
    MemberCategory,
    ReadingAssignment,
    ReadingProgress,
    SessionKind,
    StudySession,
)
from lessons.models import Section
from tests.groups.factories_sessions import kind, local, make_session
from tests.lessons.factories import lecture_from_texts

if TYPE_CHECKING:
    from tests.groups.conftest import Org

SECTION_TITLES = ["坚持党的全面领导", "加强基层组织建设", "严格党内政治生活"]


@dataclass
class Reading:
    sections: list[Section]
    # 第一党支部's 集中学习 tomorrow: sections 1 and 2.
    session_a: StudySession
    # 第二党支部's session: member_a is not expected.
    session_b: StudySession
    # The 党委's 党课 in ten days: the whole subtree is expected; section 3.
    session_c: StudySession


def assign(session: StudySession, sections: list[Section]) -> StudySession:
    """Assign sections to a session as its reading, in order."""
    ReadingAssignment.objects.bulk_create(
        ReadingAssignment(session=session, section=section, position=index)
        for index, section in enumerate(sections)
    )
    return session


def make_reading(org: Org) -> Reading:
    """Store a three-section lecture and three sessions of the org fixture with reading."""
    lecture = lecture_from_texts(
        [(title, [f"{title}的正文。"]) for title in SECTION_TITLES], title="新时代党的组织路线"
    )
    sections = list(lecture.sections.order_by("position"))
    today = timezone.localdate()
    return Reading(
        sections=sections,
        session_a=assign(make_session(org.branch_a, topic="学习新时代党的组织路线"), sections[:2]),
        session_b=assign(make_session(org.branch_b, topic="第二支部学习会"), sections[1:2]),
        session_c=assign(
            make_session(
                org.committee,
                SessionKind.LECTURE,
                topic="党委专题党课",
                starts_at=local(today + timedelta(days=10)),
            ),
            sections[2:],
        ),
    )


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"


def grow(org: Org, reading: Reading, *, branches: int = 20, members: int = 600) -> None:
    """Add 20 branches with 600 members, a year of weekly sessions each, and their reading.

    A third of the members land in 第一党支部's 党小组 so that its sessions expect hundreds;
    every session gets two sections and about half the members have read them.
    """
    rng = random.Random(7)
    targets: list[Branch] = []
    for index in range(branches):
        fields = {
            "name": f"生成党支部{index}",
            "code": f"gen{index}",
            "kind": BranchKind.objects.get(code=BranchKind.BRANCH),
        }
        targets.append(Branch.objects.add_child(org.committee, fields))
    users = get_user_model().objects.bulk_create(
        get_user_model()(username=f"gen{index}", email=f"gen{index}@example.org")
        for index in range(members)
    )
    full = MemberCategory.objects.get(code=MemberCategory.FULL)
    people = Member.objects.bulk_create(
        Member(
            name=rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
            branch=targets[index % branches] if index % 3 else org.group_a,
            category=full,
            user=user,
        )
        for index, user in enumerate(users)
    )
    study = kind(SessionKind.STUDY)
    start = local(timezone.localdate() - timedelta(days=182))
    sessions = StudySession.objects.bulk_create(
        StudySession(
            branch=branch,
            kind=study,
            topic=f"{branch.name}第{week}周集中学习",
            starts_at=start + timedelta(weeks=week),
            ends_at=start + timedelta(weeks=week, minutes=90),
        )
        for branch in [*targets, org.branch_a]
        for week in range(52)
    )
    ReadingAssignment.objects.bulk_create(
        ReadingAssignment(session=session, section=section, position=position)
        for session in sessions
        for position, section in enumerate(rng.sample(reading.sections, 2))
    )
    now = timezone.now()
    ReadingProgress.objects.bulk_create(
        ReadingProgress(
            member=person,
            section=section,
            opened_at=now - timedelta(days=2),
            read_at=now - timedelta(days=1) if rng.random() < 0.5 else None,
        )
        for person in people
        for section in reading.sections
        if rng.random() < 0.7
    )
    # Bulk rows skip the services: give every session the 应到 snapshot they would have made.
    attendance_snapshot(sessions=StudySession.objects.select_related("kind", "branch"))
