"""Self check-in: tokens and codes (valid, expired, forged, replayed), the window, the pages."""

from __future__ import annotations

import re
from datetime import date, time, timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from groups.checkin import codes
from groups.checkin import services as checkin
from groups.checkin.codes import CheckinError
from groups.models import Attendance, Member, MemberCategory
from tests.groups.factories import local, make_session

# Messages are asserted in English: their Chinese translations come with the lead's pass.
START = local(date(2026, 3, 10), time(14, 30))  # a 90-minute session: 14:30–16:00 local


@pytest.fixture(autouse=True)
def _english_and_fresh_cache(settings, db):
    settings.LANGUAGE_CODE = "en"
    cache.clear()  # wrong-code counters live in the cache (a table, kept by transactional tests)
    yield
    cache.clear()


@pytest.fixture
def session(org):
    return make_session(org.branch_a, starts_at=START)


def row(session, member) -> Attendance:
    return Attendance.objects.get(session=session, member=member)


def token_at(session, now) -> str:
    return codes.checkin_token(session_pk=session.pk, now=now)


def code_at(session, now) -> str:
    return codes.checkin_code(session_pk=session.pk, now=now)


def refusal(**kwargs) -> CheckinError:
    with pytest.raises(CheckinError) as caught:
        checkin.checkin_record(**kwargs)
    return caught.value


# --- The service, time frozen by passing now ------------------------------------------------


def test_a_valid_token_marks_present_and_records_who_and_when(org, session):
    now = START - timedelta(minutes=5)
    user = org.member_a.user
    result = checkin.checkin_record(
        session=session, user=user, token=token_at(session, now), now=now
    )
    assert not result.already
    assert result.message == "Checked in at 2026-03-10 14:25: marked present."
    mark = row(session, org.member_a)
    assert (mark.status, mark.checked_in_at, mark.updated_by) == ("present", now, user)
    assert mark.history.first().history_user == user
    # Only the member's own row changed.
    assert row(session, org.secretary_a).status == ""


def test_after_start_plus_grace_is_late_and_at_the_grace_is_present(org, session):
    at_grace = START + timedelta(minutes=5)
    after_grace = at_grace + timedelta(seconds=1)
    checkin.checkin_record(
        session=session, user=org.member_a.user, token=token_at(session, at_grace), now=at_grace
    )
    result = checkin.checkin_record(
        session=session,
        user=org.secretary_a.user,
        code=code_at(session, after_grace),
        now=after_grace,
    )
    assert row(session, org.member_a).status == "present"
    assert row(session, org.secretary_a).status == "late"
    assert result.message == "Checked in at 2026-03-10 14:35: marked late."


def test_checking_in_twice_keeps_the_first_time(org, session):
    first = START - timedelta(minutes=2)
    later = START + timedelta(minutes=20)
    user = org.member_a.user
    checkin.checkin_record(session=session, user=user, token=token_at(session, first), now=first)
    again = checkin.checkin_record(
        session=session, user=user, code=code_at(session, later), now=later
    )
    assert again.already
    assert again.message == "You already checked in at 2026-03-10 14:28."
    mark = row(session, org.member_a)
    assert (mark.status, mark.checked_in_at) == ("present", first)
    assert mark.history.count() == 1  # the one check-in (the bulk snapshot writes none)


def test_a_token_from_the_previous_window_works_one_two_windows_old_expired(org, session):
    now = START.replace(second=0) + timedelta(seconds=30)
    user = org.member_a.user
    refused = refusal(
        session=session, user=user, token=token_at(session, now - timedelta(minutes=2)), now=now
    )
    assert refused.code == "expired"
    assert str(refused) == "This check-in code has expired. Scan the code shown now."
    assert row(session, org.member_a).status == ""
    # Read at second 59 of the previous window, used now: still fine.
    read_at = now.replace(second=59) - timedelta(minutes=1)
    checkin.checkin_record(session=session, user=user, token=token_at(session, read_at), now=now)
    assert row(session, org.member_a).status == "present"


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # altered signature
        lambda t: t.replace(t.split(":")[1], str(int(t.split(":")[1]) + 5)),  # altered window
        lambda t: "garbage",
        lambda t: "",  # an empty token field is refused by the service too
    ],
)
def test_a_forged_or_altered_token_is_refused(org, session, tamper):
    now = START
    forged = tamper(token_at(session, now))
    refused = refusal(session=session, user=org.member_a.user, token=forged, now=now)
    assert refused.code in {"forged", "missing"}
    assert row(session, org.member_a).status == ""


