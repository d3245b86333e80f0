"""What every page's layout needs to know beyond the request."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

# The top navigation: its item names and the URLs of the pages under each (the first is the
# one it leads to; the others are the Sessions tabs that live outside /groups/sessions/).
NAVIGATION = {
    "sessions": (
        "groups:session-list",
        "groups:series-create",
        "groups:compliance",
        "groups:rules",
        "groups:holidays",
        "groups:leave-pending",
        "groups:makeup-mine",
        "groups:calendar-subscription",
    ),
    "calendar": "groups:calendar-month",
    "lectures": "lessons:lecture-list",
    "organisation": "groups:branch-list",
    "reports": "groups:report-index",
    "check-in": "groups:checkin",
    "import": "lessons:lecture-import",
    "admin": "admin:index",
}


def navigation(request: HttpRequest) -> dict[str, str]:
    """Return which top navigation item the page belongs to: the longest prefix of its path.

    So /groups/sessions/calendar/ is the calendar, not the session list above it.
    """
    best, length = "", 0
    for name, url_names in NAVIGATION.items():
        for url_name in (url_names,) if isinstance(url_names, str) else url_names:
            try:
                url = reverse(url_name)
            except NoReverseMatch:
                continue
            if request.path.startswith(url) and len(url) > length:
                best, length = name, len(url)
    return {"nav_current": best}
