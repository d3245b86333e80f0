"""Builders for the groups tests and `make bench`: the org fixture's tree, sessions, reading,
attendance, leave and minutes files, a hand-worked year of records, and organisations at scale."""

from __future__ import annotations

import itertools
import random
import struct
import zlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import connection
from django.utils import timezone

from groups.attendance.services import attendance_snapshot
from groups.leave import makeup
from groups.models import (
    Attendance,
    Branch,
    BranchKind,
    BranchRole,
    MakeUpStudy,
    Member,
    MemberCategory,
    ReadingAssignment,
    ReadingProgress,
    SessionKind,
    StudySession,
)
from groups.org import services
from lessons.models import Section
from tests.lessons.factories import lecture_from_texts

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
        started_on=date(2020, 1, 1),
        **fields,
    )
    if username:
        member.user.set_password("pw-" + username)
        member.user.save()
    if role:
        services.role_assign(member=member, branch=branch, role=role, started_on=date(2020, 1, 1))
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


_serial = itertools.count(1)


def make_branch(name: str, kind: str = BranchKind.BRANCH, parent: Branch | None = None) -> Branch:
    """Create a branch under parent (a root without one)."""
    fields = {
        "name": name,
        "code": f"sessions-{next(_serial)}",
        "kind": BranchKind.objects.get(code=kind),
    }
    if parent is None:
        return Branch.objects.add_root(fields)
    return Branch.objects.add_child(parent, fields)


def make_member(
    name: str,
    branch: Branch,
    *,
    username: str | None = None,
    role: str | None = None,
    category: str = MemberCategory.FULL,
    **extra: Any,
) -> Member:
    """Create a member (with a login when username is given), holding role in branch if given."""
    user = None
    if username:
        user = get_user_model().objects.create_user(username=username, password="pw-" + username)
    member = Member.objects.create(
        name=name,
        branch=branch,
        user=user,
        category=MemberCategory.objects.get(code=category),
        **extra,
    )
    if role:
        BranchRole.objects.create(
            member=member, branch=branch, role=role, started_on=date(2020, 1, 1)
        )
    return member


def kind(code: str) -> SessionKind:
    return SessionKind.objects.get(code=code)


def local(day: date, at: time = time(14, 30)) -> datetime:
    """Return an aware datetime for a local wall-clock time."""
    return datetime.combine(day, at, tzinfo=timezone.get_default_timezone())


def make_session(
    branch: Branch,
    kind_code: str = SessionKind.STUDY,
    *,
    starts_at: datetime | None = None,
    minutes: int = 90,
    **extra: Any,
) -> StudySession:
    """Create a session of a kind for a branch (tomorrow 14:30 local unless given).

    Like scheduling does, it snapshots the expected members (one attendance row each).
    """
    starts_at = starts_at or local(timezone.localdate() + timedelta(days=1))
    extra.setdefault("topic", "学习新时代党的组织路线")
    session = StudySession.objects.create(
        branch=branch,
        kind=kind(kind_code),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        **extra,
    )
    attendance_snapshot(sessions=[session])
    return session


def started_session(
    branch: Branch, kind_code: str = SessionKind.STUDY, **extra: Any
) -> StudySession:
    """Create a session that started half an hour ago: attendance is taken without confirming."""
    return make_session(
        branch, kind_code, starts_at=timezone.now() - timedelta(minutes=30), **extra
    )


def grow_organisation(
    root: Branch, *, branches: int = 20, members: int = 600, weeks_back: int = 26
) -> list[Branch]:
    """Add branches under root, members spread over them and weekly sessions: `weeks_back`
    weeks of them held and 26 ahead (a year by default)."""
    category = MemberCategory.objects.get(code=MemberCategory.FULL)
    study, themed = kind(SessionKind.STUDY), kind(SessionKind.THEMED_DAY)
    added = [make_branch(f"第{n + 1}党支部", parent=root) for n in range(branches)]
    Member.objects.bulk_create(
        Member(name=f"党员{i}", branch=added[i % branches], category=category)
        for i in range(members)
    )
    first = timezone.localdate() - timedelta(weeks=weeks_back)
    StudySession.objects.bulk_create(
        StudySession(
            branch=branch,
            kind=study if week % 4 else themed,
            topic=f"第{week}周学习",
            starts_at=local(first + timedelta(weeks=week)),
            ends_at=local(first + timedelta(weeks=week)) + timedelta(minutes=90),
        )
        for branch in [root, *added]
        for week in range(weeks_back + 26)
    )
    return added


