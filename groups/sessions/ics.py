"""iCalendar (RFC 5545) for sessions: one event per session, local times with a VTIMEZONE."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, date

import icalendar
from django.utils import timezone
from django.utils.translation import gettext as _

from groups.models import StudySession

PRODID = "-//StudyHub//Study sessions//ZH"
UID_DOMAIN = "studyhub"


def session_uid(session: StudySession) -> str:
    """Return the event UID, stable for the life of the session."""
    return f"session-{session.pk}@{UID_DOMAIN}"


def session_description(session: StudySession) -> str:
    """Return the event text: agenda, assigned reading and the online link."""
    parts: list[str] = []
    if session.agenda:
        parts.append(f"{_('Agenda')}:\n{session.agenda}")
    reading = session.reading
    if reading:
        lines = "\n".join(f"- {section.lecture.title} · {section.label}" for section in reading)
        parts.append(f"{_('Assigned reading')}:\n{lines}")
    if session.online_url:
        parts.append(f"{_('Online')}: {session.online_url}")
    if session.is_cancelled:
        parts.append(f"{_('Cancelled')}: {session.cancel_reason}")
    return "\n\n".join(parts)


def session_event(session: StudySession, *, url: str = "") -> icalendar.Event:
    """Return the VEVENT of a session (expects StudySession.objects.for_page())."""
    tz = timezone.get_default_timezone()
    event = icalendar.Event()
    event.add("uid", session_uid(session))
    event.add("dtstamp", session.updated_at.astimezone(UTC))
    event.add("created", session.created_at.astimezone(UTC))
    event.add("last-modified", session.updated_at.astimezone(UTC))
    event.add("dtstart", session.starts_at.astimezone(tz))
    event.add("dtend", session.ends_at.astimezone(tz))
    event.add("summary", f"{session.kind.label}：{session.topic}")
    location = session.location or session.online_url
    if location:
        event.add("location", location)
    description = session_description(session)
    if description:
        event.add("description", description)
    if url:
        event.add("url", url)
    event.add("status", "CANCELLED" if session.is_cancelled else "CONFIRMED")
    return event


def build_calendar(
    sessions: Iterable[StudySession],
    *,
    name: str,
    url_for: Callable[[StudySession], str] | None = None,
) -> bytes:
    """Return a VCALENDAR holding one event per session, as bytes ready to serve."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", str(timezone.get_default_timezone()))
    for session in sessions:
        url = url_for(session) if url_for else ""
        cal.add_component(session_event(session, url=url))
    # Only the zone's recent history: Asia/Shanghai last changed its offsets in 1991.
    cal.add_missing_timezones(first_date=date(2000, 1, 1))
    return cal.to_ical()
