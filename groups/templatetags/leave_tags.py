"""The session page's leave panel asks here for the member's own leave and make-up state."""

from __future__ import annotations

from django import template

from groups.leave import services as leave
from groups.leave.forms import LeaveRequestForm
from groups.models import StudySession

register = template.Library()


@register.simple_tag(takes_context=True)
def leave_state(context: template.Context, session: StudySession) -> leave.LeavePanel:
    """Return the signed-in member's attendance row, leave request and make-up task."""
    return leave.leave_panel(context["request"].user, session)


@register.simple_tag
def leave_form() -> LeaveRequestForm:
    """Return an empty leave request form."""
    return LeaveRequestForm()