# The four statuses, short: tests spell out many rows of them.
P, L, E, A = (
    Attendance.Status.PRESENT,
    Attendance.Status.LATE,
    Attendance.Status.EXCUSED,
    Attendance.Status.ABSENT,
)


def big_session(members: int, *, groups: int = 5) -> tuple[StudySession, AbstractBaseUser]:
    """Return a 主题党日 expecting `members` spread over party groups, and its 书记's login.

    Members whose name ends in 7 are already marked absent with a note, as a sheet in use is.
    """
    branch = make_branch(f"{members}人党支部")
    parts = [make_branch(f"第{n}党小组", BranchKind.GROUP, branch) for n in range(1, groups + 1)]
    secretary = make_member(
        "书记", branch, username=f"secretary-of-{branch.code}", role=BranchRole.Role.SECRETARY
    )
    category = MemberCategory.objects.get(code=MemberCategory.FULL)
    Member.objects.bulk_create(
        Member(name=f"党员{i:03d}", branch=parts[i % groups], category=category)
        for i in range(members - 1)
    )
    session = started_session(branch, "themed_day")
    session.attendance.filter(member__name__endswith="7").update(
        status=Attendance.Status.ABSENT, note="未请假"
    )
    return session, secretary.user


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


@dataclass
class Sessions:
    # 第一党支部's 集中学习 tomorrow: member_a (李明) and secretary_a (张伟) are expected.
    upcoming: StudySession
    # 第一党支部's 集中学习 a week ago, with two sections of reading, held by 张伟.
    past: StudySession


def make_sessions(org: Org) -> Sessions:
    """Create an upcoming and a past session of 第一党支部 (the past one with reading)."""
    lecture = lecture_from_texts(
        [("坚持党的全面领导", ["正文一。"]), ("加强基层组织建设", ["正文二。"])],
        title="新时代党的组织路线",
    )
    past = make_session(
        org.branch_a,
        topic="七月集中学习",
        starts_at=local(timezone.localdate() - timedelta(days=7)),
        location="三楼会议室",
        host=org.secretary_a,
        recorder=org.member_a,
    )
    assign(past, list(lecture.sections.order_by("position")))
    return Sessions(upcoming=make_session(org.branch_a, topic="八月集中学习"), past=past)


def mark(session: StudySession, member: Member, status: str, note: str = "") -> Attendance:
    """Set a member's status at a session directly (as taking attendance would)."""
    row = Attendance.objects.get(session=session, member=member)
    row.status, row.note = status, note
    row.save()
    return row


def missed(session: StudySession, member: Member, status: str = "absent") -> MakeUpStudy:
    """Mark a member absent (or excused) and return the make-up task that gives them."""
    row = mark(session, member, status)
    makeup.makeup_sync(session=session)
    return MakeUpStudy.objects.get(attendance=row)


def png_bytes(width: int = 2, height: int = 2) -> bytes:
    """Return a real, tiny grey PNG image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    raw = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def pdf_bytes() -> bytes:
    """Return a real one-page PDF document."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    body = b"%PDF-1.4\n"
    offsets = []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n%s\nendobj\n" % (number, content)
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    body += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return body


YEAR = 2025


@dataclass
class Record:
    org: Org
    sessions: dict[str, StudySession]


def _day(month: int, day: int) -> datetime:
    return local(date(YEAR, month, day), time(14, 30))


def _mark(session: StudySession, **statuses: str) -> None:
    for name, status in statuses.items():
        Attendance.objects.filter(session=session, member__name=name).update(status=status)