def test_a_token_signed_with_another_salt_is_refused(org, session):
    from django.core import signing

    now = START
    value = f"{session.pk}:{codes.window_of(now)}"
    other = signing.Signer(salt="studyhub.other", algorithm="sha256").sign(value)
    assert refusal(session=session, user=org.member_a.user, token=other, now=now).code == "forged"


def test_a_token_or_code_of_another_session_marks_nothing(org, session):
    other = make_session(org.branch_a, starts_at=START + timedelta(minutes=10))
    now = START
    user = org.member_a.user
    refused = refusal(session=session, user=user, token=token_at(other, now), now=now)
    assert refused.code == "other"
    assert str(refused) == "This check-in code belongs to another session, not this one."
    refused = refusal(session=session, user=user, code=code_at(other, now), now=now)
    assert refused.code == "wrong"
    assert Attendance.objects.filter(member=org.member_a).exclude(status="").count() == 0


@pytest.mark.parametrize(
    "now,code,message",
    [
        (START - timedelta(minutes=31), "not_open", "opens at 2026-03-10 14:00"),
        (START + timedelta(minutes=90 + 31), "closed", "closed at 2026-03-10 16:30"),
    ],
)
def test_a_session_outside_its_window_is_refused(org, session, now, code, message):
    refused = refusal(
        session=session, user=org.member_a.user, token=token_at(session, now), now=now
    )
    assert refused.code == code
    assert message in str(refused)
    assert row(session, org.member_a).status == ""


def test_the_window_edges_are_inside(org, session):
    opens = START - timedelta(minutes=30)
    closes = START + timedelta(minutes=90 + 30)
    for member, now in ((org.member_a, opens), (org.secretary_a, closes)):
        checkin.checkin_record(
            session=session, user=member.user, token=token_at(session, now), now=now
        )
    assert row(session, org.member_a).status == "present"
    assert row(session, org.secretary_a).status == "late"


def test_the_window_follows_the_settings(org, session, monkeypatch):
    monkeypatch.setattr("groups.conf.CHECKIN_OPENS_BEFORE_MINUTES", 10)
    monkeypatch.setattr("groups.conf.CHECKIN_LATE_GRACE_MINUTES", 0)
    early = START - timedelta(minutes=11)
    assert not checkin.checkin_is_open(session, now=early)
    now = START + timedelta(seconds=1)
    checkin.checkin_record(
        session=session, user=org.member_a.user, token=token_at(session, now), now=now
    )
    assert row(session, org.member_a).status == "late"


def test_a_cancelled_session_is_refused(org, session):
    session.status, session.cancel_reason = "cancelled", "会议室维修"
    session.save()
    refused = refusal(
        session=session, user=org.member_a.user, token=token_at(session, START), now=START
    )
    assert refused.code == "cancelled"
    assert str(refused) == "This session is cancelled: there is nothing to check in to."


def test_a_member_not_expected_is_refused_with_nothing_saved(org, session):
    # 陈静 of the 党委 can see 第一党支部's session but is not on its list.
    refused = refusal(
        session=session,
        user=org.secretary_parent.user,
        token=token_at(session, START),
        now=START,
    )
    assert refused.code == "not_expected"
    assert "not on the list of members expected at this session" in str(refused)
    assert not Attendance.objects.filter(member=org.secretary_parent).exists()


