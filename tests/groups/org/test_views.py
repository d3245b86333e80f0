"""Organisation pages: what each persona sees, the roster upload flow, query counts."""

from __future__ import annotations

import csv
import datetime
import io
import random
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from groups.models import Branch, BranchKind, Member, MemberCategory
from groups.org.roster import HEADERS
from groups.org.views import BRANCH_PAGE_MEMBERS
from tests.groups.factories import add_branch

ROSTER = (
    "姓名,性别,出生日期,手机号,人员类别,入党时间,转正时间,所在支部,所在党小组\r\n"
    "赵磊,男,1985-03-12,13900000011,正式党员,2008-07-01,2009-07-01,第一党支部,\r\n"
    "孙丽,女,1990-05-06,13900000012,预备党员,2025-01-05,,第一党支部,第一党小组\r\n"
).encode("utf-8-sig")


def test_branch_list_shows_a_member_their_branches_with_counts(org, login):
    page = login("member_a").get(reverse("groups:branch-list")).content.decode()
    assert "县直机关党委" in page and "第一党支部" in page
    assert "第二党支部" not in page


def test_branch_page_shows_roster_only_to_managers(org, login):
    url = reverse("groups:branch-detail", args=[org.branch_a.pk])
    as_member = login("member_a").get(url).content.decode()
    assert "张伟" in as_member  # the secretary, in the committee list
    assert "13800000001" not in as_member
    assert reverse("groups:roster-import", args=[org.branch_a.pk]) not in as_member
    as_secretary = login("secretary_a").get(url).content.decode()
    assert "13800000001" in as_secretary  # 李明's phone in the 第一党小组 table
    assert reverse("groups:roster-import", args=[org.branch_a.pk]) in as_secretary


def test_member_page_shows_dated_history(org, login):
    from groups.org.services import member_transfer

    member_transfer(member=org.member_a, branch=org.branch_a, on=datetime.date(2024, 3, 1))
    page = login("member_a").get(reverse("groups:member-detail", args=[org.member_a.pk]))
    text = page.content.decode()
    assert "2020-01-01 – 2024-03-01" in text
    assert "第一党小组" in text


def test_member_me_redirects_to_own_record(org, login):
    response = login("member_b").get(reverse("groups:member-me"))
    assert response["Location"] == reverse("groups:member-detail", args=[org.member_b.pk])


def confirm(client, preview_url, capture):
    """Confirm the previewed roster; its job runs (no broker: in this process); open its page."""
    with capture(execute=True):
        response = client.post(preview_url, {"confirm": "1"})
    return client.get(response["Location"])


def test_roster_upload_preview_confirm(org, login, django_capture_on_commit_callbacks):
    client = login("secretary_a")
    url = reverse("groups:roster-import", args=[org.branch_a.pk])
    response = client.post(url, {"file": SimpleUploadedFile("名册.csv", ROSTER)})
    preview_url = reverse("groups:roster-import-preview", args=[org.branch_a.pk])
    assert response["Location"] == preview_url
    page = client.get(preview_url).content.decode()
    assert "新增2人，更新0人，0人无变化" in page
    assert not Member.objects.filter(name="赵磊").exists()  # the preview saves nothing
    response = confirm(client, preview_url, django_capture_on_commit_callbacks)
    page = response.content.decode()
    assert "花名册已导入：新增 2 人，更新 0 人，0 人无变化。" in page
    assert Member.objects.get(name="孙丽").branch == org.group_a
    job = response.context["job"]
    download = client.get(reverse("jobs:job-download", args=[job.pk]))
    results = b"".join(download.streaming_content).decode("utf-8-sig").splitlines()
    assert results == ["行号,姓名,党组织,结果", "2,赵磊,第一党支部,新增", "3,孙丽,第一党小组,新增"]
    assert client.get(preview_url)["Location"].endswith("/import/")  # the upload is used up
    other = login("secretary_b")
    assert other.get(reverse("jobs:job-download", args=[job.pk])).status_code == 404


