"""The headcounts panel the session page includes in one line; the attendance row's buttons."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.safestring import mark_safe

from groups.attendance.selectors import session_headcounts
from groups.models import Attendance, StudySession
from groups.permissions import can_manage_branch

register = template.Library()


@register.inclusion_tag("groups/attendance/partials/attendance_headcounts.html", takes_context=True)
def session_attendance_panel(context: template.Context, session: StudySession) -> dict[str, Any]:
    """Show 应到/实到/请假/缺席 and the quorum; managers also get the attendance links."""
    can_manage = context.get("can_manage")
    if can_manage is None:
        can_manage = can_manage_branch(context["request"].user, session.branch)
    return {
        "session": session,
        "counts": session_headcounts(session),
        "links": bool(can_manage) and not session.is_cancelled,
        "spaced": True,
    }


@register.simple_tag
def status_buttons(row: Attendance, statuses: list[tuple[str, str, str]], disabled: str) -> str:
    """Render a row's four status radio buttons: 1,200 of them on a page, so in Python.

    Nothing here needs escaping per call: the member id is an int, value and colour are
    constants and the labels come escaped from the view (views_attendance._row_context).
    """
    member = row.member_id
    return mark_safe(  # noqa: S308 - see above: every part is an int, a constant or escaped
        "".join(
            f'<input type="radio" class="btn-check" name="status-{member}" '
            f'id="status-{member}-{value}" value="{value}" autocomplete="off"'
            f"{' checked' if row.status == value else ''}{disabled}>"
            f'<label class="btn btn-outline-{colour}" for="status-{member}-{value}">{label}</label>'
            for value, label, colour in statuses
        )
    )
