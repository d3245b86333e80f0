"""A semester of demo attendance on the demo's held sessions (run after build_demo_sessions).

Mostly present, some late, a few on approved leave and a few absent, chosen by a stable
hash of member and session so every run on the same data gives the same record; 补学 for
those who missed a session, some confirmed, some still pending; and one member of 第一党支部
absent from their last three sessions, so the follow-up list has someone to show.
"""

from __future__ import annotations

import zlib
from datetime import timedelta

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from groups.demo.sessions import BRANCH_CODES, COMMITTEE
from groups.models import (
    Attendance,
    BranchRole,
    LeaveRequest,
    MakeUpStudy,
    Member,
    StudySession,
)

Status = Attendance.Status
LEAVE_REASONS = ["出差在外", "病假", "参加县委党校培训", "家中老人住院", "单位值班", "外出学习"]
LATE_NOTES = ["", "", "路上堵车", "处理紧急工作"]
MAKEUP_NOTES = [
    "补学了本次指定篇目和会议记录，进一步理解了新时代党的组织路线的核心要义。",
    "通过补学，认识到要把党的组织路线落实到支部日常工作中，发挥党员先锋模范作用。",
    "认真阅读了会议记录，结合本职工作谈了体会，今后按时参加组织生活。",
]
# The demo member (of 第一党支部's 第二党小组) absent from their last three sessions.
ABSENTEE_BRANCH = "demo-b1-g2"
ABSENT_IN_A_ROW = 3


def _roll(row: Attendance) -> int:
    """Return a number 0–99 fixed by the member and the session, the same on every run."""
    key = f"{row.member.name}|{row.session.starts_at:%Y%m%d%H%M}|{row.session.kind_id}"
    return zlib.crc32(key.encode()) % 100


def _status(roll: int) -> str:
    if roll < 5:
        return Status.ABSENT
    if roll < 12:
        return Status.EXCUSED
    if roll < 20:
        return Status.LATE
    return Status.PRESENT


def demo_absentee() -> Member | None:
    """Return a member of 第一党支部's 第二党小组 with no post and no demo login persona."""
    holders = BranchRole.objects.values("member_id")
    return (
        Member.objects.active()
        .filter(branch__code=ABSENTEE_BRANCH)
        .exclude(pk__in=holders)
        .exclude(user__username__in=["member", "outsider", "secretary"])
        .order_by("pk")
        .first()
    )


def _recorders() -> dict[int, AbstractBaseUser | None]:
    """Return who records attendance per branch: its 书记."""
    return {
        role.branch_id: role.member.user
        for role in BranchRole.objects.active()
        .filter(role=BranchRole.Role.SECRETARY)
        .select_related("member__user")
    }


@transaction.atomic
def build_demo_attendance() -> int:
    """Take the attendance of the demo's held sessions not yet taken; return rows recorded."""
    held = StudySession.objects.filter(
        branch__code__in=[COMMITTEE, *BRANCH_CODES], status=StudySession.Status.HELD
    )
    rows = list(
        Attendance.objects.filter(session__in=held, status="")
        .select_related("session", "member")
        .order_by("session__starts_at", "pk")
    )
    if not rows:
        return 0
    recorders = _recorders()
    absentee = demo_absentee()
    theirs = [row.pk for row in rows if absentee is not None and row.member_id == absentee.pk]
    last_three = set(theirs[-ABSENT_IN_A_ROW:])
    leave: list[LeaveRequest] = []
    makeups: list[MakeUpStudy] = []
    for row in rows:
        session, roll = row.session, _roll(row)
        by = recorders.get(session.branch_id)
        row.status = _status(roll)
        if absentee is not None and row.member_id == absentee.pk:
            # Absent exactly their last three times, so the streak shown is that one.
            if row.pk in last_three:
                row.status = Status.ABSENT
            elif row.status == Status.ABSENT:
                row.status = Status.PRESENT
        row.updated_by, row.updated_at = by, session.ends_at
        row._history_user, row._history_date = by, session.ends_at
        if row.status == Status.PRESENT:
            if roll % 2:  # half checked in themselves; the secretary marked the rest
                row.checked_in_at = session.starts_at - timedelta(minutes=roll % 15)
        elif row.status == Status.LATE:
            row.checked_in_at = session.starts_at + timedelta(minutes=5 + roll % 20)
            row.note = LATE_NOTES[roll % len(LATE_NOTES)]
        elif row.status == Status.EXCUSED:
            reason = LEAVE_REASONS[roll % len(LEAVE_REASONS)]
            row.note = reason
            leave.append(
                LeaveRequest(
                    session=session,
                    member=row.member,
                    reason=reason,
                    status=LeaveRequest.Status.APPROVED,
                    created_at=session.starts_at - timedelta(days=2),
                    decided_by=by,
                    decided_at=session.starts_at - timedelta(days=1),
                )
            )
        elif row.pk not in last_three:
            row.note = "未请假"
        if row.status in Attendance.MISSED:
            makeups.append(_makeup(row, roll, by, pending=row.pk in last_three))
    bulk_update_with_history(
        rows, Attendance, ["status", "note", "checked_in_at", "updated_by", "updated_at"]
    )
    LeaveRequest.objects.bulk_create(leave, ignore_conflicts=True)
    MakeUpStudy.objects.bulk_create(makeups, ignore_conflicts=True)
    return len(rows)


def _makeup(
    row: Attendance, roll: int, by: AbstractBaseUser | None, *, pending: bool
) -> MakeUpStudy:
    """Return the 补学 of a missed session: most confirmed, some written but not yet confirmed."""
    makeup = MakeUpStudy(attendance=row)
    submitted_at = row.session.ends_at + timedelta(days=3)
    if pending or roll % 3 == 0 or submitted_at > timezone.now():
        return makeup  # not done yet
    makeup.note = MAKEUP_NOTES[roll % len(MAKEUP_NOTES)]
    makeup.submitted_at = submitted_at
    if roll % 3 == 1 and submitted_at + timedelta(days=2) < timezone.now():
        makeup.confirmed_by = by
        makeup.confirmed_at = row.session.ends_at + timedelta(days=5)
    return makeup
