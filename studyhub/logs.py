"""Structured logs: one JSON object a line, each carrying the id of the request it came from.

The id is the reverse proxy's X-Request-ID (nginx's $request_id, see deploy/nginx/) when it sends
a plausible one, else a new one; it goes back in the response's X-Request-ID header and gunicorn's
access log, so one id finds a request in nginx's, gunicorn's and Django's logs.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

from django.core.signals import request_finished
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
# What is believed from outside: an id a proxy makes, not a way to write into our logs.
_PLAUSIBLE_ID = re.compile(r"[A-Za-z0-9._:-]{8,128}")

_request_id: ContextVar[str] = ContextVar("request_id", default="")


def current_request_id() -> str:
    """Return the id of the request being served here, or "" outside a request."""
    return _request_id.get()


def install_record_factory() -> None:
    """Give every log record a request_id attribute, whichever logger or handler it meets."""
    # A record factory, not a handler filter: records reach handlers that are not ours (pytest's
    # caplog, a library's), and each should carry the id.
    make_record = logging.getLogRecordFactory()
    if getattr(make_record, "adds_request_id", False):
        return

    def with_request_id(*args, **kwargs) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        record.request_id = _request_id.get()
        return record

    with_request_id.adds_request_id = True
    logging.setLogRecordFactory(with_request_id)


class JsonFormatter(logging.Formatter):
    """Format a record as one line of JSON: time, level, logger, message, request id."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", ""),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class PlainFormatter(logging.Formatter):
    """Format a record as one readable line with its request id, for a terminal."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        # Records made before Django set up (the factory is installed then) have no id.
        record.request_id = getattr(record, "request_id", "")
        return super().format(record)


class RequestIdMiddleware:
    """Take the proxy's request id or make one; log with it and send it back in the response."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get(HEADER, "")
        request_id = given if _PLAUSIBLE_ID.fullmatch(given) else uuid.uuid4().hex
        request.request_id = request_id
        # Kept until the response is closed (forget_request_id): Django logs a failed request,
        # and a streamed response writes its body, after the middleware has returned.
        _request_id.set(request_id)
        response = self.get_response(request)
        response[HEADER] = request_id
        return response


@receiver(request_finished)
def forget_request_id(**kwargs) -> None:
    """Stop marking log lines with the request id once its response is closed."""
    _request_id.set("")
