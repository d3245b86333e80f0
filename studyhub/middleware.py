from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import redirect, render
from django.utils import translation

from studyhub.two_factor import services as two_factor
from studyhub.two_factor.views import verify_url


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Speak the language the user chose, else the site's default — never the browser's guess.

    Offices often run English-language browsers; the UI should still be Chinese unless the
    user switches it.
    """

    def process_request(self, request: HttpRequest) -> None:
        code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if code not in dict(settings.LANGUAGES):
            code = settings.LANGUAGE_CODE
        translation.activate(code)
        request.LANGUAGE_CODE = translation.get_language()


# What a form around an uploaded file adds to the request body: fields, boundaries, headers.
FORM_OVERHEAD_BYTES = 64 * 1024


def upload_limit(file_bytes: Callable[[], int]):
    """Mark an upload view: its request bodies are refused unread once over file_bytes() (read
    at each request, so settings and tests may change it) plus the form around the file."""

    def mark(view):
        view.upload_limit = file_bytes
        return view

    return mark


def _declared_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _too_large(request: HttpRequest, limit: int) -> HttpResponse:
    return render(request, "413.html", {"limit": limit}, status=413)


class RequestSizeLimitMiddleware:
    """Refuse a request whose declared body is over MAX_REQUEST_BYTES, or over its view's
    upload_limit, unread, with a page that names the limit (413), instead of reading it whole
    and refusing afterwards. It comes before CsrfViewMiddleware, whose process_view reads the
    body."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _declared_length(request) > settings.MAX_REQUEST_BYTES:
            return _too_large(request, settings.MAX_REQUEST_BYTES)
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        file_bytes = getattr(view_func, "upload_limit", None)
        if file_bytes is not None:
            limit = file_bytes()
            if _declared_length(request) > limit + FORM_OVERHEAD_BYTES:
                return _too_large(request, limit)
        return None


class SecondFactorMiddleware:
    """Hold a logged-in user at the code step, or the setup page, until two-step verification
    lets them on (after django-otp's OTPMiddleware, which says whether a code was given).

    A user with an authenticator app goes to the code step after the password, always. With
    STUDYHUB_REQUIRE_2FA, staff and branch managers without an app go to set one up first;
    ordinary members are never held. Costs no query unless the site requires it.
    """

    # Pages a user on the way in may still open.
    OPEN_WHILE_CODE_DUE = frozenset(
        {"login", "logout", "set_language", "favicon", "healthz", "two_factor:verify"}
    )
    OPEN_WHILE_SETUP_DUE = OPEN_WHILE_CODE_DUE | {"two_factor:setup"}

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        # The name first: /healthz must answer without the session, whose database may be down.
        name = request.resolver_match.view_name
        if name in self.OPEN_WHILE_CODE_DUE or not request.user.is_authenticated:
            return None
        if request.session.get(two_factor.PENDING_SESSION_KEY):
            return redirect(verify_url(request.get_full_path()))
        if name in self.OPEN_WHILE_SETUP_DUE:
            return None
        if two_factor.second_factor_required(request.user) and not request.user.is_verified():
            return redirect("two_factor:setup")
        return None
