"""Reading panels other apps' pages include in one line: the section's and the session's."""

from __future__ import annotations

from typing import Any

from django import template

from groups.models import StudySession
from groups.permissions import can_manage_branch
from groups.reading import services as reading
from groups.reading.forms import StudyNoteForm
from lessons.models import Section

register = template.Library()


@register.inclusion_tag("groups/reading/partials/reading_panel.html", takes_context=True)
def reading_panel(context: template.Context, section: Section) -> dict[str, Any]:
    """Record that the member opened the section; show their status, button and study note.

    Opening is recorded here so the lessons app's reading view needs to know nothing of
    groups; the write is one idempotent INSERT, the first time a member opens the section.
    """
    request = context["request"]
    panel = reading.section_panel(request.user, section)
    return {
        "section": section,
        "panel": panel,
        "form": StudyNoteForm(initial={"text": panel.note}) if panel.member else None,
        "csrf_token": context.get("csrf_token"),
        "next": request.get_full_path(),
    }


@register.inclusion_tag("groups/reading/partials/reading_status.html", takes_context=True)
def session_reading_status(context: template.Context, session: StudySession) -> dict[str, Any]:
    """Show managers who has read each section assigned to the session; nothing to others."""
    request = context["request"]
    if not can_manage_branch(request.user, session.branch):
        return {"allowed": False}
    sort, descending = reading.parse_sort(request.GET.get("sort"))
    return {
        "allowed": True,
        "session": session,
        "statuses": reading.reading_status_for_session(session, sort=request.GET.get("sort")),
        "sort": sort,
        "descending": descending,
        "csrf_token": context.get("csrf_token"),
        "next": request.get_full_path(),
    }