def test_a_roster_that_no_longer_fits_is_not_imported_and_says_why(
    org, login, django_capture_on_commit_callbacks
):
    client = login("secretary_a")
    client.post(
        reverse("groups:roster-import", args=[org.branch_a.pk]),
        {"file": SimpleUploadedFile("名册.csv", ROSTER)},
    )
    preview_url = reverse("groups:roster-import-preview", args=[org.branch_a.pk])
    assert "新增2人" in client.get(preview_url).content.decode()
    org.group_a.name = "改名的党小组"  # renamed between the preview and the confirmation
    org.group_a.save()
    page = confirm(client, preview_url, django_capture_on_commit_callbacks).content.decode()
    assert "未导入任何内容" in page and "第 3 行" in page
    assert not Member.objects.filter(name__in=["赵磊", "孙丽"]).exists()


def test_roster_preview_lists_row_errors_and_offers_no_import(org, login):
    client = login("secretary_a")
    bad = ROSTER + "王五,男,1985-3-40,,正式党员,,,第二党支部,\r\n".encode()
    client.post(
        reverse("groups:roster-import", args=[org.branch_a.pk]),
        {"file": SimpleUploadedFile("r.csv", bad)},
    )
    preview_url = reverse("groups:roster-import-preview", args=[org.branch_a.pk])
    page = client.get(preview_url).content.decode()
    assert "第 4 行：出生日期“1985-3-40”不是有效日期" in page
    assert "第 4 行：未知党组织“第二党支部”。" in page
    assert 'name="confirm"' not in page
    client.post(preview_url, {"confirm": "1"})  # a forged confirm still saves nothing
    assert not Member.objects.filter(name="赵磊").exists()


def test_roster_upload_refuses_other_file_types(org, login):
    response = login("secretary_a").post(
        reverse("groups:roster-import", args=[org.branch_a.pk]),
        {"file": SimpleUploadedFile("r.pdf", b"%PDF")},
    )
    assert "请上传 .csv 或 .xlsx 文件。" in response.content.decode()


