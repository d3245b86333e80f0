"""Leave (请假) and make-up study (补学): ask, approve or reject; submit and confirm."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from groups.leave import makeup
from groups.leave import services as leave
from groups.models import Attendance, LeaveRequest, MakeUpStudy, Minutes
from groups.reports.filters import ReportFilters
from groups.reports.members import member_rows
from tests.groups.factories import make_session, make_sessions, mark, missed


@pytest.fixture(autouse=True)
def _english(settings):
    # The strings of these pages have no Chinese translation yet: read them in English.
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def sessions(org):
    return make_sessions(org)


def row(session, member) -> Attendance:
    return Attendance.objects.get(session=session, member=member)


def ask(client, session, reason="到省委党校参加培训"):
    url = reverse("groups:leave-ask", args=[session.pk])
    return client.post(url, {"reason": reason}, follow=True)


# --- Leave --------------------------------------------------------------------------------


def test_ask_then_approve_excuses_the_member_and_gives_a_makeup_task(org, sessions, login):
    session = sessions.upcoming
    page = ask(login("member_a"), session).content.decode()
    assert "Your leave request was sent" in page
    assert 'data-leave-status="pending"' in page
    assert "到省委党校参加培训" in page

    client = login("secretary_a")
    pending = client.get(reverse("groups:leave-pending")).content.decode()
    assert "李明" in pending and "到省委党校参加培训" in pending and "八月集中学习" in pending
    request = LeaveRequest.objects.get()
    page = client.post(reverse("groups:leave-approve", args=[request.pk]), follow=True)
    assert "Approved 李明" in page.content.decode()

    request.refresh_from_db()
    assert request.status == "approved" and request.decided_by == org.secretary_a.user
    attendance = row(session, org.member_a)
    assert attendance.status == "excused"
    assert attendance.note == "到省委党校参加培训"
    # Who changed the status, and when, is in the row's history.
    latest = attendance.history.first()
    assert latest.status == "excused" and latest.history_user == org.secretary_a.user
    task = MakeUpStudy.objects.get(attendance=attendance)
    assert not task.is_done

    member_page = login("member_a").get(session.get_absolute_url()).content.decode()
    assert 'data-leave-status="approved"' in member_page
    assert reverse("groups:makeup-detail", args=[task.pk]) in member_page
    pending = login("secretary_a").get(reverse("groups:leave-pending")).content.decode()
    assert "No pending leave requests" in pending


def test_reject_leaves_the_attendance_and_tells_the_member_why(org, sessions, login):
    session = sessions.upcoming
    ask(login("member_a"), session)
    request = LeaveRequest.objects.get()
    client = login("secretary_a")
    url = reverse("groups:leave-reject", args=[request.pk])

    page = client.post(url, {"note": ""}, follow=True).content.decode()
    assert "Say why the request is rejected." in page
    assert LeaveRequest.objects.get().status == "pending"

    client.post(url, {"note": "支部党员大会须全员参加"})
    request.refresh_from_db()
    assert request.status == "rejected" and request.decision_note == "支部党员大会须全员参加"
    assert row(session, org.member_a).status == ""
    assert not MakeUpStudy.objects.exists()

    page = login("member_a").get(session.get_absolute_url()).content.decode()
    assert 'data-leave-status="rejected"' in page and "支部党员大会须全员参加" in page
    # After a rejection the member may ask again: the constraint binds open requests only.
    assert (
        "Your leave request was sent"
        in ask(login("member_a"), session, "家中有事").content.decode()
    )
    assert LeaveRequest.objects.filter(status="pending").count() == 1


def test_leave_cannot_be_asked_once_the_session_has_started(org, login):
    started = make_session(org.branch_a, starts_at=timezone.now() - timedelta(minutes=5))
    page = ask(login("member_a"), started).content.decode()
    assert "Leave can only be asked for before the session starts." in page
    assert not LeaveRequest.objects.exists()
    assert "Ask for leave" not in page


def test_leave_is_only_for_a_session_one_is_expected_at(org, sessions, login):
    # 陈静 manages the 党委 and sees the session, but it expects only 第一党支部's members.
    page = ask(login("secretary_parent"), sessions.upcoming).content.decode()
    assert "You are not expected at this session." in page
    assert "Ask for leave" not in page
    # 王芳 of 第二党支部 cannot even see it.
    assert ask(login("member_b"), sessions.upcoming).status_code == 404
    assert not LeaveRequest.objects.exists()


def test_leave_is_asked_once(org, sessions, login):
    client = login("member_a")
    ask(client, sessions.upcoming)
    page = ask(client, sessions.upcoming, "再次请假").content.decode()
    assert "You have already asked for leave from this session." in page
    assert LeaveRequest.objects.count() == 1
    # The database refuses a second open request even past the service's check.
    with pytest.raises(IntegrityError), transaction.atomic():
        LeaveRequest.objects.create(session=sessions.upcoming, member=org.member_a, reason="x")


def test_an_empty_reason_is_refused(org, sessions, login):
    page = ask(login("member_a"), sessions.upcoming, "   ").content.decode()
    assert "This field is required." in page
    assert not LeaveRequest.objects.exists()


def test_nobody_decides_their_own_leave(org, sessions):
    request = leave.leave_request(session=sessions.upcoming, member=org.secretary_a, reason="出差")
    with pytest.raises(ValidationError, match="Someone else must decide"):
        leave.leave_approve(request=request, by=org.secretary_a.user)
    leave.leave_approve(request=request, by=org.secretary_parent.user)
    assert row(sessions.upcoming, org.secretary_a).status == "excused"


def test_a_decided_request_is_not_decided_again(org, sessions):
    request = leave.leave_request(session=sessions.upcoming, member=org.member_a, reason="出差")
    leave.leave_reject(request=request, by=org.secretary_a.user, note="不批准")
    with pytest.raises(ValidationError, match="already been decided"):
        leave.leave_approve(request=request, by=org.secretary_a.user)
    assert row(sessions.upcoming, org.member_a).status == ""


def test_approving_a_member_already_marked_present_is_refused(org, sessions):
    request = leave.leave_request(session=sessions.upcoming, member=org.member_a, reason="出差")
    mark(sessions.upcoming, org.member_a, "present")
    with pytest.raises(ValidationError, match="already marked present"):
        leave.leave_approve(request=request, by=org.secretary_a.user)
    assert LeaveRequest.objects.get().status == "pending"
    assert not MakeUpStudy.objects.exists()


# --- Make-up study ------------------------------------------------------------------------


def test_sync_gives_every_excused_and_absent_member_one_task(org, sessions):
    past = sessions.past
    mark(past, org.member_a, "absent")
    mark(past, org.secretary_a, "present")
    assert makeup.makeup_sync(session=past) == 1
    assert makeup.makeup_sync(session=past) == 0  # idempotent
    assert list(MakeUpStudy.objects.values_list("attendance__member__name", flat=True)) == ["李明"]
    # Marked present after all: the untouched task goes.
    mark(past, org.member_a, "present")
    makeup.makeup_sync(session=past)
    assert not MakeUpStudy.objects.exists()


def test_makeup_page_shows_the_reading_and_minutes_then_submit_and_confirm(org, sessions, login):
    past = sessions.past
    task = missed(past, org.member_a)
    Minutes.objects.create(
        session=past, topics="学习党章第五章", resolutions="每月开展一次主题党日"
    )
    client = login("member_a")
    url = reverse("groups:makeup-detail", args=[task.pk])
    page = client.get(url).content.decode()
    assert "坚持党的全面领导" in page and "加强基层组织建设" in page
    assert "学习党章第五章" in page and "每月开展一次主题党日" in page

    mine = client.get(reverse("groups:makeup-mine")).content.decode()
    assert "七月集中学习" in mine and "to do" in mine

    assert "This field is required." in client.post(url, {"note": ""}).content.decode()
    too_long = client.post(url, {"note": "学" * 2001}).content.decode()
    assert "at most 2000 characters" in too_long
    task.refresh_from_db()
    assert task.submitted_at is None

    page = client.post(url, {"note": "深刻认识了党的组织路线。"}, follow=True).content.decode()
    assert "submitted for confirmation" in page
    task.refresh_from_db()
    assert task.note == "深刻认识了党的组织路线。" and task.submitted_at is not None

    manager = login("secretary_a")
    review = manager.get(reverse("groups:makeup-review")).content.decode()
    assert "李明" in review and "七月集中学习" in review
    assert "深刻认识了党的组织路线。" in manager.get(url).content.decode()
    page = manager.post(reverse("groups:makeup-confirm", args=[task.pk]), follow=True)
    assert "Confirmed 李明" in page.content.decode()
    task.refresh_from_db()
    assert task.is_done and task.confirmed_by == org.secretary_a.user
    assert "Nothing to confirm." in manager.get(reverse("groups:makeup-review")).content.decode()


def test_reports_count_a_confirmed_makeup_as_done(org, sessions):
    task = missed(sessions.past, org.member_a)
    filters = ReportFilters(
        start=timezone.localdate() - timedelta(days=30), end=timezone.localdate(), root=org.branch_a
    )

    def done() -> int:
        return next(r.makeup_done for r in member_rows(filters) if r.name == "李明")

    makeup.makeup_submit(makeup=task, note="心得")
    assert done() == 0  # submitted is not done yet
    makeup.makeup_confirm(makeup=task, by=org.secretary_a.user)
    assert done() == 1


def test_makeup_rules(org, sessions):
    upcoming_task = missed(sessions.upcoming, org.member_a, "excused")
    with pytest.raises(ValidationError, match="not taken place yet"):
        makeup.makeup_submit(makeup=upcoming_task, note="心得")
    task = missed(sessions.past, org.secretary_a)
    with pytest.raises(ValidationError, match="not submitted"):
        makeup.makeup_confirm(makeup=task, by=org.secretary_parent.user)
    makeup.makeup_submit(makeup=task, note="心得")
    with pytest.raises(ValidationError, match="Someone else must confirm"):
        makeup.makeup_confirm(makeup=task, by=org.secretary_a.user)
    makeup.makeup_confirm(makeup=task, by=org.secretary_parent.user)
    with pytest.raises(ValidationError, match="already confirmed"):
        makeup.makeup_submit(makeup=task, note="改写")


def test_a_member_sees_only_their_own_makeup(org, sessions, login):
    from tests.groups.factories import add_member

    colleague = add_member("赵强", org.group_a, username="colleague")
    task = missed(sessions.past, org.member_a)
    client = login("member_a")  # the same client, now signed in as the colleague
    client.force_login(colleague.user)
    assert client.get(reverse("groups:makeup-detail", args=[task.pk])).status_code == 404
    assert "七月集中学习" not in client.get(reverse("groups:makeup-mine")).content.decode()
