"""What every response's Content-Security-Policy must say, and a test client that checks it."""

from __future__ import annotations

from django.conf import settings
from django.test import Client

# The directives no page may loosen: scripts and styles only from our own static files.
REQUIRED = {
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}
UNSAFE = ("'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "'strict-dynamic'")


def header_name() -> str:
    """Return the header the settings send: enforcing, or report-only (DJANGO_CSP_REPORT_ONLY)."""
    if getattr(settings, "CONTENT_SECURITY_POLICY", None):
        return "Content-Security-Policy"
    return "Content-Security-Policy-Report-Only"


def parse_policy(header: str) -> dict[str, list[str]]:
    """Return a policy header's directives and their sources."""
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def assert_strict_policy(response) -> None:
    """Fail unless the response carries the policy, with nothing inline or evaluated allowed."""
    name = header_name()
    where = f"{response.request['REQUEST_METHOD']} {response.request['PATH_INFO']}"
    assert name in response, f"{where} ({response.status_code}) has no {name} header"
    policy = parse_policy(response[name])
    for directive, sources in REQUIRED.items():
        assert policy.get(directive) == sources, (where, directive, policy.get(directive))
    loose = [s for sources in policy.values() for s in sources if s in UNSAFE]
    assert not loose, (where, loose)


class PolicyCheckingClient(Client):
    """The test client, failing any response without the strict Content-Security-Policy."""

    def request(self, **request):
        response = super().request(**request)
        assert_strict_policy(response)
        return response
