"""The bench's generated 党委, shared by `make bench` and `make loadtest` (issue 12).

A 党委 of `branches` 党支部 and `members` members with three years of weekly sessions held
(the 应到 snapshot of each, attendance taken: present, late, excused or absent by the member's
number, absent 主题党日 made up) and half a year ahead; three sections of reading on the
党委's last session held (its whole subtree expected) and on the reader's next session, half
of the expected members having read them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

WEEKS_BACK = 3 * 52


@dataclass
class Committee:
    root: Any  # the 党委 (Branch)
    branches: list  # its 党支部
    secretary: Any  # the 党委 书记's user
    reader: Any  # a plain member of the first 党支部 (Member), who has read nothing
    session: Any  # the 党委's last session held, everyone expected, reading assigned
    section: Any  # one of that reading's sections


def grow_committee(name: str, *, branches: int, members: int) -> Committee:
    from django.utils import timezone

    from groups.models import BranchKind, BranchRole, StudySession
    from tests.groups.factories import (
        grow_organisation,
        make_branch,
        make_member,
        record_attendance,
    )

    root = make_branch(name, BranchKind.COMMITTEE)
    added = grow_organisation(root, branches=branches, members=members, weeks_back=WEEKS_BACK)
    secretary = make_member(
        f"{name}书记", root, username=f"{root.code}-secretary", role=BranchRole.Role.SECRETARY
    )
    reader = make_member(f"{name}党员", added[0], username=f"{root.code}-member")
    record_attendance(root)
    now = timezone.now()
    session = StudySession.objects.filter(branch=root, starts_at__lt=now).latest("starts_at")
    upcoming = StudySession.objects.filter(branch=added[0], starts_at__gt=now)
    sections = assign_reading([session, upcoming.earliest("starts_at")], reader)
    return Committee(root, added, secretary.user, reader, session, sections[0])


def assign_reading(sessions: list, reader) -> list:
    """Give the sessions (their 应到 taken) three sections of reading each, half of the
    expected members having read them (not the reader); return the sections."""
    from django.utils import timezone

    from groups.models import Attendance, ReadingAssignment, ReadingProgress
    from tests.lessons.factories import make_lecture

    sections = list(make_lecture(sections=20, terms=60).sections.order_by("position")[:3])
    now = timezone.now()
    for session in sessions:
        ReadingAssignment.objects.bulk_create(
            ReadingAssignment(session=session, section=section, position=n)
            for n, section in enumerate(sections)
        )
        expected = Attendance.objects.filter(session=session).values_list("member_id", flat=True)
        ReadingProgress.objects.bulk_create(
            [
                ReadingProgress(member_id=member_id, section=section, opened_at=now, read_at=now)
                for member_id in list(expected)[::2]
                for section in sections
                if member_id != reader.pk
            ],
            ignore_conflicts=True,  # members expected at both sessions
        )
    return sections
