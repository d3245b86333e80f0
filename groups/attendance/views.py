"""Taking attendance: the sheet (htmx per click, a plain form without JS), history, 签到表."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from groups.attendance.forms import AttendanceSheetForm
from groups.attendance.headcounts import session_headcounts
from groups.attendance.selectors import (
    attendance_history,
    attendance_sheet,
    signin_sheet_groups,
)
from groups.attendance.services import (
    attendance_mark_all_present,
    attendance_record,
    attendance_save_sheet,
)
from groups.models import Attendance, StudySession
from groups.permissions import get_attendance_for_user, get_session_for_user

Status = Attendance.Status
# The four buttons of a row, in the order a secretary reads them, with their colour.
STATUS_BUTTONS = [
    (Status.PRESENT, "success"),
    (Status.LATE, "warning"),
    (Status.EXCUSED, "info"),
    (Status.ABSENT, "danger"),
]


def _row_context(session: StudySession) -> dict[str, object]:
    """Return what every row needs, resolved once: 300 rows render from plain strings."""
    return {
        "session": session,
        "statuses": [
            (status.value, escape(status.label), colour) for status, colour in STATUS_BUTTONS
        ],
        "status_word": _("Status"),
        "note_word": _("Note"),
        # A row's URLs are this plus "<member id>/" (see attendance/urls.py), not 600 reverse()s.
        "rows_url": reverse("groups:attendance-take", args=[session.pk]),
        "disabled": " disabled" if session.is_cancelled else "",
    }


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _sheet_url(session_pk: int, member_pk: int | None = None, group: str = "") -> str:
    url = reverse("groups:attendance-take", args=[session_pk])
    if group.isdigit():  # the group the sheet showed, when it shows one at a time
        url = f"{url}?group={group}"
    return f"{url}#attendance-{member_pk}" if member_pk else url


def attendance_take(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the attendance sheet; a plain POST of the form saves every row at once."""
    session = get_session_for_user(request.user, pk, manage=True)
    if request.method == "POST":
        member_ids = Attendance.objects.filter(session=session).values_list("member_id", flat=True)
        form = AttendanceSheetForm(request.POST, member_ids=member_ids)
        if not form.is_valid():
            messages.error(request, _("Some entries were not valid; nothing was saved."))
            return redirect(_sheet_url(session.pk, group=request.POST.get("group", "")))
        try:
            result = attendance_save_sheet(
                session=session,
                entries=form.entries(),
                by=request.user,
                seen_at=form.cleaned_data["seen_at"],
                before_start=form.cleaned_data["confirm_early"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                ngettext(
                    "Attendance saved: %(count)d change.",
                    "Attendance saved: %(count)d changes.",
                    result.changed,
                )
                % {"count": result.changed},
            )
            if result.conflicts:
                messages.warning(
                    request,
                    _(
                        "Someone else changed these members while you were editing; "
                        "their change was kept: %(names)s."
                    )
                    % {"names": "、".join(result.conflicts)},
                )
        return redirect(_sheet_url(session.pk, group=request.POST.get("group", "")))
    return render(
        request,
        "groups/attendance/attendance.html",
        {
            **_row_context(session),
            "sheet": attendance_sheet(session, group=request.GET.get("group")),
            "counts": session_headcounts(session),
            "seen_at": timezone.now().isoformat(),
        },
    )


def attendance_row(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    """Save one member's status and note (an htmx click) and return their updated row."""
    row = get_attendance_for_user(request.user, pk, member_pk)
    context = {**_row_context(row.session), "saved": False, "error": ""}
    if request.method == "POST":
        form = AttendanceSheetForm(request.POST, member_ids=[row.member_id])
        try:
            if not form.is_valid():
                raise ValidationError(_("Choose present, late, excused or absent."))
            status, note = form.entries().get(row.member_id, ("", row.note))
            saved = attendance_record(
                attendance=row,
                status=status or None,
                note=note,
                by=request.user,
                before_start=form.cleaned_data["confirm_early"],
            )
        except ValidationError as exc:
            context["error"] = " ".join(exc.messages)
        else:
            row.status, row.note, row.checked_in_at = saved.status, saved.note, saved.checked_in_at
            context["saved"] = True
        if not _is_htmx(request):
            if context["error"]:
                messages.error(request, context["error"])
            return redirect(_sheet_url(row.session.pk, row.member_id))
    context["row"] = row
    response = render(request, "groups/attendance/partials/attendance_row.html", context)
    if context["saved"]:
        # The headcounts box on the page listens for this and reloads itself.
        response["HX-Trigger"] = "attendance-changed"
    return response


def attendance_headcounts(request: HttpRequest, pk: int) -> HttpResponse:
    """Return the headcounts box of the attendance page (reloaded after each click)."""
    session = get_session_for_user(request.user, pk, manage=True)
    return render(
        request,
        "groups/attendance/partials/attendance_headcounts.html",
        {"session": session, "counts": session_headcounts(session), "live": True},
    )


def attendance_mark_all(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark present everyone not yet taken; the exceptions are changed afterwards."""
    session = get_session_for_user(request.user, pk, manage=True)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = AttendanceSheetForm(request.POST, member_ids=[])
    confirmed = form.is_valid() and form.cleaned_data["confirm_early"]
    try:
        count = attendance_mark_all_present(
            session=session, by=request.user, before_start=confirmed
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            ngettext("%(count)d member marked present.", "%(count)d members marked present.", count)
            % {"count": count},
        )
    return redirect(_sheet_url(session.pk, group=request.POST.get("group", "")))


def attendance_member_history(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    """Show every change of a member's status at a session: what, who and when."""
    row = get_attendance_for_user(request.user, pk, member_pk)
    return render(
        request,
        "groups/attendance/attendance_history.html",
        {"row": row, "session": row.session, "history": attendance_history(row)},
    )


def attendance_signin_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the printable sign-in sheet (签到表): expected members with a signature column."""
    session = get_session_for_user(request.user, pk, manage=True)
    groups, expected = signin_sheet_groups(session)
    return render(
        request,
        "groups/attendance/attendance_signin_sheet.html",
        {"session": session, "groups": groups, "expected": expected},
    )
