"""Email reminders: sessions in the next 24 hours (cron), unread reading (a manager's button),
and each manager's follow-up list of members absent several sessions in a row (cron, daily).

Each email is sent inside its own transaction together with its ReminderLog row, whose
unique constraints make a second run send nothing twice, even two runs at once. One
failing address must not cancel the others, so the functions are not atomic as a whole.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from groups import conf
from groups.models import Member, ReadingAssignment, ReadingProgress, ReminderLog, StudySession
from groups.reading.selectors import unread_by_member
from groups.reports.follow_up import follow_up_by_manager
from groups.sessions.selectors import expected_members
from lessons.models import Section

logger = logging.getLogger(__name__)

UPCOMING_HOURS = 24


@dataclass
class ReminderResult:
    sent: int = 0
    already_sent: int = 0
    no_address: int = 0
    failed: int = 0


def site_url(base_url: str = "") -> str:
    """Return the address links in emails start with (STUDYHUB_SITE_URL unless given)."""
    return (base_url or settings.STUDYHUB_SITE_URL).rstrip("/")


def render_email(template: str, context: dict[str, Any]) -> tuple[str, str]:
    """Return the subject and plain-text body of an email, in the site's language."""
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string(f"emails/{template}_subject.txt", context)
        body = render_to_string(f"emails/{template}.txt", context)
    return " ".join(subject.split()), body


TEMPLATES = {
    ReminderLog.Kind.UPCOMING: "session_reminder",
    ReminderLog.Kind.UNREAD: "unread_reminder",
}


def _send_once(
    *,
    member: Member,
    session: StudySession,
    kind: str,
    unread: list[Section],
    today: date,
    base: str,
    connection: Any,
    result: ReminderResult,
) -> None:
    """Log and send one reminder unless its log row exists; count what happened."""
    user = member.user
    if not user.email or not user.is_active:
        result.no_address += 1
        return
    context = {
        "member": member,
        "session": session,
        "unread": [(section, base + section.get_absolute_url()) for section in unread],
        "home_url": base + reverse("home"),
    }
    _log_and_send(
        log=ReminderLog(user=user, session=session, kind=kind, sent_on=today),
        message=render_email(TEMPLATES[kind], context),
        connection=connection,
        result=result,
    )


def _log_and_send(
    *, log: ReminderLog, message: tuple[str, str], connection: Any, result: ReminderResult
) -> None:
    """Save the log row and send the email in one transaction; count what happened.

    The log's unique constraints turn a second send into an IntegrityError (already sent).
    """
    subject, body = message
    try:
        with transaction.atomic():
            log.save()
            EmailMessage(subject, body, to=[log.user.email], connection=connection).send()
    except IntegrityError:
        result.already_sent += 1
    except Exception:
        logger.exception("Could not send a %s reminder to user %s", log.kind, log.user_id)
        result.failed += 1
    else:
        result.sent += 1


def reminders_send_upcoming(*, now: datetime | None = None, base_url: str = "") -> ReminderResult:
    """Email each expected member about sessions in the next 24 h with their unread reading."""
    now = now or timezone.now()
    base = site_url(base_url)
    today = timezone.localdate(now)
    result = ReminderResult()
    sessions = (
        StudySession.objects.not_cancelled()
        .filter(starts_at__gt=now, starts_at__lte=now + timedelta(hours=UPCOMING_HOURS))
        .select_related("branch", "kind")
    )
    with get_connection() as connection:
        for session in sessions:
            sections = [
                a.section
                for a in ReadingAssignment.objects.filter(session=session)
                .select_related("section")
                .defer("section__body")
            ]
            expected = expected_members(session)
            done = set(
                ReminderLog.objects.filter(
                    session=session, kind=ReminderLog.Kind.UPCOMING
                ).values_list("user_id", flat=True)
            )
            read = set(
                ReadingProgress.objects.filter(
                    member__in=expected.values("pk"),
                    section__in=[s.pk for s in sections],
                    read_at__isnull=False,
                ).values_list("member_id", "section_id")
            )
            for member in expected.filter(user__isnull=False).select_related("user"):
                if member.user_id in done:
                    result.already_sent += 1
                    continue
                _send_once(
                    member=member,
                    session=session,
                    kind=ReminderLog.Kind.UPCOMING,
                    unread=[s for s in sections if (member.pk, s.pk) not in read],
                    today=today,
                    base=base,
                    connection=connection,
                    result=result,
                )
    return result


def reminders_send_unread(
    *, session: StudySession, base_url: str = "", today: date | None = None
) -> ReminderResult:
    """Email the expected members who have not read all of a session's reading, once a day."""
    base = site_url(base_url)
    today = today or timezone.localdate()
    result = ReminderResult()
    done = set(
        ReminderLog.objects.filter(
            session=session, kind=ReminderLog.Kind.UNREAD, sent_on=today
        ).values_list("user_id", flat=True)
    )
    with get_connection() as connection:
        for member, unread in unread_by_member(session).items():
            if member.user_id in done:
                result.already_sent += 1
                continue
            _send_once(
                member=member,
                session=session,
                kind=ReminderLog.Kind.UNREAD,
                unread=unread,
                today=today,
                base=base,
                connection=connection,
                result=result,
            )
    return result


def reminders_send_follow_up(*, now: datetime | None = None, base_url: str = "") -> ReminderResult:
    """Email each branch manager their follow-up list, at most once a day (none if empty)."""
    now = now or timezone.now()
    base = site_url(base_url)
    today = timezone.localdate(now)
    result = ReminderResult()
    lists = follow_up_by_manager(now=now)
    done = set(
        ReminderLog.objects.filter(
            kind=ReminderLog.Kind.FOLLOW_UP, sent_on=today, user__in=list(lists)
        ).values_list("user_id", flat=True)
    )
    users = get_user_model().objects.filter(pk__in=[pk for pk in lists if pk not in done])
    result.already_sent = len(done)
    with get_connection() as connection:
        for user in users:
            if not user.email:
                result.no_address += 1
                continue
            context = {
                "user": user,
                "rows": lists[user.pk],
                "absences": conf.FOLLOW_UP_ABSENCES,
                "reports_url": base + reverse("groups:report-follow-up"),
            }
            _log_and_send(
                log=ReminderLog(user=user, kind=ReminderLog.Kind.FOLLOW_UP, sent_on=today),
                message=render_email("follow_up_reminder", context),
                connection=connection,
                result=result,
            )
    return result
