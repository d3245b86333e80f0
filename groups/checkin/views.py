"""Self check-in pages: the managers' QR display, the members' QR landing and code forms."""

from __future__ import annotations

from urllib.parse import urlencode

import segno
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe

from groups.checkin import services as checkin
from groups.checkin.codes import CheckinError
from groups.checkin.forms import CheckinCodeForm, CheckinTokenForm
from groups.permissions import get_session_for_user

# The display reloads itself this often (a meta refresh: no script needed), so the code
# on screen is never more than this old; codes stay valid for one more minute after.
DISPLAY_REFRESH_SECONDS = 20


def checkin_display(request: HttpRequest, pk: int) -> HttpResponse:
    """Show managers a full-screen QR code, short code and headcount for members to check in."""
    session = get_session_for_user(request.user, pk, manage=True)
    display = checkin.checkin_display(session)
    checkin_url = qr_svg = ""
    if display.is_open:
        path = reverse("groups:checkin-session", args=[session.pk])
        checkin_url = request.build_absolute_uri(f"{path}?{urlencode({'token': display.token})}")
        # segno writes only path data from the URL (no text), so the SVG is safe to inline.
        qr_svg = mark_safe(  # noqa: S308
            segno.make(checkin_url, error="m").svg_inline(
                scale=1, border=2, omitsize=True, svgclass="checkin-qr", dark="#000"
            )
        )
    return render(
        request,
        "groups/checkin/checkin_display.html",
        {
            "session": session,
            "display": display,
            "checkin_url": checkin_url,
            "qr_svg": qr_svg,
            "refresh_seconds": DISPLAY_REFRESH_SECONDS,
        },
    )


def checkin_session(request: HttpRequest, pk: int) -> HttpResponse:
    """Check in to one session: a QR link asks to confirm, else the member types the code.

    GET never changes anything; POST checks in. A session the member may not see gets a
    404 that still says plainly why nothing happened.
    """
    try:
        session = get_session_for_user(request.user, pk)
    except Http404:
        return render(request, "groups/checkin/checkin_missing.html", status=404)
    if request.method == "POST":
        form = (CheckinTokenForm if "token" in request.POST else CheckinCodeForm)(request.POST)
        if form.is_valid():
            try:
                result = checkin.checkin_record(
                    session=session, user=request.user, **form.cleaned_data
                )
            except CheckinError as exc:
                messages.error(request, exc.message)
                # Back to the code form: a refused QR link is no use a second time.
                return redirect("groups:checkin-session", pk=session.pk)
            (messages.info if result.already else messages.success)(request, result.message)
            return redirect(session)
        code_form = form if isinstance(form, CheckinCodeForm) else CheckinCodeForm()
        token = ""
    else:
        token = request.GET.get("token", "")
        code_form = CheckinCodeForm()
    try:
        already = checkin.checkin_check(session=session, user=request.user, token=token)
        refusal = ""
    except CheckinError as exc:
        already, refusal = "", exc.message
    return render(
        request,
        "groups/checkin/checkin_session.html",
        {
            "session": session,
            "token_form": CheckinTokenForm(initial={"token": token}) if token else None,
            "code_form": code_form,
            "already": already,
            "refusal": refusal,
        },
    )


def checkin_any(request: HttpRequest) -> HttpResponse:
    """Check in by typing a code: it marks whichever open session of the member's it names."""
    form = CheckinCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = checkin.checkin_with_code(user=request.user, code=form.cleaned_data["code"])
        except CheckinError as exc:
            messages.error(request, exc.message)
            return redirect("groups:checkin")
        (messages.info if result.already else messages.success)(request, result.message)
        return redirect(result.attendance.session)
    return render(
        request,
        "groups/checkin/checkin_any.html",
        {"form": form, "open_sessions": checkin.open_sessions_for(request.user)},
    )