def test_an_excused_member_stays_excused(org, session):
    Attendance.objects.filter(session=session, member=org.member_a).update(status="excused")
    refused = refusal(
        session=session, user=org.member_a.user, token=token_at(session, START), now=START
    )
    assert refused.code == "excused"
    assert "approved leave (excused)" in str(refused)
    assert row(session, org.member_a).status == "excused"
    assert row(session, org.member_a).checked_in_at is None


def test_a_member_marked_absent_who_turns_up_is_checked_in(org, session):
    Attendance.objects.filter(session=session, member=org.member_a).update(status="absent")
    now = START + timedelta(minutes=40)
    checkin.checkin_record(
        session=session, user=org.member_a.user, code=code_at(session, now), now=now
    )
    assert row(session, org.member_a).status == "late"


def test_a_typed_code_with_spaces_works_and_an_old_one_is_expired(org, session):
    now = START
    user = org.member_a.user
    old = code_at(session, now - timedelta(minutes=3))
    refused = refusal(session=session, user=user, code=old, now=now)
    assert (refused.code, str(refused)) == (
        "expired",
        "That code has expired. Type the code shown on the screen now.",
    )
    code = code_at(session, now)
    checkin.checkin_record(session=session, user=user, code=f"{code[:3]} {code[3:]}", now=now)
    assert row(session, org.member_a).status == "present"


def test_codes_are_six_digits_and_differ_by_session_and_minute(org, session):
    other = make_session(org.branch_a, starts_at=START)
    codes = {code_at(s, START + timedelta(minutes=m)) for s in (session, other) for m in range(5)}
    assert len(codes) == 10
    assert all(re.fullmatch(r"\d{6}", code) for code in codes)
    # Same session and minute: the same code (the display refreshes without changing it).
    assert code_at(session, START) == code_at(session, START + timedelta(seconds=59))


def wrong_code(session, now) -> str:
    recent = {code_at(session, now - timedelta(minutes=m)) for m in range(40)}
    return next(f"{n:06d}" for n in range(10**6) if f"{n:06d}" not in recent)


def test_repeated_wrong_codes_are_rate_limited_per_user_and_session(org, session):
    now = START
    user = org.member_a.user
    bad = wrong_code(session, now)
    for _attempt in range(5):
        assert refusal(session=session, user=user, code=bad, now=now).code == "wrong"
    # Now even the right code is refused until the period has passed.
    refused = refusal(session=session, user=user, code=code_at(session, now), now=now)
    assert (refused.code, str(refused)) == (
        "locked",
        "Too many wrong codes. Wait 10 minutes and try again.",
    )
    assert row(session, org.member_a).status == ""
    # Another member at the same session is not locked out.
    checkin.checkin_record(
        session=session, user=org.secretary_a.user, code=code_at(session, now), now=now
    )
    assert row(session, org.secretary_a).status == "present"
    cache.clear()  # the period passing
    checkin.checkin_record(session=session, user=user, code=code_at(session, now), now=now)
    assert row(session, org.member_a).status == "present"


def test_the_general_code_marks_only_the_session_the_code_belongs_to(org, session):
    # 李明 is expected at both: the 党委's session covers its whole subtree.
    committee = make_session(org.committee, starts_at=START)
    now = START
    result = checkin.checkin_with_code(
        user=org.member_a.user, code=code_at(committee, now), now=now
    )
    assert result.attendance.session == committee
    assert row(committee, org.member_a).status == "present"
    assert row(session, org.member_a).status == ""


def test_the_general_code_tries_only_open_sessions_the_member_is_expected_at(org, session):
    later = make_session(org.branch_a, starts_at=START + timedelta(hours=3))
    b_session = make_session(org.branch_b, starts_at=START)
    now = START
    user = org.member_a.user
    assert [s.pk for s in checkin.open_sessions_for(user, now=now)] == [session.pk]
    for other in (later, b_session):
        with pytest.raises(CheckinError) as caught:
            checkin.checkin_with_code(user=user, code=code_at(other, now), now=now)
        assert caught.value.code == "wrong"
    assert not Attendance.objects.filter(member=org.member_a).exclude(status="").exists()
    with pytest.raises(CheckinError) as caught:
        checkin.checkin_with_code(user=user, code="123456", now=now + timedelta(days=1))
    assert str(caught.value) == "None of your sessions is open for check-in right now."