def build_record(org: Org) -> Record:
    """Create the members, sessions and statuses of the module docstring."""
    a, b = org.branch_a, org.branch_b
    sun = add_member("孙丽", org.group_a)
    s = {}
    s["S1"] = make_session(
        a, "study", starts_at=_day(1, 10), host=org.secretary_a, recorder=org.member_a
    )
    s["S2"] = make_session(a, "themed_day", starts_at=_day(1, 24), topic="主题党日活动")
    add_member("赵强", org.group_a, category=MemberCategory.PROBATIONARY)
    s["S3"] = make_session(a, "study", starts_at=_day(2, 14))
    s["S4"] = make_session(a, "study", starts_at=_day(2, 28))
    services.member_transfer(member=sun, branch=org.group_b, on=date(YEAR, 3, 1))
    s["S5"] = make_session(a, "themed_day", starts_at=_day(3, 14))
    s["S6"] = make_session(a, "study", starts_at=_day(3, 28), minutes=120)
    s["T1"] = make_session(b, "study", starts_at=_day(3, 5))
    s["T2"] = make_session(b, "study", starts_at=_day(3, 12))
    s["T3"] = make_session(b, "study", starts_at=_day(3, 20))

    _mark(s["S1"], 李明="present", 张伟="present", 孙丽="absent")
    _mark(s["S2"], 李明="late", 张伟="excused", 孙丽="absent")
    _mark(s["S3"], 李明="present", 张伟="present", 孙丽="absent", 赵强="present")
    _mark(s["S4"], 李明="absent", 张伟="absent")
    StudySession.objects.filter(pk=s["S4"].pk).update(
        status=StudySession.Status.CANCELLED, cancel_reason="停电"
    )
    _mark(s["S5"], 李明="absent", 张伟="present", 赵强="excused")
    _mark(s["S6"], 李明="present", 张伟="present")
    _mark(s["T1"], 王芳="absent", 刘洋="present", 孙丽="absent")
    _mark(s["T2"], 王芳="excused", 刘洋="present")
    _mark(s["T3"], 王芳="absent", 刘洋="present", 孙丽="absent")
    StudySession.objects.filter(pk__in=[x.pk for x in s.values()]).exclude(
        status=StudySession.Status.CANCELLED
    ).update(status=StudySession.Status.HELD)

    now = timezone.now()
    MakeUpStudy.objects.create(
        attendance=Attendance.objects.get(session=s["S1"], member=sun),
        note="补学心得",
        submitted_at=now,
        confirmed_at=now,
        confirmed_by=org.secretary_a.user,
    )
    MakeUpStudy.objects.create(
        attendance=Attendance.objects.get(session=s["S2"], member=org.secretary_a),
        note="补学心得",
        submitted_at=now,
    )
    return Record(org=org, sessions=s)


def grow_record(
    root: Branch, *, branches: int = 20, members: int = 600, weeks_back: int = 26
) -> list[Branch]:
    """Grow sessions under root (grow_organisation) with attendance taken.

    The 应到 snapshot of every session, then statuses set in bulk on sessions that have
    started, by the member's number: …3 absent (and their 主题党日 made up), …5 excused,
    …9 late, the others present. So the follow-up list, the 补 marks and every column of
    the reports have something to show at scale.
    """
    added = grow_organisation(root, branches=branches, members=members, weeks_back=weeks_back)
    record_attendance(root)
    return added


def record_attendance(root: Branch) -> None:
    """Take the 应到 snapshot and the attendance of the sessions under root (grow_record)."""
    grown = StudySession.objects.filter(branch__path__startswith=root.path, attendance__isnull=True)
    attendance_snapshot(sessions=grown.distinct().select_related("kind", "branch"))
    past = Attendance.objects.filter(
        session__branch__path__startswith=root.path, session__starts_at__lt=timezone.now()
    )
    past.update(status=Attendance.Status.PRESENT)
    for ending, status in [("3", "absent"), ("5", "excused"), ("9", "late")]:
        past.filter(member__name__endswith=ending).update(status=status)
    made_up = past.filter(
        member__name__endswith="3", session__kind__code="themed_day", makeup__isnull=True
    )
    now = timezone.now()
    MakeUpStudy.objects.bulk_create(
        MakeUpStudy(attendance_id=pk, note="补学", submitted_at=now, confirmed_at=now)
        for pk in made_up.values_list("pk", flat=True)
    )
    if connection.vendor == "postgresql":
        # Autovacuum would analyse the bulk-loaded tables in a while; without statistics
        # the planner takes them for empty and nests loops over 60,000 rows.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
