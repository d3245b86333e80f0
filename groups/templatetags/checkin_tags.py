"""The check-in panel the session page includes in one line."""

from __future__ import annotations

from typing import Any

from django import template

from groups.checkin.services import checkin_is_open
from groups.models import Attendance, StudySession
from groups.permissions import can_manage_branch

register = template.Library()


@register.inclusion_tag("groups/checkin/partials/checkin_panel.html", takes_context=True)
def checkin_panel(context: template.Context, session: StudySession) -> dict[str, Any]:
    """Link managers to the display and expected members to the code form while open."""
    if not checkin_is_open(session):
        return {"panel": {"show": False}}  # no queries outside the window
    user = context["request"].user
    row = (
        Attendance.objects.filter(session=session, member__user=user)
        .values("status", "checked_in_at")
        .first()
    )
    return {
        "panel": {
            "show": True,
            "session_pk": session.pk,
            "can_manage": can_manage_branch(user, session.branch),
            "expected": row is not None,
            "checked_in_at": row and row["checked_in_at"],
            "excused": bool(row) and row["status"] == Attendance.Status.EXCUSED,
        }
    }
