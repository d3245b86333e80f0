"""Leave that can no longer be decided: refused once present, withdrawn when it cannot stand."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from groups.attendance import services as attendance
from groups.checkin import codes
from groups.checkin import services as checkin
from groups.leave import services as leave
from groups.models import Attendance, LeaveRequest, MakeUpStudy, Member
from groups.org import services as org_services
from groups.sessions import services as scheduling
from tests.groups.factories import make_session


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def soon(org):
    """第一党支部's 集中学习 in 20 minutes: check-in is already open."""
    return make_session(org.branch_a, starts_at=timezone.now() + timedelta(minutes=20))


def ask(client, session, reason="临时出差"):
    return client.post(
        reverse("groups:leave-ask", args=[session.pk]), {"reason": reason}, follow=True
    )


def check_in(session, member):
    now = timezone.now()
    token = codes.checkin_token(session_pk=session.pk, now=now)
    return checkin.checkin_record(session=session, user=member.user, token=token, now=now)


def status_of(session, member) -> str:
    return Attendance.objects.get(session=session, member=member).status


def test_leave_asked_after_checking_in_is_refused_on_the_page(org, soon, login):
    check_in(soon, org.member_a)
    client = login("member_a")
    before = client.get(soon.get_absolute_url()).content.decode()
    assert "You are already marked present at this session" in before
    assert reverse("groups:leave-ask", args=[soon.pk]) not in before  # no form to fill in

    page = ask(client, soon).content.decode()
    assert "You are already marked present at this session" in page
    assert not LeaveRequest.objects.exists()
    assert status_of(soon, org.member_a) == "present"


def test_leave_asked_after_checking_in_is_refused_in_chinese(org, soon, login, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    check_in(soon, org.member_a)
    page = ask(login("member_a"), soon).content.decode()
    assert "您已登记为出席本次活动，不能再请假。" in page


def test_checking_in_withdraws_the_pending_request_and_tells_the_member(
    org, soon, login, django_capture_on_commit_callbacks
):
    org.member_a.user.email = "liming@example.cn"
    org.member_a.user.save()
    ask(login("member_a"), soon)
    # The email leaves only once the check-in is committed.
    with django_capture_on_commit_callbacks(execute=True):
        check_in(soon, org.member_a)

    request = LeaveRequest.objects.get()
    assert (request.status, request.withdrawn_because) == ("withdrawn", "attended")
    page = login("member_a").get(soon.get_absolute_url()).content.decode()
    assert 'data-leave-status="withdrawn"' in page
    assert "withdrawn because you were marked present" in page
    assert [m.to for m in mail.outbox] == [["liming@example.cn"]]
    assert "withdrawn because you were marked present" in mail.outbox[0].body
    # Nothing is left on the managers' list that they could not approve.
    pending = login("secretary_a").get(reverse("groups:leave-pending")).content.decode()
    assert "No pending leave requests" in pending


@pytest.mark.parametrize("status", ["present", "late"])
def test_a_manager_marking_present_or_late_withdraws_the_request(org, soon, status):
    leave.leave_request(session=soon, member=org.member_a, reason="临时出差")
    attendance.attendance_record(
        session=soon, member=org.member_a, status=status, by=org.secretary_a.user, before_start=True
    )
    assert LeaveRequest.objects.get().status == "withdrawn"


def test_saving_the_whole_sheet_present_withdraws_and_absent_keeps_the_request(org, soon):
    leave.leave_request(session=soon, member=org.member_a, reason="临时出差")
    leave.leave_request(session=soon, member=org.secretary_a, reason="开会")
    attendance.attendance_save_sheet(
        session=soon,
        entries={org.member_a.pk: ("present", ""), org.secretary_a.pk: ("absent", "")},
        by=org.secretary_parent.user,
        before_start=True,
    )
    by_member = dict(LeaveRequest.objects.values_list("member__name", "status"))
    # Marked absent, 张伟's request can still be approved (it turns the absence into 请假).
    assert by_member == {"李明": "withdrawn", "张伟": "pending"}


def test_mark_all_present_leaves_members_waiting_for_their_leave_decision(org, soon):
    leave.leave_request(session=soon, member=org.member_a, reason="临时出差")
    count = attendance.attendance_mark_all_present(
        session=soon, by=org.secretary_a.user, before_start=True
    )
    assert status_of(soon, org.member_a) == ""
    assert status_of(soon, org.secretary_a) == "present"
    assert count == Attendance.objects.filter(session=soon).count() - 1
    leave.leave_approve(request=LeaveRequest.objects.get(), by=org.secretary_a.user)
    assert status_of(soon, org.member_a) == "excused"


def test_cancelling_a_session_withdraws_its_pending_leave_and_drops_untouched_makeup(org, soon):
    leave.leave_request(session=soon, member=org.member_a, reason="临时出差")
    leave.leave_request(session=soon, member=org.secretary_a, reason="开会")
    leave.leave_approve(
        request=LeaveRequest.objects.get(member=org.secretary_a), by=org.secretary_parent.user
    )
    scheduling.session_cancel(session=soon, reason="上级会议冲突")
    request = LeaveRequest.objects.get(member=org.member_a)
    assert (request.status, request.withdrawn_because) == ("withdrawn", "cancelled")
    # No 补学 of a session that did not take place.
    assert not MakeUpStudy.objects.filter(attendance__session=soon).exists()


def test_a_member_no_longer_expected_has_their_pending_request_withdrawn(org, login):
    later = make_session(org.branch_a)
    leave.leave_request(session=later, member=org.member_a, reason="临时出差")
    org_services.member_transfer(member=org.member_a, branch=org.branch_b)
    request = LeaveRequest.objects.get()
    assert (request.status, request.withdrawn_because) == ("withdrawn", "not_expected")
    assert not Attendance.objects.filter(session=later, member=org.member_a).exists()
    assert Member.objects.get(pk=org.member_a.pk).branch == org.branch_b


def test_after_a_withdrawal_the_member_may_ask_again_before_the_start(org, soon, login):
    leave.leave_request(session=soon, member=org.member_a, reason="临时出差")
    check_in(soon, org.member_a)
    attendance.attendance_record(
        session=soon,
        member=org.member_a,
        status="absent",
        by=org.secretary_a.user,
        before_start=True,
    )
    page = ask(login("member_a"), soon, reason="家中急事").content.decode()
    assert "Your leave request was sent" in page
    assert LeaveRequest.objects.filter(status="pending").count() == 1
