"""Where a form's `next` may send the user."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, target: str, default: str) -> str:
    """Return target if it is a path on this site, else default.

    A path, never a view name or another site: redirect() would try to reverse `next=abc`
    (a 500), and a full URL could send the user anywhere.
    """
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default
