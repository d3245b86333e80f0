"""Attendance taken before the session starts: confirmed, recorded as such, no quorum claimed."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from groups.checkin import codes
from groups.checkin import services as checkin
from groups.models import SessionKind
from tests.groups.factories import P, make_session

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def meeting(org):
    """第一党支部's 支部党员大会 tomorrow: 张伟 and 李明 (both full members) are expected."""
    return make_session(org.branch_a, SessionKind.GENERAL_MEETING)


def url(name: str, *args) -> str:
    return reverse(f"groups:{name}", args=args)


def statuses(session) -> dict[str, str]:
    return dict(session.attendance.values_list("member__name", "status"))


def sheet(session, org, **extra) -> dict[str, str]:
    return {f"status-{org.member_a.pk}": P, f"status-{org.secretary_a.pk}": P, **extra}


def test_the_sheet_before_the_start_asks_to_confirm_and_saves_nothing_without(login, meeting, org):
    client = login("secretary_a")
    page = client.get(url("attendance-take", meeting.pk)).content.decode()
    assert "This session has not started yet" in page
    assert 'name="confirm_early"' in page

    page = client.post(url("attendance-take", meeting.pk), sheet(meeting, org), follow=True)
    assert "Confirm that you are taking attendance in advance" in page.content.decode()
    assert statuses(meeting) == {"张伟": "", "李明": ""}


def test_confirmed_early_attendance_is_saved_and_marked_as_taken_before_the_start(
    login, meeting, org
):
    client = login("secretary_a")
    page = client.post(
        url("attendance-take", meeting.pk), sheet(meeting, org, confirm_early="on"), follow=True
    ).content.decode()
    assert "Attendance saved: 2 changes." in page
    assert "2 entries were recorded before the session started." in page
    row = meeting.attendance.get(member=org.member_a)
    assert row.recorded_before_start and row.updated_by == org.secretary_a.user
    # The history keeps who, when and that it was before the start.
    latest = row.history.first()
    assert latest.recorded_before_start and latest.history_user == org.secretary_a.user


def test_mark_all_present_before_the_start_needs_the_confirmation(login, meeting):
    client = login("secretary_a")
    refused = client.post(url("attendance-mark-all", meeting.pk), follow=True).content.decode()
    assert "The session has not started yet" in refused
    assert set(statuses(meeting).values()) == {""}

    done = client.post(
        url("attendance-mark-all", meeting.pk), {"confirm_early": "on"}, follow=True
    ).content.decode()
    assert "2 members marked present." in done
    assert meeting.attendance.filter(recorded_before_start=True).count() == 2


def test_a_click_before_the_start_shows_the_reason_in_the_row(login, meeting, org):
    client = login("secretary_a")
    member = org.member_a.pk
    row_url = url("attendance-row", meeting.pk, member)
    refused = client.post(row_url, {f"status-{member}": P}, **HTMX).content.decode()
    assert 'role="alert"' in refused and "The session has not started yet" in refused
    saved = client.post(row_url, {f"status-{member}": P, "confirm_early": "on"}, **HTMX)
    assert saved["HX-Trigger"] == "attendance-changed"
    assert statuses(meeting)["李明"] == "present"


def test_quorum_is_not_claimed_before_the_start_even_with_everyone_marked(
    login, meeting, org, settings
):
    settings.LANGUAGE_CODE = "zh-hans"
    client = login("secretary_a")
    client.post(url("attendance-take", meeting.pk), sheet(meeting, org, confirm_early="on"))
    page = client.get(meeting.get_absolute_url()).content.decode()
    assert "已达法定人数" not in page
    assert 'data-quorum="expected"' in page
    assert "至少需 2 名（共 2 名）正式党员出席" in page

    with time_machine.travel(meeting.starts_at + timedelta(minutes=1)):
        started = client.get(meeting.get_absolute_url()).content.decode()
    assert "已达法定人数" in started and 'data-quorum="reached"' in started


def test_the_printed_record_claims_no_quorum_before_the_start(login, meeting, org):
    client = login("secretary_a")
    client.post(url("attendance-take", meeting.pk), sheet(meeting, org, confirm_early="on"))
    record = client.get(url("minutes-record", meeting.pk)).content.decode()
    assert "Quorum reached" not in record


def test_checking_in_inside_the_window_needs_no_confirmation(org):
    session = make_session(org.branch_a, starts_at=timezone.now() + timedelta(minutes=20))
    now = timezone.now()
    token = codes.checkin_token(session_pk=session.pk, now=now)
    checkin.checkin_record(session=session, user=org.member_a.user, token=token, now=now)
    row = session.attendance.get(member=org.member_a)
    assert (row.status, row.recorded_before_start) == ("present", False)
