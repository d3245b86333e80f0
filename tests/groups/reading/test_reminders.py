"""`send_reminders`: sessions in the next 24 hours and unread reading, never twice."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from groups.models import ReminderLog, SessionKind
from groups.reading import reminders
from groups.reading import services as reading
from tests.groups.factories import make_reading, make_session


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"
    settings.STUDYHUB_SITE_URL = "https://study.example.org/"


@pytest.fixture
def books(org):
    for member in (org.member_a, org.member_b, org.secretary_a, org.secretary_b):
        member.user.email = f"{member.user.username}@example.org"
        member.user.save()
    books = make_reading(org)
    # Tomorrow's sessions start in three hours, whatever the time the tests run at.
    soon = timezone.now() + timedelta(hours=3)
    for session in (books.session_a, books.session_b):
        session.starts_at, session.ends_at = soon, soon + timedelta(minutes=90)
        session.save()
    return books


def run() -> str:
    out = io.StringIO()
    call_command("send_reminders", stdout=out)
    return out.getvalue()


def test_members_expected_tomorrow_get_one_email_each(org, books):
    reading.reading_mark_read(member=org.secretary_a, section=books.sections[0])
    output = run()
    # Soon: 第一党支部 (李明, 张伟) and 第二党支部 (王芳, 刘洋); the 党课 is in 10 days.
    # 陈静 has no email address.
    assert sorted(m.to[0] for m in mail.outbox) == [
        "member_a@example.org",
        "member_b@example.org",
        "secretary_a@example.org",
        "secretary_b@example.org",
    ]
    assert "Sent 4 reminder(s); 0 already sent, 0 without an email address" in output

    to_member_a = next(m for m in mail.outbox if m.to == ["member_a@example.org"])
    assert "学习新时代党的组织路线" in to_member_a.subject
    assert "Dear comrade 李明," in to_member_a.body
    assert "一、坚持党的全面领导" in to_member_a.body
    assert "https://study.example.org" + books.sections[0].get_absolute_url() in to_member_a.body
    # 张伟 has read the first section: only the second is listed.
    to_secretary = next(m for m in mail.outbox if m.to == ["secretary_a@example.org"])
    assert "一、坚持党的全面领导" not in to_secretary.body
    assert "二、加强基层组织建设" in to_secretary.body
    assert to_secretary.content_subtype == "plain"


def test_running_twice_sends_nothing_twice(org, books):
    run()
    sent = len(mail.outbox)
    output = run()
    assert len(mail.outbox) == sent == 4
    assert "Sent 0 reminder(s); 4 already sent" in output
    assert ReminderLog.objects.filter(kind=ReminderLog.Kind.UPCOMING).count() == 4


def test_a_new_session_still_gets_its_reminders(org, books):
    run()
    mail.outbox.clear()
    make_session(org.branch_b, topic="临时加开的学习")
    run()
    assert sorted(m.to[0] for m in mail.outbox) == [
        "member_b@example.org",
        "secretary_b@example.org",
    ]


def test_cancelled_past_and_later_sessions_are_left_alone(org, books):
    for session in (books.session_a, books.session_b):
        session.status = "cancelled"
        session.cancel_reason = "改期"
        session.save()
    make_session(org.branch_a, topic="昨天", starts_at=timezone.now() - timedelta(days=1))
    make_session(org.branch_a, topic="后天", starts_at=timezone.now() + timedelta(hours=30))
    assert "Sent 0 reminder(s)" in run()
    assert mail.outbox == []


def test_a_committee_meeting_reminds_the_committee_only(org, books):
    for session in (books.session_a, books.session_b):
        session.delete()
    make_session(org.branch_a, SessionKind.COMMITTEE_MEETING, topic="支委会")
    run()
    assert [m.to for m in mail.outbox] == [["secretary_a@example.org"]]


def test_a_failed_send_is_retried_next_time(org, books, monkeypatch):
    from django.core.mail import EmailMessage

    original = EmailMessage.send

    def flaky(self, *args, **kwargs):
        if self.to == ["member_a@example.org"]:
            raise OSError("mail server down")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(EmailMessage, "send", flaky)
    with pytest.raises(CommandError, match="1 reminder"):
        run()
    assert len(mail.outbox) == 3
    monkeypatch.setattr(EmailMessage, "send", original)
    run()
    assert [m.to for m in mail.outbox[3:]] == [["member_a@example.org"]]


def test_the_service_counts_members_without_an_address(org, books):
    result = reminders.reminders_send_upcoming(now=books.session_c.starts_at - timedelta(hours=12))
    # The 党课 expects all five; 陈静 has no address.
    assert (result.sent, result.no_address) == (4, 1)
