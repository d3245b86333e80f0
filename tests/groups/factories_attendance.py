"""Builders for attendance tests and `make bench`: a large branch with one session."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser

from groups.models import Attendance, BranchKind, BranchRole, Member, MemberCategory, StudySession
from tests.groups.factories_sessions import make_branch, make_member, make_session

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
    session = make_session(branch, "themed_day")
    session.attendance.filter(member__name__endswith="7").update(
        status=Attendance.Status.ABSENT, note="未请假"
    )
    return session, secretary.user
