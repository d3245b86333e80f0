from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.shortcuts import render
from django.utils import translation


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
