"""/healthz: can this process reach its database, its cache and (if set) its task broker?

A load balancer asks without a login, over plain HTTP, often with its own Host header; it gets
"ok" (200) or "unavailable" (503) and nothing else. What failed goes to the log, and to staff who
open the page logged in.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

PATH = "/healthz"
# Seconds a probe may wait for the broker: a load balancer's own timeout is a few seconds.
BROKER_TIMEOUT = 2


def _check_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_cache() -> None:
    key, value = f"healthz:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, value, timeout=10)
    try:
        if cache.get(key) != value:
            raise RuntimeError("the cache did not return what was just stored")
    finally:
        cache.delete(key)


def _check_broker() -> None:
    from kombu import Connection  # comes with Celery; imported only when a broker is set

    with Connection(settings.CELERY_BROKER_URL, connect_timeout=BROKER_TIMEOUT) as broker:
        broker.ensure_connection(max_retries=1, interval_start=0, timeout=BROKER_TIMEOUT)


def health_checks() -> dict[str, str]:
    """Run every check; return each one's outcome ("ok" or the reason it failed)."""
    checks: dict[str, Callable[[], None]] = {"database": _check_database, "cache": _check_cache}
    if getattr(settings, "CELERY_BROKER_URL", ""):
        checks["broker"] = _check_broker
    outcomes = {}
    for name, check in checks.items():
        try:
            check()
        except Exception as exc:  # any failure means "unavailable", never a 500
            outcomes[name] = f"{type(exc).__name__}: {exc}"
            logger.error("Health check %s failed: %s", name, outcomes[name])
        else:
            outcomes[name] = "ok"
    return outcomes


def health_response(*, details: bool) -> HttpResponse:
    """Return "ok" (200) or "unavailable" (503); with details, each check's outcome too."""
    outcomes = health_checks()
    healthy = all(outcome == "ok" for outcome in outcomes.values())
    body = "ok" if healthy else "unavailable"
    if details:
        body += "\n" + "".join(f"{name}: {outcome}\n" for name, outcome in outcomes.items())
    response = HttpResponse(body, content_type="text/plain; charset=utf-8")
    response.status_code = 200 if healthy else 503
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_not_required
def healthz(request: HttpRequest) -> HttpResponse:
    """Say whether this process can serve; staff also read what failed."""
    try:
        staff = request.user.is_staff
    except Exception:  # the session is in the database, which may be what is down
        staff = False
    return health_response(details=staff)


class HealthCheckMiddleware:
    """Answer a probe of /healthz before the host check and the HTTPS redirect.

    A load balancer probes each backend by its address, over HTTP, with no cookie: Django would
    refuse its Host (400) or redirect it to HTTPS (301). A request with a session cookie is a
    person's, and goes on to the healthz view through the usual checks, where staff see details.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == PATH and settings.SESSION_COOKIE_NAME not in request.COOKIES:
            return health_response(details=False)
        return self.get_response(request)
