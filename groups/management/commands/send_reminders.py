"""Email members about sessions in the next 24 hours and their unread reading, and managers
their daily follow-up list (for cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from groups.reading.reminders import (
    UPCOMING_HOURS,
    reminders_send_follow_up,
    reminders_send_upcoming,
)


class Command(BaseCommand):
    help = (
        f"Email each expected member about sessions starting in the next {UPCOMING_HOURS} "
        "hours, listing their unread assigned sections. Safe to run repeatedly (e.g. hourly): "
        "nobody gets the same reminder twice. Branch managers also get, at most once a day, the "
        "members absent without leave from several sessions in a row."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--site-url",
            default="",
            help="Address links in the emails start with (default: STUDYHUB_SITE_URL).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        result = reminders_send_upcoming(base_url=options["site_url"])
        self.stdout.write(
            f"Sent {result.sent} reminder(s); {result.already_sent} already sent, "
            f"{result.no_address} without an email address, {result.failed} failed."
        )
        follow_up = reminders_send_follow_up(base_url=options["site_url"])
        self.stdout.write(
            f"Sent {follow_up.sent} follow-up list(s) to managers; "
            f"{follow_up.already_sent} already sent today, "
            f"{follow_up.no_address} without an email address, {follow_up.failed} failed."
        )
        failed = result.failed + follow_up.failed
        if failed:
            # Non-zero for cron: the failed ones are not logged, so the next run retries them.
            raise CommandError(f"{failed} reminder(s) could not be sent.")