def test_the_general_code_is_rate_limited_too(org, session):
    now = START
    user = org.member_a.user
    bad = wrong_code(session, now)
    for _attempt in range(5):
        with pytest.raises(CheckinError):
            checkin.checkin_with_code(user=user, code=bad, now=now)
    with pytest.raises(CheckinError) as caught:
        checkin.checkin_with_code(user=user, code=code_at(session, now), now=now)
    assert caught.value.code == "locked"


# --- The pages, at the real time: sessions are placed around now ---------------------------


@pytest.fixture
def live(org):
    """第一党支部's session that started 10 minutes ago (late by now)."""
    return make_session(org.branch_a, starts_at=timezone.now() - timedelta(minutes=10))


def qr_link(page: str) -> str:
    match = re.search(
        r'href="(http://testserver/groups/sessions/\d+/check-in/\?token=[^"]+)"', page
    )
    assert match, page
    return match.group(1).replace("&amp;", "&")


def test_the_display_shows_a_qr_svg_code_and_count(org, live, login):
    Attendance.objects.filter(session=live, member=org.secretary_a).update(status="present")
    page = login("secretary_a").get(reverse("groups:checkin-display", args=[live.pk])).content
    page = page.decode()
    link = qr_link(page)
    assert f"/groups/sessions/{live.pk}/check-in/?token={live.pk}%3A" in link
    assert re.search(r'<svg viewBox="0 0 \d+ \d+" class="checkin-qr">.*<path ', page, re.S)
    # Polled by htmx, not <meta refresh>; the reload link serves a browser without JavaScript.
    assert 'http-equiv="refresh"' not in page
    assert 'data-hx-trigger="every 20s"' in page
    assert f'<a href="/groups/sessions/{live.pk}/check-in/display/">Reload now</a>' in page
    code = codes.checkin_code(session_pk=live.pk, now=timezone.now())
    assert f'data-code="{code}"' in page
    assert '<span class="fw-semibold" data-attended>1</span> / <span data-expected>2</span>' in page


def test_the_display_outside_the_window_shows_no_code(org, login):
    later = make_session(org.branch_a, starts_at=timezone.now() + timedelta(hours=2))
    page = login("secretary_a").get(reverse("groups:checkin-display", args=[later.pk]))
    page = page.content.decode()
    assert "Check-in opens at" in page
    assert "<svg" not in page and "token=" not in page


def test_scanning_asks_to_confirm_and_get_changes_nothing(org, live, login):
    client = login("secretary_a")
    link = qr_link(client.get(reverse("groups:checkin-display", args=[live.pk])).content.decode())
    client.force_login(org.member_a.user)
    page = client.get(link).content.decode()
    assert "Check me in" in page
    assert row(live, org.member_a).status == ""
    token = link.split("token=")[1].replace("%3A", ":")
    response = client.post(
        reverse("groups:checkin-session", args=[live.pk]), {"token": token}, follow=True
    )
    assert response.redirect_chain[-1][0] == live.get_absolute_url()
    assert "marked late" in response.content.decode()
    assert row(live, org.member_a).status == "late"
    page = client.get(link).content.decode()
    assert "You already checked in at" in page and "Check me in" not in page


def test_a_logged_out_scan_goes_through_login_and_back_to_the_check_in(org, live, client):
    token = codes.checkin_token(session_pk=live.pk, now=timezone.now())
    url = f"{reverse('groups:checkin-session', args=[live.pk])}?token={token}"
    response = client.get(url)
    assert response.status_code == 302
    login_url = response["Location"]
    assert login_url.startswith(reverse("login"))
    response = client.post(
        login_url, {"username": "member_a", "password": "pw-member_a"}, follow=True
    )
    assert response.redirect_chain[-1][0] == url
    assert "Check me in" in response.content.decode()
    response = client.post(
        reverse("groups:checkin-session", args=[live.pk]), {"token": token}, follow=True
    )
    assert "Checked in at" in response.content.decode()
    assert row(live, org.member_a).status == "late"


