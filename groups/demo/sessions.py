"""A semester of demo sessions for the demo organisation (run after build_demo_organisation)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

from django.db import transaction
from django.utils import timezone

from groups.models import (
    Branch,
    BranchRole,
    Member,
    ReadingAssignment,
    ReadingProgress,
    Series,
    SessionKind,
    StudySession,
)
from groups.sessions import services as scheduling
from groups.sessions.selectors import expected_members
from lessons.models import Lecture, Section


@dataclass(frozen=True)
class _Plan:
    branch_code: str
    kind_code: str
    topic: str
    rule: str
    start: time
    minutes: int
    location: str


COMMITTEE = "demo-committee"
BRANCH_CODES = ("demo-b1", "demo-b2", "demo-b3", "demo-b4")
PLANS = [
    _Plan(
        COMMITTEE,
        SessionKind.STUDY,
        "每周二集中学习",
        "FREQ=WEEKLY;BYDAY=TU",
        time(14, 30),
        90,
        "机关三楼会议室",
    ),
    _Plan(
        COMMITTEE,
        SessionKind.LECTURE,
        "贯彻新时代党的组织路线",
        "FREQ=MONTHLY;INTERVAL=3;BYDAY=2TH",
        time(9, 0),
        120,
        "县委党校报告厅",
    ),
    *(
        plan
        for code in BRANCH_CODES
        for plan in (
            _Plan(
                code,
                SessionKind.COMMITTEE_MEETING,
                "研究部署本月工作",
                "FREQ=MONTHLY;BYDAY=1MO",
                time(9, 0),
                60,
                "支部办公室",
            ),
            _Plan(
                code,
                SessionKind.GENERAL_MEETING,
                "讨论发展党员和民主评议党员",
                "FREQ=MONTHLY;INTERVAL=3;BYDAY=1WE",
                time(15, 0),
                120,
                "党员活动室",
            ),
            _Plan(
                code,
                SessionKind.THEMED_DAY,
                "党群主题活动日",
                "FREQ=MONTHLY;BYDAY=-1FR",
                time(15, 0),
                120,
                "党员活动室",
            ),
        )
    ),
]


def _semester(today: date) -> tuple[date, date]:
    """Return a semester around today: about three months back and three months ahead."""
    start = today - timedelta(days=91)
    return start - timedelta(days=start.weekday()), today + timedelta(days=91)


def _readings() -> list[Section]:
    """Return the demo lecture's sections to assign in turn (none without a lecture)."""
    lecture = Lecture.objects.current().first()
    if lecture is None:
        return []
    sections = list(lecture.sections.filter(level__lte=2).order_by("position"))
    return sections or list(lecture.sections.order_by("position"))


@transaction.atomic
def build_demo_sessions() -> int:
    """Create the demo series (idempotent) and return how many sessions were added.

    Weekly 集中学习 on Tuesdays 14:30–16:00 and a quarterly 党课 for the 党委; a monthly
    支委会 and 主题党日 and a quarterly 支部党员大会 for every 党支部. Each session gets one
    section of the current lecture as reading, in turn; past sessions are marked held.
    """
    branches = {b.code: b for b in Branch.objects.filter(code__in=[COMMITTEE, *BRANCH_CODES])}
    if len(branches) < 1 + len(BRANCH_CODES):
        raise RuntimeError("Build the demo organisation first (groups.demo.org).")
    kinds = {k.code: k for k in SessionKind.objects.all()}
    secretaries = {
        role.branch_id: role.member
        for role in BranchRole.objects.active()
        .filter(branch__in=branches.values(), role=BranchRole.Role.SECRETARY)
        .select_related("member")
    }
    first, last = _semester(timezone.localdate())
    sections = _readings()
    added = 0
    for plan in PLANS:
        branch, kind = branches[plan.branch_code], kinds[plan.kind_code]
        if Series.objects.filter(branch=branch, kind=kind, topic=plan.topic).exists():
            continue
        host: Member | None = secretaries.get(branch.pk)
        series = scheduling.series_schedule(
            user=None,
            branch=branch,
            kind=kind,
            topic=plan.topic,
            rule=plan.rule,
            first_day=first,
            until=last,
            start_time=plan.start,
            duration=timedelta(minutes=plan.minutes),
            location=plan.location,
            host=host,
            agenda="1. 领学指定篇目\n2. 交流发言\n3. 书记小结",
        )
        sessions = list(series.sessions.order_by("starts_at"))
        if sections:
            ReadingAssignment.objects.bulk_create(
                ReadingAssignment(session=session, section=sections[i % len(sections)])
                for i, session in enumerate(sessions)
            )
        added += len(sessions)
    StudySession.objects.filter(
        branch__in=branches.values(),
        status=StudySession.Status.SCHEDULED,
        ends_at__lt=timezone.now(),
    ).update(status=StudySession.Status.HELD)
    if added:
        _demo_reading()
    return added


def _demo_reading() -> None:
    """Let most members have read what past sessions assigned, so reports have something."""
    rows: dict[tuple[int, int], ReadingProgress] = {}
    held = StudySession.objects.filter(
        status=StudySession.Status.HELD, assignments__isnull=False
    ).select_related("kind", "branch")
    for session in held.distinct():
        section_ids = session.assignments.values_list("section_id", flat=True)
        for member_id in expected_members(session).values_list("pk", flat=True):
            for section_id in section_ids:
                # A fixed three in four have read it, a few more only opened it.
                share = (member_id * 7 + section_id * 3) % 8
                if share == 7 or (member_id, section_id) in rows:
                    continue
                read_at = None if share == 6 else session.starts_at - timedelta(days=1)
                rows[member_id, section_id] = ReadingProgress(
                    member_id=member_id,
                    section_id=section_id,
                    opened_at=session.starts_at - timedelta(days=2),
                    read_at=read_at,
                )
    ReadingProgress.objects.bulk_create(rows.values(), ignore_conflicts=True)
