"""The groups app's models, one module per concern; import them from here."""

from groups.models.attendance import (
    Attendance,
    LeaveRequest,
    MakeUpStudy,
    Minutes,
    MinutesAttachment,
)
from groups.models.audit import PersonalDataExport
from groups.models.org import (
    Branch,
    BranchKind,
    BranchRole,
    Member,
    MemberCategory,
    MemberInvitation,
    MembershipPeriod,
)
from groups.models.reading import ReadingProgress, ReminderLog, StudyNote
from groups.models.sessions import (
    BranchExemption,
    CalendarToken,
    KindRule,
    PublicHoliday,
    ReadingAssignment,
    Series,
    SessionKind,
    StudySession,
)

__all__ = [
    "Attendance",
    "LeaveRequest",
    "MakeUpStudy",
    "Minutes",
    "MinutesAttachment",
    "Branch",
    "BranchKind",
    "BranchRole",
    "Member",
    "MemberCategory",
    "MemberInvitation",
    "MembershipPeriod",
    "PersonalDataExport",
    "ReadingProgress",
    "ReminderLog",
    "StudyNote",
    "BranchExemption",
    "CalendarToken",
    "KindRule",
    "PublicHoliday",
    "ReadingAssignment",
    "Series",
    "SessionKind",
    "StudySession",
]
