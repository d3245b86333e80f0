"""A hand-built attendance record whose every report figure is worked out below.

On the conftest `org` (县直机关党委 → 第一党支部 (a) / 第二党支部 (b), each with a 第一党小组):

    第一党支部 (a)   张伟 (secretary_a)
      第一党小组     李明 (member_a), 孙丽 (moves to b's group before March), 赵强 (预备党员,
                     joins after the January sessions)
    第二党支部 (b)   刘洋 (secretary_b)
      第一党小组     王芳 (member_b), then 孙丽

Sessions (2025, all past) and statuses — P present, L late, E excused, A absent, · none:

    branch a   S1 01-10 集中学习  李明 P  张伟 P  孙丽 A (补学 confirmed)
               S2 01-24 主题党日  李明 L  张伟 E (补学 submitted only)  孙丽 A
               S3 02-14 集中学习  李明 P  张伟 P  孙丽 A  赵强 P
               S4 02-28 集中学习  CANCELLED (李明 A, 张伟 A recorded before: never counted)
               S5 03-14 主题党日  李明 A  张伟 P  赵强 E
               S6 03-28 集中学习  李明 P  张伟 P  赵强 ·
    branch b   T1 03-05 集中学习  王芳 A  刘洋 P  孙丽 A
               T2 03-12 集中学习  王芳 E  刘洋 P  孙丽 ·
               T3 03-20 集中学习  王芳 A  刘洋 P  孙丽 A

Follow-up with N=3: 孙丽 (S3 A, T1 A, T3 A: the unrecorded T2 neither breaks nor counts);
王芳 is absent-excused-absent, so not listed; 李明's lone absence neither.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db import connection
from django.utils import timezone

from groups import services
from groups.attendance import attendance_snapshot
from groups.models import Attendance, Branch, MakeUpStudy, MemberCategory, StudySession
from tests.groups.conftest import Org, add_member
from tests.groups.factories_sessions import grow_organisation, local, make_session

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


def grow_record(root: Branch, *, branches: int = 20, members: int = 600) -> list[Branch]:
    """Grow a year of sessions under root (grow_organisation) with attendance taken.

    The 应到 snapshot of every session, then statuses set in bulk on sessions that have
    started, by the member's number: …3 absent (and their 主题党日 made up), …5 excused,
    …9 late, the others present. So the follow-up list, the 补 marks and every column of
    the reports have something to show at scale.
    """
    added = grow_organisation(root, branches=branches, members=members)
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
    return added
