"""Reading views: mark a section read, save a study note, managers' read status and reminders."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from groups.permissions import get_own_member, get_session_for_user, manages_any_branch
from groups.reading import reminders
from groups.reading import selectors as reading_selectors
from groups.reading import services as reading
from groups.reading.forms import StudyNoteForm
from lessons.models import Section
from studyhub.redirects import safe_next


def section_reading_panel(request: HttpRequest, section: Section) -> SafeString:
    """Render the section page's reading panel, recording the member's first open of it."""
    progress = reading_selectors.section_progress(request.user, section)
    if progress.member and progress.opened_at is None:
        progress.opened_at = timezone.now()
        reading.reading_open(member=progress.member, section=section, at=progress.opened_at)
    context = {
        "section": section,
        "panel": progress,
        "form": StudyNoteForm(initial={"text": progress.note}) if progress.member else None,
        "next": request.get_full_path(),
    }
    return render_to_string("groups/reading/partials/reading_panel.html", context, request)


def _back(request: HttpRequest, default: str) -> HttpResponse:
    """Redirect to the form's safe `next` path on this site, else to default."""
    return HttpResponseRedirect(safe_next(request, request.POST.get("next", ""), default))


@require_POST
def mark_read(request: HttpRequest, section_id: int) -> HttpResponse:
    """Record that the signed-in member has read a section (only ever for themselves)."""
    member = get_own_member(request.user)
    section = get_object_or_404(Section, pk=section_id)
    reading.reading_mark_read(member=member, section=section)
    messages.success(request, _("Marked “%(section)s” as read.") % {"section": section.label})
    return _back(request, section.get_absolute_url())


@require_POST
def note_save(request: HttpRequest, section_id: int) -> HttpResponse:
    """Save (or, when emptied, delete) the signed-in member's study note on a section."""
    member = get_own_member(request.user)
    section = get_object_or_404(Section, pk=section_id)
    form = StudyNoteForm(request.POST)
    if form.is_valid():
        try:
            note = reading.note_save(member=member, section=section, text=form.cleaned_data["text"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request, _("Saved your study note.") if note else _("Deleted your study note.")
            )
    else:
        messages.error(request, " ".join(form.errors["text"]))
    return _back(request, section.get_absolute_url() + "#study-note")


def section_notes(request: HttpRequest, section_id: int) -> HttpResponse:
    """List the study notes on a section by the members the user manages (managers only)."""
    if not manages_any_branch(request.user):
        raise Http404
    section = get_object_or_404(Section.objects.select_related("lecture"), pk=section_id)
    notes = reading_selectors.visible_notes(request.user, section)
    return render(
        request, "groups/reading/reading_notes.html", {"section": section, "notes": notes}
    )


def session_reading(request: HttpRequest, session_id: int) -> HttpResponse:
    """Show who of the expected members has read each assigned section (managers)."""
    session = get_session_for_user(request.user, session_id, manage=True)
    status = reading_selectors.reading_status(
        session, sort=request.GET.get("sort"), page=request.GET.get("page")
    )
    return render(
        request, "groups/reading/reading_status.html", {"session": session, "reading": status}
    )


@require_POST
def session_remind(request: HttpRequest, session_id: int) -> HttpResponse:
    """Email the expected members who have not read the session's reading (once a day)."""
    session = get_session_for_user(request.user, session_id, manage=True)
    result = reminders.reminders_send_unread(
        session=session, base_url=request.build_absolute_uri("/")
    )
    messages.success(
        request,
        _(
            "Sent %(sent)d reminder(s); %(already)d already reminded today, "
            "%(missing)d without an email address."
        )
        % {"sent": result.sent, "already": result.already_sent, "missing": result.no_address},
    )
    if result.failed:
        messages.error(request, _("%(n)d reminder(s) could not be sent.") % {"n": result.failed})
    return _back(request, reverse("groups:session-reading", args=[session.pk]))
