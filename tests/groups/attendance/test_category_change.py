"""转正 and other roster changes reach the 应到 of sessions not yet held, whichever path made
them: a roster import (web page or command), the admin's member form or its role pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.forms import MultiWidget
from django.urls import reverse
from django.utils import timezone

from groups.attendance.headcounts import session_headcounts
from groups.models import Attendance, BranchRole, Member, MemberCategory, SessionKind
from groups.org.services import roster_import
from tests.groups.factories import add_member, local, make_session

pytestmark = pytest.mark.django_db

HEADER = "姓名,手机号,人员类别,所在支部,所在党小组"


@pytest.fixture
def probationer(org):
    """赵预备, a 预备党员 of 第一党小组, expected at a held and an upcoming 党员大会."""
    member = add_member(
        "赵预备", org.group_a, category=MemberCategory.PROBATIONARY, phone="13900000099"
    )
    held = make_session(
        org.branch_a,
        SessionKind.GENERAL_MEETING,
        starts_at=local(timezone.localdate() - timedelta(days=30)),
    )
    held.attendance.update(status=Attendance.Status.PRESENT)
    upcoming = make_session(org.branch_a, SessionKind.GENERAL_MEETING)
    return member, held, upcoming


def row_of(session, member) -> tuple[str, bool]:
    row = session.attendance.select_related("category").get(member=member)
    return row.category.name, row.has_vote


def roster(category: str) -> bytes:
    return f"{HEADER}\r\n赵预备,13900000099,{category},第一党支部,第一党小组\r\n".encode()


def assert_made_full(member, held, upcoming) -> None:
    assert row_of(upcoming, member) == ("正式党员", True)
    assert session_headcounts(upcoming).quorum.entitled == 3  # 李明, 张伟 and now 赵预备
    assert row_of(held, member) == ("预备党员", False)  # the record of a held meeting stays


def test_full_membership_by_roster_import_reaches_the_upcoming_meeting(probationer):
    member, held, upcoming = probationer
    assert session_headcounts(upcoming).quorum.entitled == 2
    plan = roster_import(data=roster("正式党员"), filename="名册.csv")
    assert plan.counts["update"] == 1
    assert_made_full(member, held, upcoming)


def test_full_membership_by_the_import_page(
    probationer, org, login, django_capture_on_commit_callbacks
):
    member, _held, upcoming = probationer
    client = login("secretary_parent")
    upload = reverse("groups:roster-import", args=[org.committee.pk])
    client.post(upload, {"file": SimpleUploadedFile("名册.csv", roster("正式党员"))})
    preview = reverse("groups:roster-import-preview", args=[org.committee.pk])
    with django_capture_on_commit_callbacks(execute=True):  # the import's job, in process
        client.post(preview, {"confirm": "1"})
    assert row_of(upcoming, member) == ("正式党员", True)


def test_full_membership_by_the_command(probationer, tmp_path):
    member, _held, upcoming = probationer
    path = tmp_path / "名册.csv"
    path.write_bytes(roster("正式党员"))
    call_command("import_roster", str(path))
    assert row_of(upcoming, member) == ("正式党员", True)


def test_an_excused_upcoming_row_takes_the_new_category_too(probationer):
    member, _held, upcoming = probationer
    upcoming.attendance.filter(member=member).update(status=Attendance.Status.EXCUSED)
    roster_import(data=roster("正式党员"), filename="名册.csv")
    assert row_of(upcoming, member) == ("正式党员", True)
    assert upcoming.attendance.get(member=member).status == Attendance.Status.EXCUSED


def test_a_member_who_becomes_a_non_member_leaves_the_upcoming_meeting(probationer):
    member, held, upcoming = probationer
    roster_import(data=roster("群众"), filename="名册.csv")
    assert not upcoming.attendance.filter(member=member).exists()
    assert held.attendance.filter(member=member).exists()


def admin_form_data(response) -> dict[str, object]:
    """Return what the admin change page would post back unchanged, inlines included."""
    data: dict[str, object] = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        data.update({management.add_prefix(n): management[n].value() for n in management.fields})
        forms.extend(formset.forms)
    for form in forms:
        for name in form.fields:
            bound = form[name]
            value = bound.value()
            if isinstance(bound.field.widget, MultiWidget):  # the admin's split date and time
                parts = bound.field.widget.decompress(value)
                data.update({f"{bound.html_name}_{i}": p for i, p in enumerate(parts) if p})
            elif value is not None and value is not False:
                data[bound.html_name] = "on" if value is True else value
    return {k: v for k, v in data.items() if not (isinstance(v, list) and not v)}


def test_full_membership_by_the_admin_member_form(probationer, admin_client):
    member, held, upcoming = probationer
    url = reverse("admin:groups_member_change", args=[member.pk])
    data = admin_form_data(admin_client.get(url))
    data["category"] = MemberCategory.objects.get(code=MemberCategory.FULL).pk
    data["full_member_on"] = "2026-11-01"
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert_made_full(member, held, upcoming)


def test_a_move_in_the_admin_is_a_dated_transfer_and_moves_the_snapshot(
    probationer, org, admin_client
):
    member, _held, upcoming = probationer
    elsewhere = make_session(org.branch_b, SessionKind.GENERAL_MEETING)
    url = reverse("admin:groups_member_change", args=[member.pk])
    data = admin_form_data(admin_client.get(url))
    data["branch"] = org.group_b.pk
    assert admin_client.post(url, data).status_code == 302
    member = Member.objects.get(pk=member.pk)
    assert member.branch == org.group_b
    assert list(member.periods.values_list("branch__code", "ended_on")) == [
        ("a1", timezone.localdate()),
        ("b1", None),
    ]
    assert not upcoming.attendance.filter(member=member).exists()
    assert elsewhere.attendance.filter(member=member).exists()


def test_a_committee_role_added_in_the_admin_joins_the_upcoming_committee_meeting(
    org, admin_client
):
    meeting = make_session(org.branch_a, SessionKind.COMMITTEE_MEETING)
    response = admin_client.post(
        reverse("admin:groups_branchrole_add"),
        {
            "member": org.member_a.pk,
            "branch": org.branch_a.pk,
            "role": BranchRole.Role.ORGANISATION,
            "started_on": "2026-01-01",
        },
    )
    assert response.status_code == 302
    assert meeting.attendance.filter(member=org.member_a).exists()
    role = BranchRole.objects.get(member=org.member_a, role=BranchRole.Role.ORGANISATION)
    admin_client.post(reverse("admin:groups_branchrole_delete", args=[role.pk]), {"post": "yes"})
    assert not meeting.attendance.filter(member=org.member_a).exists()