def test_roster_export_downloads(org, login):
    client = login("secretary_a")
    url = reverse("groups:roster-export", args=[org.branch_a.pk])
    response = client.get(url + "?format=csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == HEADERS
    assert sorted(row[0] for row in rows[1:]) == ["张伟", "李明"]
    response = client.get(url + "?format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [row[0] for row in sheet.iter_rows(values_only=True)] == ["姓名", "张伟", "李明"]


# --- Query counts: the same bound for 5 members and for 600 -----------------------------

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂"


def grow(org, *, branches: int = 20, members: int = 600) -> None:
    """Add branches under the 党委 (each with a 党小组) and spread members over them."""
    rng = random.Random(3)
    targets = []
    for index in range(branches):
        branch = add_branch(f"生成党支部{index}", f"gen{index}", BranchKind.BRANCH, org.committee)
        targets += [branch, add_branch("党小组", f"gen{index}g", BranchKind.GROUP, branch)]
    full = MemberCategory.objects.get(code=MemberCategory.FULL)
    Member.objects.bulk_create(
        Member(
            name=rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
            branch=targets[index % len(targets)] if index % 3 else org.group_a,
            category=full,
        )
        for index in range(members)
    )


# Session + user (2), visible branches (1), their member counts (1), managed ids (1).
BRANCH_LIST_QUERIES = 5
# Session + user (2), branch (1), can-manage (1), ancestors (1), roles (1), children and
# their member counts (2), and the roster: not-activated counts (1), members a branch (1),
# total (1), the page (1).
BRANCH_PAGE_QUERIES = 12


@pytest.mark.parametrize("size", ["small", "large"])
@pytest.mark.parametrize("persona_name", ["secretary_parent", "staff"])
def test_branch_list_queries_do_not_grow(
    org, login, size, persona_name, django_assert_max_num_queries
):
    if size == "large":
        grow(org)
    client = login(persona_name)
    with django_assert_max_num_queries(BRANCH_LIST_QUERIES):
        response = client.get(reverse("groups:branch-list"))
    assert response.status_code == 200
    expected = Branch.objects.count()
    assert len(re.findall(r'href="/groups/branches/\d+/"', response.content.decode())) == expected


@pytest.mark.parametrize("size", ["small", "large"])
@pytest.mark.parametrize("target", ["committee", "branch_a"])
def test_branch_page_queries_do_not_grow(org, login, size, target, django_assert_max_num_queries):
    if size == "large":
        grow(org)
    client = login("secretary_parent")
    branch = getattr(org, target)
    with django_assert_max_num_queries(BRANCH_PAGE_QUERIES):
        response = client.get(reverse("groups:branch-detail", args=[branch.pk]))
    assert response.status_code == 200
    shown = response.content.decode().count('href="/groups/members/')
    assert shown == min(Member.objects.in_subtree(branch).count(), BRANCH_PAGE_MEMBERS)


def test_a_committee_page_lists_its_members_a_hundred_at_a_time(org, login):
    grow(org)
    total = Member.objects.active().in_subtree(org.committee).count()
    assert total > 2 * BRANCH_PAGE_MEMBERS
    client = login("secretary_parent")
    url = reverse("groups:branch-detail", args=[org.committee.pk])
    first = client.get(url).content.decode()
    assert first.count('href="/groups/members/') == BRANCH_PAGE_MEMBERS
    assert f"{total}人" in first
    pages = -(-total // BRANCH_PAGE_MEMBERS)
    assert f"第1页，共{pages}页" in first and 'href="?page=2#members"' in first
    last = client.get(url, {"page": pages}).content.decode()
    assert last.count('href="/groups/members/') == total - (pages - 1) * BRANCH_PAGE_MEMBERS
    # Each 党支部's heading counts all its members, not just those on this page.
    branch = Member.objects.in_subtree(org.committee).order_by("branch__path").last().branch
    assert f"{branch.kind.name} · {branch.members.active().count()}<" in last


def test_the_branch_page_finds_a_member_by_name(org, login):
    client = login("secretary_parent")
    url = reverse("groups:branch-detail", args=[org.committee.pk])
    page = client.get(url, {"q": "李明"}).content.decode()
    assert page.count('href="/groups/members/') == 1 and "李明" in page
    page = client.get(url, {"q": "不存在"}).content.decode()
    assert "没有姓名包含“不存在”的党员。" in page


def test_an_xlsx_roster_is_read_once_for_the_preview_and_the_confirmation(
    org, login, monkeypatch, django_capture_on_commit_callbacks
):
    from openpyxl import Workbook

    from groups.org import roster, views

    workbook = Workbook()
    workbook.active.append(["姓名", "性别", "出生日期", "手机号", "人员类别", "所在支部"])
    workbook.active.append(
        ["周强", "男", datetime.date(1979, 10, 1), 13900000021, "正式党员", "第一党支部"]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    client = login("secretary_a")
    upload = SimpleUploadedFile("名册.xlsx", buffer.getvalue())
    client.post(reverse("groups:roster-import", args=[org.branch_a.pk]), {"file": upload})

    def read_again(*args, **kwargs):
        raise AssertionError("the roster file was read again")

    monkeypatch.setattr(roster, "parse_roster", read_again)
    monkeypatch.setattr(views, "parse_roster", read_again)
    preview_url = reverse("groups:roster-import-preview", args=[org.branch_a.pk])
    assert "1979-10-01" in client.get(preview_url).content.decode()
    confirm(client, preview_url, django_capture_on_commit_callbacks)
    zhou = Member.objects.get(name="周强")
    assert (zhou.birth_date, zhou.phone) == (datetime.date(1979, 10, 1), "13900000021")
