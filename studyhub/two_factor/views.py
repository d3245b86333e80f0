"""The two-step verification pages: set up and manage it, and the code step of logging in."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice

from studyhub.redirects import safe_next
from studyhub.two_factor import services
from studyhub.two_factor.forms import AppCodeForm, CodeForm

THROTTLED = 429


def _next_url(request: HttpRequest) -> str:
    """Return where to go after the code step: the page asked for, if it is ours."""
    url = request.POST.get("next") or request.GET.get("next") or ""
    return safe_next(request, url, resolve_url(settings.LOGIN_REDIRECT_URL))


def verify_url(next_url: str) -> str:
    return f"{reverse('two_factor:verify')}?{urlencode({'next': next_url})}"


def _refuse(form: CodeForm | AppCodeForm, check: services.CodeCheck) -> int:
    """Put the reason a code was not accepted on the form; return the page's status code."""
    if check.wait_seconds:
        form.add_error(
            "code",
            ngettext(
                "Too many wrong codes. Wait %(seconds)d second and try again.",
                "Too many wrong codes. Wait %(seconds)d seconds and try again.",
                check.wait_seconds,
            )
            % {"seconds": check.wait_seconds},
        )
        return THROTTLED
    form.add_error("code", _("That code is not correct. Check the app and try again."))
    return 200


def setup(request: HttpRequest) -> HttpResponse:
    """Show two-step verification: set it up with a QR code, or see that it is on."""
    user = request.user
    device = services.app_device(user)
    if device is not None and not user.is_verified():
        # Set up from another session: this one has not given a code yet.
        return redirect(verify_url(request.get_full_path()))
    if device is not None:
        return _status_page(request, device)

    key = request.session.get(services.SETUP_KEY_SESSION_KEY)
    form = AppCodeForm(request.POST or None, autofocus=True)
    if request.method == "POST" and key and form.is_valid():
        codes = services.second_factor_enable(user=user, key=key, code=form.cleaned_data["code"])
        if codes is not None:
            del request.session[services.SETUP_KEY_SESSION_KEY]
            otp_login(request, services.app_device(user))
            request.session[services.NEW_BACKUP_CODES_SESSION_KEY] = codes
            return redirect("two_factor:setup")
        form.add_error("code", _("That code is not correct. Check the app and try again."))
    if request.method == "POST" and not key:
        form = AppCodeForm(autofocus=True)
        messages.warning(request, _("This setup has expired. Scan the new QR code."))
    if not key:
        key = request.session[services.SETUP_KEY_SESSION_KEY] = services.setup_key_new()
    context = {
        "form": form,
        "provisioning": services.provisioning(user=user, key=key),
        "required": services.second_factor_required(user),
    }
    return render(request, "two_factor/setup.html", context)


def _status_page(
    request: HttpRequest,
    device,
    *,
    off_form: CodeForm | None = None,
    codes_form: CodeForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    context = {
        "device": device,
        "backup_codes_left": services.backup_codes_left(user),
        "new_backup_codes": request.session.pop(services.NEW_BACKUP_CODES_SESSION_KEY, None),
        "required": services.second_factor_required(user),
        "off_form": off_form or CodeForm(prefix="off"),
        "codes_form": codes_form or CodeForm(prefix="codes"),
    }
    return render(request, "two_factor/status.html", context, status=status)


def _verified_device(request: HttpRequest):
    """Return the user's app if this session has given a code, else None."""
    device = services.app_device(request.user)
    return device if device is not None and request.user.is_verified() else None


@require_POST
def disable(request: HttpRequest) -> HttpResponse:
    """Turn two-step verification off, with a current code (a stolen session cannot)."""
    device = _verified_device(request)
    if device is None:
        return redirect("two_factor:setup")
    if services.second_factor_required(request.user):
        raise PermissionDenied
    form = CodeForm(request.POST, prefix="off")
    if form.is_valid():
        check = services.code_check(user=request.user, code=form.cleaned_data["code"])
        if check.device is not None:
            services.second_factor_disable(user=request.user)
            messages.success(request, _("Two-step verification is off."))
            return redirect("two_factor:setup")
        return _status_page(request, device, off_form=form, status=_refuse(form, check))
    return _status_page(request, device, off_form=form)


@require_POST
def backup_codes(request: HttpRequest) -> HttpResponse:
    """Replace the backup codes with new ones, with a current code; show them once."""
    device = _verified_device(request)
    if device is None:
        return redirect("two_factor:setup")
    form = CodeForm(request.POST, prefix="codes")
    if form.is_valid():
        check = services.code_check(user=request.user, code=form.cleaned_data["code"])
        if check.device is not None:
            codes = services.backup_codes_replace(user=request.user)
            request.session[services.NEW_BACKUP_CODES_SESSION_KEY] = codes
            messages.success(request, _("New backup codes are ready. The old ones no longer work."))
            return redirect("two_factor:setup")
        return _status_page(request, device, codes_form=form, status=_refuse(form, check))
    return _status_page(request, device, codes_form=form)


def verify(request: HttpRequest) -> HttpResponse:
    """Ask for the code after the password; the session counts as verified once it is given."""
    user = request.user
    next_url = _next_url(request)
    if user.is_verified() or services.app_device(user) is None:
        request.session.pop(services.PENDING_SESSION_KEY, None)
        return redirect(next_url)
    form = CodeForm(request.POST or None, autofocus=True)
    status = 200
    if request.method == "POST" and form.is_valid():
        check = services.code_check(user=user, code=form.cleaned_data["code"])
        if check.device is not None:
            otp_login(request, check.device)
            request.session.pop(services.PENDING_SESSION_KEY, None)
            if isinstance(check.device, StaticDevice):
                left = services.backup_codes_left(user)
                messages.warning(
                    request,
                    ngettext(
                        "You used a backup code: %(count)d is left.",
                        "You used a backup code: %(count)d are left.",
                        left,
                    )
                    % {"count": left},
                )
            return redirect(next_url)
        status = _refuse(form, check)
    return render(
        request, "two_factor/verify.html", {"form": form, "next": next_url}, status=status
    )
