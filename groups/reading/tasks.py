"""The reminders as a Celery beat task (hourly): the same code as `manage.py send_reminders`."""

from __future__ import annotations

from celery import shared_task

from groups.reading.reminders import reminders_send_follow_up, reminders_send_upcoming


@shared_task
def send_reminders() -> dict[str, int]:
    """Send the upcoming-session reminders and the managers' follow-up lists; return counts."""
    upcoming = reminders_send_upcoming(base_url="")
    follow_up = reminders_send_follow_up(base_url="")
    return {
        "sent": upcoming.sent,
        "failed": upcoming.failed,
        "follow_up_sent": follow_up.sent,
        "follow_up_failed": follow_up.failed,
    }
