"""Phone numbers and birth dates: in full for those responsible for the member, masked for
everyone else, every roster download on record for the 组织部, and a roster preview that
does not say whose a phone number is."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Value
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from groups import permissions
from groups.exports.services import personal_data_export_record
from groups.exports.writers import iter_csv
from groups.models import Member, PersonalDataExport
from groups.org.masking import mask_birth_date, mask_phone
from groups.org.roster import roster_members, roster_rows
from groups.org.services import roster_import
from tests.groups.factories import PERSONAS

BIRTH = datetime.date(1986, 4, 23)
# 李明 (member_a, 第一党小组 of 第一党支部) and 张伟 (secretary_a) with their details.
LI_PHONE, LI_MASKED, LI_BIRTH, LI_BIRTH_MASKED = (
    "13800000001",
    "138****0001",
    "1986-04-23",
    "1986-**-**",
)
ZHANG_PHONE, ZHANG_MASKED = "13800000003", "138****0003"


@pytest.fixture
def details(org):
    Member.objects.filter(pk=org.member_a.pk).update(birth_date=BIRTH)
    Member.objects.filter(pk=org.secretary_a.pk).update(phone=ZHANG_PHONE)
    for member in (org.member_a, org.secretary_a):
        member.refresh_from_db()
    return org


# --- The masks ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13800000003", "138****0003"),  # a mobile: the carrier's 3 digits and the last 4
        ("8613800000003", "861******0003"),
        ("62345678", "62****78"),  # a landline: a quarter at each end, half hidden at least
        ("6234567", "6*****7"),
        ("", ""),
    ],
)
def test_phone_mask_keeps_the_ends(phone, masked):
    assert mask_phone(phone) == masked


def test_birth_date_mask_keeps_the_year():
    assert mask_birth_date(BIRTH) == "1986-**-**"
    assert mask_birth_date(None) == ""


def test_the_template_filter_shows_in_full_or_masked():
    template = Template(
        "{% load personal_tags %}{{ phone|personal:visible }} {{ born|personal:visible }}"
    )
    context = {"phone": "13800000003", "born": BIRTH}
    assert template.render(Context(context | {"visible": True})) == "13800000003 1986-04-23"
    assert template.render(Context(context | {"visible": False})) == "138****0003 1986-**-**"


def test_a_masked_file_reimported_is_refused_not_saved(details):
    data = (
        "姓名,出生日期,手机号,人员类别,所在支部,所在党小组\r\n"
        f"李明,{LI_BIRTH_MASKED},{LI_MASKED},正式党员,第一党支部,第一党小组\r\n"
    ).encode("utf-8-sig")
    plan = roster_import(data=data, root=details.branch_a)
    assert plan.messages() == [
        "第 2 行：手机号“138****0001”格式不正确。",
        "第 2 行：出生日期“1986-**-**”不是有效日期（格式如 2020-01-05）。",
    ]
    details.member_a.refresh_from_db()
    assert (details.member_a.phone, details.member_a.birth_date) == (LI_PHONE, BIRTH)


# --- Who sees them: one rule ----------------------------------------------------------------

#                      member_a member_b sec_a sec_b sec_parent staff
SEES_MEMBER_A = dict(zip(PERSONAS[1:], [True, False, True, False, True, True], strict=True))


@pytest.mark.parametrize("persona_name", PERSONAS[1:])
def test_only_the_member_and_those_who_manage_them_see_their_details(
    details, persona, persona_name
):
    user = persona(persona_name)
    assert (
        permissions.may_see_personal_details(user, details.member_a) is SEES_MEMBER_A[persona_name]
    )


def test_anonymous_and_plain_users_see_nobody_s_details(details, plain_user):
    for user in (AnonymousUser(), plain_user):
        assert not permissions.may_see_personal_details(user, details.member_a)


@pytest.mark.parametrize("persona_name", PERSONAS[1:])
def test_the_list_annotation_follows_the_same_rule(details, persona, persona_name):
    user = persona(persona_name)
    annotated = permissions.with_personal_details_visible(user, Member.objects.all())
    assert {m.name: m.personal_details_visible for m in annotated} == {
        m.name: permissions.may_see_personal_details(user, m) for m in Member.objects.all()
    }


# --- Pages ------------------------------------------------------------------------------


@pytest.mark.parametrize("persona_name", ["member_a", "secretary_a", "secretary_parent", "staff"])
def test_member_page_shows_details_in_full_to_the_member_and_their_managers(
    details, login, persona_name
):
    page = login(persona_name).get(reverse("groups:member-detail", args=[details.member_a.pk]))
    text = page.content.decode()
    assert LI_PHONE in text and LI_BIRTH in text


@pytest.mark.parametrize("persona_name", ["member_b", "secretary_b"])
def test_member_page_of_someone_else_s_member_shows_nothing(details, login, persona_name):
    page = login(persona_name).get(reverse("groups:member-detail", args=[details.member_a.pk]))
    assert page.status_code == 404
    assert LI_PHONE not in page.content.decode()


def test_member_page_masks_what_the_rule_withholds(details, login, monkeypatch):
    # No one may open a record today without also being allowed its details; the page still
    # asks the rule rather than assuming it, so a wider audience later gets the masks.
    monkeypatch.setattr(permissions, "may_see_personal_details", lambda user, member: False)
    page = login("secretary_a").get(reverse("groups:member-detail", args=[details.member_a.pk]))
    text = page.content.decode()
    assert LI_MASKED in text and LI_BIRTH_MASKED in text
    assert LI_PHONE not in text and LI_BIRTH not in text


def test_branch_page_lists_phones_in_full_to_its_managers(details, login):
    url = reverse("groups:branch-detail", args=[details.branch_a.pk])
    for persona_name in ("secretary_a", "secretary_parent", "staff"):
        text = login(persona_name).get(url).content.decode()
        assert LI_PHONE in text and ZHANG_PHONE in text
    as_member = login("member_a").get(url).content.decode()
    assert ZHANG_PHONE not in as_member and ZHANG_MASKED not in as_member  # no roster at all


def test_branch_page_masks_what_the_rule_withholds(details, login, monkeypatch):
    monkeypatch.setattr(
        permissions,
        "with_personal_details_visible",
        lambda user, members: members.annotate(personal_details_visible=Value(False)),
    )
    text = login("secretary_a").get(reverse("groups:branch-detail", args=[details.branch_a.pk]))
    assert LI_MASKED in text.content.decode() and LI_PHONE not in text.content.decode()


# --- The roster export and its record ----------------------------------------------------


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_roster_csv_in_full_for_the_secretary_and_on_record(details, login):
    response = login("secretary_a").get(
        reverse("groups:roster-export", args=[details.branch_a.pk]) + "?format=csv"
    )
    by_name = {row[0]: row for row in read_csv(response)[1:]}
    assert by_name["李明"][2:4] == [LI_BIRTH, LI_PHONE]
    assert by_name["张伟"][3] == ZHANG_PHONE
    record = PersonalDataExport.objects.get()
    assert (record.username, record.user) == ("secretary_a", details.secretary_a.user)
    assert f"{timezone.localtime(record.exported_at):%Y-%m-%d %H:%M}" == "2026-11-10 16:00"
    assert (record.export, record.file_format, record.branch, record.branch_name) == (
        "roster",
        "csv",
        details.branch_a,
        "第一党支部",
    )
    assert (record.rows, record.unmasked_rows) == (2, 2)


def test_roster_xlsx_in_full_for_staff_and_on_record(details, login):
    response = login("staff").get(
        reverse("groups:roster-export", args=[details.committee.pk]) + "?format=xlsx"
    )
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    by_name = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert by_name["李明"][2].date() == BIRTH  # a date cell, as before
    assert by_name["李明"][3] == LI_PHONE
    record = PersonalDataExport.objects.get()
    assert (record.username, record.file_format, record.branch_name) == (
        "staff",
        "xlsx",
        "县直机关党委",
    )
    assert (record.rows, record.unmasked_rows) == (5, 5)


def test_a_refused_export_is_not_recorded(details, login):
    url = reverse("groups:roster-export", args=[details.branch_a.pk])
    assert login("secretary_b").get(url + "?format=csv").status_code == 404
    assert login("secretary_a").get(url + "?format=pdf").status_code == 404
    assert not PersonalDataExport.objects.exists()


def test_roster_rows_mask_what_the_viewer_may_not_see(details):
    # A file for someone who manages none of them (the member 李明 himself): his own row in
    # full, his secretary's masked, and the record counts them by the same rule.
    viewer = details.member_a.user
    rows = list(roster_rows(root=details.branch_a, viewer=viewer))
    by_name = {row[0]: row for row in csv.reader(io.StringIO("".join(iter_csv(rows))[1:]))}
    assert by_name["李明"][2:4] == [LI_BIRTH, LI_PHONE]
    assert by_name["张伟"][3] == ZHANG_MASKED
    record = personal_data_export_record(
        user=viewer,
        export=PersonalDataExport.Export.ROSTER,
        file_format="csv",
        branch=details.branch_a,
        members=roster_members(details.branch_a),
    )
    assert (record.rows, record.unmasked_rows) == (2, 1)


# Session + user (2), branch (1), can-manage (1), the record's counts (1), savepoint, insert
# and release (3), branches (1), members (1).
ROSTER_EXPORT_QUERIES = 10


@pytest.mark.parametrize("size", ["small", "large"])
def test_roster_export_queries_do_not_grow(details, login, size, django_assert_max_num_queries):
    if size == "large":
        Member.objects.bulk_create(
            Member(name=f"党员{i}", branch=details.group_a, category=details.member_a.category)
            for i in range(300)
        )
    client = login("secretary_parent")
    with django_assert_max_num_queries(ROSTER_EXPORT_QUERIES):
        response = client.get(
            reverse("groups:roster-export", args=[details.committee.pk]) + "?format=csv"
        )
        rows = read_csv(response)
    assert len(rows) == Member.objects.count() + 1


# --- The record in the admin: for the 组织部 to read -------------------------------------


@pytest.fixture
def record(details, login):
    login("secretary_a").get(reverse("groups:roster-export", args=[details.branch_a.pk]))
    return PersonalDataExport.objects.get()


@pytest.fixture
def organisation_department(client, staff):
    staff.groups.add(Group.objects.get(name=permissions.ORGANISATION_DEPARTMENT))
    client.force_login(staff)
    return client


def test_the_organisation_department_reads_the_record_in_the_admin(record, organisation_department):
    client = organisation_department
    page = client.get(reverse("admin:groups_personaldataexport_changelist"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "secretary_a" in text and "第一党支部" in text and "个人信息导出记录" in text
    change = client.get(reverse("admin:groups_personaldataexport_change", args=[record.pk]))
    assert change.status_code == 200
    assert 'name="_save"' not in change.content.decode()  # read-only


def test_nobody_adds_changes_or_deletes_a_record(record, organisation_department, admin_client):
    for client in (organisation_department, admin_client):
        add = client.get(reverse("admin:groups_personaldataexport_add"))
        delete = client.get(reverse("admin:groups_personaldataexport_delete", args=[record.pk]))
        change = client.post(
            reverse("admin:groups_personaldataexport_change", args=[record.pk]),
            {"username": "someone_else", "rows": "0"},
        )
        assert (add.status_code, delete.status_code, change.status_code) == (403, 403, 403)
    record.refresh_from_db()
    assert (record.username, record.rows) == ("secretary_a", 2)


@pytest.mark.parametrize("persona_name", ["member_a", "secretary_a", "secretary_parent"])
def test_the_record_is_not_shown_to_anyone_but_staff(record, login, persona_name):
    response = login(persona_name).get(reverse("admin:groups_personaldataexport_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


# --- The roster preview: probing a phone number tells nothing ----------------------------


def test_probing_phones_in_the_preview_reveals_no_holder(details, login):
    client = login("secretary_a")
    probe = (
        "姓名,手机号,人员类别,所在支部\r\n"
        "赵六,13800000002,正式党员,第一党支部\r\n"  # 王芳's, of the 第二党支部
        "钱七,13700000009,正式党员,第一党支部\r\n"  # nobody's
    ).encode("utf-8-sig")
    client.post(
        reverse("groups:roster-import", args=[details.branch_a.pk]),
        {"file": SimpleUploadedFile("probe.csv", probe)},
    )
    page = client.get(reverse("groups:roster-import-preview", args=[details.branch_a.pk]))
    text = page.content.decode()
    assert "第 2 行：手机号 13800000002 无法在此使用；如号码无误，请联系组织部。" in text
    assert "第 3 行" not in text  # the free number is simply added
    for revealing in ("王芳", "第二党支部", "属于", "以外"):
        assert revealing not in text
    assert not Member.objects.filter(name__in=["赵六", "钱七"]).exists()
