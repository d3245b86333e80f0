"""The managers' daily follow-up email (send_reminders): who gets it, what it says, once a day."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from groups.models import ReminderLog
from groups.reading.reminders import reminders_send_follow_up
from tests.groups.factories import build_record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings):
    # The new email strings have no Chinese translation yet; assert the English msgids.
    settings.LANGUAGE_CODE = "en"
    settings.STUDYHUB_SITE_URL = "https://study.example.org/"


@pytest.fixture
def record(org):
    for member in (org.member_a, org.secretary_a, org.secretary_b, org.secretary_parent):
        member.user.email = f"{member.user.username}@example.org"
        member.user.save()
    return build_record(org)


# The dashboard and the email list the last 12 months: the record's spring was then.
@pytest.mark.now("2025-06-03T16:00+08:00")
def test_managers_of_the_member_get_the_list_once_a_day(record):
    result = reminders_send_follow_up()
    # 孙丽 is now in 第二党支部: its secretary and the 党委's; not 第一党支部's, not members.
    assert sorted(m.to[0] for m in mail.outbox) == [
        "secretary_b@example.org",
        "secretary_parent@example.org",
    ]
    assert (result.sent, result.already_sent) == (2, 0)
    email = next(m for m in mail.outbox if m.to == ["secretary_b@example.org"])
    assert email.subject == "[StudyHub] 1 member to follow up"
    assert "last 3 sessions in a row" in email.body
    assert "- 孙丽 (第一党小组): 2025-02-14 – 2025-03-20" in email.body
    assert "https://study.example.org" + reverse("groups:report-follow-up") in email.body

    again = reminders_send_follow_up()
    assert (again.sent, again.already_sent) == (0, 2)
    assert len(mail.outbox) == 2
    tomorrow = reminders_send_follow_up(now=timezone.now() + timedelta(days=1))
    assert tomorrow.sent == 2 and len(mail.outbox) == 4


def test_the_database_refuses_a_second_list_the_same_day(record):
    user = record.org.secretary_b.user
    today = timezone.localdate()
    ReminderLog.objects.create(user=user, kind=ReminderLog.Kind.FOLLOW_UP, sent_on=today)
    with pytest.raises(IntegrityError):
        ReminderLog.objects.create(user=user, kind=ReminderLog.Kind.FOLLOW_UP, sent_on=today)


def test_nothing_to_follow_up_sends_nothing(org):
    assert reminders_send_follow_up().sent == 0
    assert mail.outbox == []


# The dashboard and the email list the last 12 months: the record's spring was then.
@pytest.mark.now("2025-06-03T16:00+08:00")
def test_send_reminders_reports_the_follow_up_lists(record):
    out = io.StringIO()
    call_command("send_reminders", stdout=out)
    assert "Sent 2 follow-up list(s) to managers; 0 already sent today" in out.getvalue()
    out = io.StringIO()
    call_command("send_reminders", stdout=out)
    assert "Sent 0 follow-up list(s) to managers; 2 already sent today" in out.getvalue()