@pytest.mark.parametrize(
    "token,message",
    [
        ("forged", "This check-in link is not valid"),
        ("expired", "This check-in code has expired"),
    ],
)
def test_a_bad_link_says_why_and_offers_the_code_form(org, live, login, token, message):
    now = timezone.now()
    value = {
        "forged": codes.checkin_token(session_pk=live.pk, now=now)[:-2] + "xx",
        "expired": codes.checkin_token(session_pk=live.pk, now=now - timedelta(minutes=3)),
    }[token]
    client = login("member_a")
    url = reverse("groups:checkin-session", args=[live.pk])
    assert message in client.get(url, {"token": value}).content.decode()
    response = client.post(url, {"token": value}, follow=True)
    page = response.content.decode()
    assert message in page
    assert 'name="code"' in page
    assert row(live, org.member_a).status == ""


def test_typing_the_code_on_the_session_page(org, live, login):
    client = login("member_a")
    url = reverse("groups:checkin-session", args=[live.pk])
    response = client.post(url, {"code": "12"}, follow=True)
    assert "Type the 6 digits shown on the screen." in response.content.decode()
    code = codes.checkin_code(session_pk=live.pk, now=timezone.now())
    response = client.post(url, {"code": code}, follow=True)
    assert "marked late" in response.content.decode()
    assert row(live, org.member_a).status == "late"


def test_the_general_check_in_page(org, live, login):
    client = login("member_a")
    page = client.get(reverse("groups:checkin")).content.decode()
    assert live.topic in page
    code = codes.checkin_code(session_pk=live.pk, now=timezone.now())
    response = client.post(reverse("groups:checkin"), {"code": code}, follow=True)
    assert response.redirect_chain[-1][0] == live.get_absolute_url()
    assert row(live, org.member_a).status == "late"
    page = login("member_b").get(reverse("groups:checkin")).content.decode()
    assert "None of your sessions is open for check-in right now." in page


def test_a_member_not_expected_sees_why_on_the_page(org, live, login):
    page = login("secretary_parent").get(reverse("groups:checkin-session", args=[live.pk]))
    assert "not on the list of members expected" in page.content.decode()
    response = login("member_b").get(reverse("groups:checkin-session", args=[live.pk]))
    assert response.status_code == 404
    assert "Nothing was recorded." in response.content.decode()


def test_the_session_page_links_to_check_in_while_open(org, live, login):
    page = login("secretary_a").get(live.get_absolute_url()).content.decode()
    assert reverse("groups:checkin-display", args=[live.pk]) in page
    assert reverse("groups:checkin-session", args=[live.pk]) in page
    page = login("member_a").get(live.get_absolute_url()).content.decode()
    assert reverse("groups:checkin-display", args=[live.pk]) not in page
    assert reverse("groups:checkin-session", args=[live.pk]) in page
    later = make_session(org.branch_a, starts_at=timezone.now() + timedelta(days=1))
    page = login("secretary_a").get(later.get_absolute_url()).content.decode()
    assert reverse("groups:checkin-display", args=[later.pk]) not in page
    assert 'id="checkin-panel"' not in page


# Session + user (2), the session with its page's relations (1) and reading (1), the
# may-manage check (1), the headcount (1).
DISPLAY_QUERIES = 6


@pytest.mark.parametrize("size", [2, 302])
def test_the_display_queries_do_not_grow(org, login, size, django_assert_max_num_queries):
    category = MemberCategory.objects.get(code=MemberCategory.FULL)
    Member.objects.bulk_create(
        Member(name=f"党员{n}", branch=org.group_a, category=category) for n in range(size - 2)
    )
    live = make_session(org.branch_a, starts_at=timezone.now())
    client = login("secretary_a")
    with django_assert_max_num_queries(DISPLAY_QUERIES):
        page = client.get(reverse("groups:checkin-display", args=[live.pk])).content.decode()
    assert f"<span data-expected>{size}</span>" in page
