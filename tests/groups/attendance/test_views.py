"""The attendance page: grouped by 党小组, htmx clicks, the plain form, history, 签到表, admin."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from groups.attendance.services import attendance_record
from groups.models import Attendance, Member, MemberCategory
from tests.groups.factories import A, E, L, P, add_member, big_session, started_session

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _english(settings):
    # The new strings have no Chinese yet; assert the English ones.
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def session(org):
    """A 主题党日 of 第一党支部: 张伟 in the branch itself, 李明 and 赵强 in its 第一党小组."""
    add_member("赵强", org.group_a, category=MemberCategory.PROBATIONARY)
    return started_session(org.branch_a, "themed_day", location="党员活动室", host=org.secretary_a)


def status_of(session, name: str) -> str:
    return session.attendance.get(member__name=name).status


def url(name: str, *args) -> str:
    return reverse(f"groups:{name}", args=args)


def test_the_page_groups_expected_members_by_their_party_group(login, session):
    page = login("secretary_a").get(url("attendance-take", session.pk)).content.decode()
    headings = re.findall(r'scope="rowgroup">([^<]+?) <', page)
    assert headings == ["第一党支部", "第一党小组"]
    names = re.findall(r'<th scope="row" class="fw-normal att-name">([^<]+)</th>', page)
    assert names == ["张伟", "李明", "赵强"]
    assert page.count('type="radio"') == 12
    assert "vendor/htmx/htmx.min.js" in page
    assert 'data-hx-headers=\'{"X-CSRFToken": "' in page


def test_a_click_saves_at_once_and_returns_the_row(login, session, org):
    client = login("secretary_a")
    member = org.member_a.pk
    response = client.post(
        url("attendance-row", session.pk, member),
        {f"status-{member}": L, f"note-{member}": "堵车"},
        **HTMX,
    )
    assert response.status_code == 200
    assert response["HX-Trigger"] == "attendance-changed"
    row = response.content.decode()
    assert row.startswith("<tr") and row.rstrip().endswith("</tr>")
    assert f'id="status-{member}-late" value="late" autocomplete="off" checked' in row
    assert 'value="堵车"' in row and "Saved" in row
    saved = session.attendance.get(member=org.member_a)
    assert (saved.status, saved.note, saved.updated_by) == (L, "堵车", org.secretary_a.user)
    assert saved.history.get().history_user == org.secretary_a.user


def test_a_bad_status_is_shown_in_the_row_and_not_saved(login, session, org):
    member = org.member_a.pk
    response = login("secretary_a").post(
        url("attendance-row", session.pk, member), {f"status-{member}": "maybe"}, **HTMX
    )
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert status_of(session, "李明") == ""


def test_the_row_without_javascript_saves_and_redirects_back(login, session, org):
    member = org.member_a.pk
    response = login("secretary_a").post(
        url("attendance-row", session.pk, member), {f"status-{member}": A}
    )
    assert response.status_code == 302
    assert response["Location"] == url("attendance-take", session.pk) + f"#attendance-{member}"
    assert status_of(session, "李明") == A


def test_the_whole_form_without_javascript_saves_every_row(login, session, org):
    zhao = Member.objects.get(name="赵强").pk
    client = login("secretary_a")
    response = client.post(
        url("attendance-take", session.pk),
        {
            "seen_at": timezone.now().isoformat(),
            f"status-{org.secretary_a.pk}": P,
            f"note-{org.secretary_a.pk}": "",
            f"status-{org.member_a.pk}": E,
            f"note-{org.member_a.pk}": "外出培训",
            f"note-{zhao}": "",
        },
        follow=True,
    )
    assert response.redirect_chain == [(url("attendance-take", session.pk), 302)]
    assert "Attendance saved: 2 changes." in response.content.decode()
    assert dict(session.attendance.values_list("member__name", "status")) == {
        "张伟": P,
        "李明": E,
        "赵强": "",
    }
    assert session.attendance.get(member=org.member_a).note == "外出培训"


def test_mark_all_present_then_change_the_exceptions(login, session, org):
    client = login("secretary_a")
    client.post(
        url("attendance-row", session.pk, org.member_a.pk), {f"status-{org.member_a.pk}": A}
    )
    response = client.post(url("attendance-mark-all", session.pk), follow=True)
    assert "2 members marked present." in response.content.decode()
    assert dict(session.attendance.values_list("member__name", "status")) == {
        "张伟": P,
        "李明": A,
        "赵强": P,
    }
    assert client.get(url("attendance-mark-all", session.pk)).status_code == 405


def test_the_headcounts_box_reloads_with_the_new_numbers(login, session, org):
    client = login("secretary_a")
    attendance_record(session=session, member=org.member_a, status=L, by=None)
    box = client.get(url("attendance-headcounts", session.pk)).content.decode()
    assert 'data-count="attended">1 <' in box
    assert 'data-count="not_recorded">2<' in box
    assert 'data-hx-trigger="attendance-changed from:body"' in box


def test_the_history_page_lists_each_change_with_who(login, session, org):
    row = session.attendance.get(member=org.member_a)
    attendance_record(attendance=row, status=A, by=org.secretary_a.user)
    attendance_record(attendance=row, status=E, note="补假条", by=org.secretary_parent.user)
    page = login("secretary_a").get(url("attendance-history", session.pk, org.member_a.pk))
    text = page.content.decode()
    rows = re.findall(r"<tr>\s*<td class=\"text-nowrap\">.*?</tr>", text, re.S)
    assert len(rows) == 2
    assert "陈静" in rows[0] and "excused" in rows[0] and "补假条" in rows[0]
    assert "张伟" in rows[1] and "absent" in rows[1]
    take = login("secretary_a").get(url("attendance-take", session.pk)).content.decode()
    assert url("attendance-history", session.pk, org.member_a.pk) in take


def test_the_sign_in_sheet_is_printable(login, session):
    page = login("secretary_a").get(url("attendance-signin-sheet", session.pk)).content.decode()
    assert "css/signin-sheet.css" in page and "js/print.js" in page
    assert 'id="print-sheet" data-print' in page
    assert 'class="no-print' in page
    assert "学习新时代党的组织路线" in page and "党员活动室" in page and "张伟" in page
    assert re.findall(r'<td class="text-center">(\d+)</td>\s*<td>([^<]+)</td>', page) == [
        ("1", "张伟"),
        ("2", "李明"),
        ("3", "赵强"),
    ]
    assert page.count('class="signature"') == 3
    assert 'data-count="expected">3<' in page
    assert 'data-count="attended">&nbsp;<' in page


def test_a_cancelled_session_is_read_only(login, session, org):
    from groups.sessions.services import session_cancel

    session_cancel(session=session, reason="台风")
    client = login("secretary_a")
    page = client.get(url("attendance-take", session.pk)).content.decode()
    assert "Mark the" not in page and " disabled>" in page
    response = client.post(
        url("attendance-take", session.pk), {f"status-{org.member_a.pk}": P}, follow=True
    )
    assert "cancelled" in response.content.decode()
    assert status_of(session, "李明") == ""


@pytest.mark.parametrize("members", [5, 300])
def test_the_page_runs_the_same_queries_for_5_or_300_members(
    client, django_assert_max_num_queries, members
):
    session, secretary = big_session(members)
    client.force_login(secretary)
    # session + its reading + may-manage check, the sheet (one query), the headcounts
    # (one aggregate), and the request's session and user.
    with django_assert_max_num_queries(8):
        response = client.get(url("attendance-take", session.pk))
    assert response.content.decode().count('type="radio"') == 4 * members
    with django_assert_max_num_queries(7):
        client.get(url("attendance-signin-sheet", session.pk))


def test_mark_all_present_writes_in_bulk(client, django_assert_max_num_queries):
    session, secretary = big_session(300)
    client.force_login(secretary)
    # The lookups above, one locking SELECT, one UPDATE and the history INSERTs in batches
    # (one on PostgreSQL; SQLite's limit on variables splits 270 rows into four).
    with django_assert_max_num_queries(14):
        client.post(url("attendance-mark-all", session.pk))
    assert session.attendance.filter(status=P).count() == 270


def test_the_admin_refuses_to_delete_a_session_with_attendance(admin_client, session, org):
    attendance_record(session=session, member=org.member_a, status=P, by=None)
    delete = reverse("admin:groups_studysession_delete", args=[session.pk])
    page = admin_client.get(delete)
    assert page.status_code == 200
    assert "attendance was taken (1 members)" in page.content.decode()
    assert admin_client.post(delete, {"post": "yes"}).status_code == 200
    assert session.attendance.count() == 3
    changelist = reverse("admin:groups_studysession_changelist")
    action = admin_client.post(
        changelist, {"action": "delete_selected", "_selected_action": [session.pk], "post": "yes"}
    )
    assert action.status_code == 200
    assert "cancel it instead" in action.content.decode()


def test_the_admin_deletes_a_session_nobody_marked(admin_client, session):
    delete = reverse("admin:groups_studysession_delete", args=[session.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 302
    assert not Attendance.objects.exists()


def test_the_admin_shows_attendance_history(admin_client, session, org):
    row = attendance_record(session=session, member=org.member_a, status=P, by=None)
    change = reverse("admin:groups_attendance_change", args=[row.pk])
    response = admin_client.post(change, {"status": L, "note": "后台更正"})
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.status, row.note) == (L, "后台更正")
    assert row.history.first().history_user.username == "admin"
    history = admin_client.get(reverse("admin:groups_attendance_history", args=[row.pk]))
    assert history.status_code == 200
    assert admin_client.post(change, {"status": "", "note": ""}).status_code == 200
    row.refresh_from_db()
    assert row.status == L


def test_a_session_of_hundreds_shows_one_group_at_a_time_and_saves_back_to_it(
    client, django_assert_max_num_queries
):
    session, secretary = big_session(501)  # the secretary and 100 in each of five 党小组
    client.force_login(secretary)
    with django_assert_max_num_queries(9):
        page = client.get(url("attendance-take", session.pk)).content.decode()
    assert "the sheet shows one of its 6 groups at a time" in page
    # The 支部 itself (its secretary) comes first; each group link says recorded/expected.
    assert page.count('type="radio"') == 4 * 1
    second = session.attendance.filter(member__name="党员001").get().member_branch
    assert f'href="?group={second.pk}"' in page and "50/100" in page

    page = client.get(url("attendance-take", session.pk), {"group": second.pk}).content.decode()
    assert page.count('type="radio"') == 4 * 100
    assert f'name="group" value="{second.pk}"' in page
    member = Member.objects.get(name="党员001")
    response = client.post(
        url("attendance-take", session.pk),
        {"group": str(second.pk), f"status-{member.pk}": "late", "seen_at": ""},
    )
    assert response["Location"] == f"{url('attendance-take', session.pk)}?group={second.pk}"
    assert session.attendance.get(member=member).status == "late"
    # The printed sign-in sheet still lists everyone.
    sheet = client.get(url("attendance-signin-sheet", session.pk)).content.decode()
    assert "党员499" in sheet and "党员000" in sheet
    # An unknown group shows the first.
    assert client.get(url("attendance-take", session.pk), {"group": "9" * 20}).status_code == 200
