"""Minutes views: edit a session's 会议记录, its attachments, and the printable record."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from groups import conf
from groups.minutes import services as minutes_services
from groups.minutes.forms import AttachmentForm, MinutesForm
from groups.models import StudySession
from groups.permissions import get_attachment_for_user, get_session_for_user
from studyhub.middleware import upload_limit

HISTORY_SHOWN = 10


def _minutes_page(
    request: HttpRequest,
    session: StudySession,
    *,
    form: MinutesForm | None = None,
    status: int = 200,
) -> HttpResponse:
    minutes = minutes_services.minutes_with_attachments(session)
    history = minutes.history.select_related("history_user")[:HISTORY_SHOWN] if minutes else []
    return render(
        request,
        "groups/minutes/minutes_edit.html",
        {
            "session": session,
            "minutes": minutes,
            "form": form or MinutesForm(instance=minutes),
            "attachment_form": AttachmentForm(),
            "history": history,
            "max_bytes": conf.MINUTES_ATTACHMENT_MAX_BYTES,
        },
        status=status,
    )


def minutes_edit(request: HttpRequest, session_id: int) -> HttpResponse:
    """Show and save a session's minutes: 议题, 发言要点, 决议, vote results (managers)."""
    session = get_session_for_user(request.user, session_id, manage=True)
    if request.method != "POST":
        return _minutes_page(request, session)
    form = MinutesForm(request.POST)
    if not form.is_valid():
        return _minutes_page(request, session, form=form, status=400)
    try:
        minutes_services.minutes_save(session=session, by=request.user, **form.cleaned_data)
    except ValidationError as exc:
        form.add_error(None, exc)
        return _minutes_page(request, session, form=form, status=400)
    messages.success(request, _("The minutes are saved."))
    return redirect("groups:minutes-edit", session_id=session.pk)


@upload_limit(lambda: conf.MINUTES_ATTACHMENT_MAX_BYTES)
@require_POST
def attachment_add(request: HttpRequest, session_id: int) -> HttpResponse:
    """Attach a photo or PDF to a session's minutes; anything else is refused, unsaved."""
    session = get_session_for_user(request.user, session_id, manage=True)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            attachment = minutes_services.attachment_add(
                session=session, upload=form.cleaned_data["file"], by=request.user
            )
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            messages.success(request, _("Attached %(name)s.") % {"name": attachment.original_name})
            return redirect("groups:minutes-edit", session_id=session.pk)
    # Back to the minutes page with the reason, not a page at this POST-only address (which
    # a reload would refuse); a file input cannot be refilled anyway.
    for error in form.errors.get("file", []) + form.non_field_errors():
        messages.error(request, _("Not attached: %(error)s") % {"error": error})
    return redirect("groups:minutes-edit", session_id=session.pk)


def attachment_download(request: HttpRequest, token: uuid.UUID) -> FileResponse:
    """Send an attachment to a user who may see its session; photos show, PDFs download."""
    attachment = get_attachment_for_user(request.user, token)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        content_type=attachment.content_type,
        as_attachment=not attachment.content_type.startswith("image/"),
        filename=attachment.original_name,
    )
    # The type was read from the content at upload: browsers must not guess another.
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=0"
    return response


@require_POST
def attachment_delete(request: HttpRequest, token: uuid.UUID) -> HttpResponse:
    """Delete an attachment of a session's minutes (managers)."""
    attachment = get_attachment_for_user(request.user, token, manage=True)
    session_id = attachment.minutes.session_id
    minutes_services.attachment_delete(attachment=attachment)
    messages.success(request, _("Deleted %(name)s.") % {"name": attachment.original_name})
    return redirect("groups:minutes-edit", session_id=session_id)


def minutes_record(request: HttpRequest, session_id: int) -> HttpResponse:
    """Show the printable 会议记录 of a session, laid out for the yearly 记录本 (A4)."""
    session = get_session_for_user(request.user, session_id, manage=True)
    return render(
        request,
        "groups/minutes/minutes_record.html",
        {"record": minutes_services.session_record(session)},
    )
