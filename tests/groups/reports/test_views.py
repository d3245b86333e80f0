"""Report pages on the hand-built record (factories_reports): the figures and names shown."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse
from openpyxl import load_workbook

from groups.models import SessionKind
from tests.groups.factories import YEAR, build_record


def assert_prints_landscape(html: str) -> None:
    """The print view links the stylesheet that turns the A4 page sideways."""
    assert 'href="/static/css/print-report.css"' in html
    assert "@page { size: A4 landscape" in Path(finders.find("css/print-report.css")).read_text()


pytestmark = pytest.mark.django_db

YEAR_OF = {"date_from": f"{YEAR}-01-01", "date_to": f"{YEAR}-12-31"}


@pytest.fixture(autouse=True)
def english(settings):
    # The new report strings have no Chinese translation yet; assert the English msgids.
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def record(org):
    return build_record(org)


def cells(html: str, selector_class: str) -> list[list[str]]:
    """Return the text of each body row's cells (th and td) of the table with a class."""
    table = re.search(rf'<table class="[^"]*{selector_class}[^"]*">(.*?)</table>', html, re.S)
    assert table, selector_class
    body = re.sub(r"<thead.*?</thead>", "", table.group(1), flags=re.S)
    rows = []
    for row in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S):
        found = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([" ".join(re.sub(r"<[^>]+>", " ", c).split()) for c in found])
    return rows


def get(client, name: str, **params):
    return client.get(reverse(f"groups:{name}"), {**YEAR_OF, **params})


def test_members_page(record, login):
    org = record.org
    page = get(login("secretary_a"), "report-members", branch=org.branch_a.pk)
    assert page.status_code == 200
    html = page.content.decode()
    assert cells(html, "report-members") == [
        ["第一党支部"],
        ["张伟", "正式党员", "5", "4", "0", "1", "0", "0", "0", "80%"],
        ["第一党小组"],
        ["孙丽", "正式党员", "3", "0", "0", "0", "3", "0", "1", "0%"],
        ["李明", "正式党员", "5", "3", "1", "0", "1", "0", "0", "80%"],
        ["赵强", "预备党员", "3", "1", "0", "1", "0", "1", "0", "33.3%"],
        ["Total", "16", "8", "1", "2", "4", "1", "", "56.3%"],
    ]
    assert f"第一党支部 · {YEAR}-01-01–{YEAR}-12-31" in html


def test_a_member_sees_only_their_own_row(record, login):
    page = get(login("member_a"), "report-members", branch=record.org.branch_b.pk)
    rows = cells(page.content.decode(), "report-members")
    assert rows[1] == ["李明", "正式党员", "5", "3", "1", "0", "1", "0", "0", "80%"]
    assert len(rows) == 3  # the group, 李明, the total
    assert 'name="branch"' not in page.content.decode()


def test_matrix_page(record, login):
    page = get(login("secretary_a"), "report-matrix", branch=record.org.branch_a.pk)
    rows = {r[0]: r[1:5] for r in cells(page.content.decode(), "report-matrix") if len(r) > 1}
    assert rows == {
        "张伟": ["日假 学✓", "学✓", "日✓ 学✓", ""],
        "孙丽": ["日✗ 学✗补", "学✗", "", ""],
        "李明": ["日✓ 学✓", "学✓", "日✗ 学✓", ""],
        "赵强": ["", "学✓", "日假 学○", ""],
    }


def test_ledger_page_and_print(record, login):
    client = login("secretary_parent")
    page = get(client, "report-ledger", branch=record.org.branch_a.pk)
    rows = cells(page.content.decode(), "report-ledger")
    assert rows[0] == [
        f"{YEAR}-01-10",
        "14:30–16:00",
        "90",
        "Concentrated study",
        "学习新时代党的组织路线 第一党支部",
        "张伟",
        "李明",
        "3",
        "2",
        "0",
        "1：孙丽",
        "66.7%",
    ]
    assert [r[9:] for r in rows] == [
        ["0", "1：孙丽", "66.7%"],
        ["1：张伟", "1：孙丽", "33.3%"],
        ["0", "1：孙丽", "75%"],
        ["1：赵强", "1：李明", "33.3%"],
        ["0", "0", "66.7%"],
    ]
    printed = get(client, "report-ledger-print", branch=record.org.branch_a.pk)
    html = printed.content.decode()
    assert_prints_landscape(html)
    assert f"<title>第一党支部 session ledger {YEAR}-01-01–{YEAR}-12-31</title>" in html
    assert [r[10] for r in cells(html, "report-ledger")] == [
        "1：孙丽",
        "1：孙丽",
        "1：孙丽",
        "1：李明",
        "0",
    ]
    assert "<nav" not in html


def test_branches_page_and_print(record, login):
    org = record.org
    kinds = [str(k.pk) for k in SessionKind.objects.filter(code__in=["study", "themed_day"])]
    params = {
        "branch": org.committee.pk,
        "date_from": f"{YEAR}-01-01",
        "date_to": f"{YEAR}-03-31",
        "kinds": kinds,
    }
    page = get(login("secretary_parent"), "report-branches", **params)
    html = page.content.decode()
    rows = {r[0]: r for r in cells(html, "report-branches")}
    # rate, then (themed day, study) × January … March, then completion.
    assert rows["第一党支部"][1:] == [
        "56.3%",
        "1/1",
        "1/5",
        "0/1",
        "1/4",
        "1/1",
        "1/4",
        "31.3% 5/16",
    ]
    assert rows["第二党支部"][1] == "33.3%"
    assert rows["县直机关党委"][1] == "48%"
    chart = json.loads(re.search(r'id="report-chart-data"[^>]*>(.*?)</script>', html).group(1))
    assert chart == {
        "months": {"labels": [f"{YEAR}-01", f"{YEAR}-02", f"{YEAR}-03"], "rates": [50, 75, 40]},
        "branches": {"labels": ["第一党支部", "第二党支部"], "rates": [56.3, 33.3]},
    }
    assert cells(html, "report-month-rates") == [
        [f"{YEAR}-01", "6", "3", "50%"],
        [f"{YEAR}-02", "4", "3", "75%"],
        [f"{YEAR}-03", "15", "6", "40%"],
    ]
    assert "chart.umd.min.js" in html and "report-charts.js" in html
    printed = get(login("secretary_parent"), "report-branches-print", **params)
    assert "31.3%" in printed.content.decode()
    assert_prints_landscape(printed.content.decode())


def test_a_rate_rounds_half_up_alike_on_the_page_the_chart_csv_and_xlsx(record, login):
    # 第一党支部: 9 of 16 attended = 56.25 %, and 5 of 16 required sessions held = 31.25 %.
    org = record.org
    kinds = [str(k.pk) for k in SessionKind.objects.filter(code__in=["study", "themed_day"])]
    params = {"branch": org.committee.pk, "date_to": f"{YEAR}-03-31", "kinds": kinds}
    client = login("secretary_parent")
    html = get(client, "report-branches", **params).content.decode()
    page_row = next(r for r in cells(html, "report-branches") if r[0] == "第一党支部")
    assert (page_row[1], page_row[-1]) == ("56.3%", "31.3% 5/16")
    assert "56.3" in re.search(r'id="report-chart-data"[^>]*>(.*?)</script>', html).group(1)

    export = {"report": "branches", **params}
    data = b"".join(get(client, "report-export", format="csv", **export).streaming_content)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    header, csv_row = rows[0], next(r for r in rows if r[0].strip() == "第一党支部")
    rate_at = header.index("Attendance rate (%)")
    assert csv_row[rate_at] == "56.3"
    assert "31.3" in csv_row

    xlsx = b"".join(get(client, "report-export", format="xlsx", **export).streaming_content)
    sheet = load_workbook(io.BytesIO(xlsx)).worksheets[-1]
    xlsx_row = next(
        r for r in sheet.iter_rows(values_only=True) if str(r[0]).strip() == "第一党支部"
    )
    assert xlsx_row[rate_at] == 56.3 and 31.3 in xlsx_row


def test_charts_load_only_on_the_branch_report(record, login):
    page = get(login("secretary_a"), "report-members")
    assert "chart.umd.min.js" not in page.content.decode()


def test_follow_up_page(record, login):
    page = get(login("secretary_parent"), "report-follow-up")
    assert cells(page.content.decode(), "follow-up") == [
        ["孙丽", "第一党小组", f"{YEAR}-02-14", f"{YEAR}-03-20"]
    ]
    page = get(login("secretary_a"), "report-follow-up")
    assert "Nobody to follow up." in page.content.decode()


# The dashboard and the email list the last 12 months: the record's spring was then.
@pytest.mark.now("2025-06-03T16:00+08:00")
def test_home_lists_follow_up_for_managers_only(record, login, client):
    html = login("secretary_b").get(reverse("home")).content.decode()
    assert "Members to follow up" in html
    assert cells(html, "follow-up")[0][0] == "孙丽"
    client.logout()
    html = login("member_b").get(reverse("home")).content.decode()
    assert "Members to follow up" not in html


def test_download_links_carry_the_filters(record, login):
    page = get(login("secretary_a"), "report-ledger", branch=record.org.branch_a.pk)
    html = page.content.decode()
    base = reverse("groups:report-export")
    link = re.search(r'href="([^"]*)" data-testid="download-xlsx"', html).group(1)
    assert link.startswith(base + "?report=ledger&amp;format=xlsx&amp;")
    assert f"branch={record.org.branch_a.pk}" in link and f"date_from={YEAR}-01-01" in link
    detail = re.search(r'href="([^"]*)" data-testid="download-detail-csv"', html).group(1)
    assert detail.startswith(base + "?report=detail&amp;format=csv&amp;")


def test_members_get_no_download_links(record, login):
    html = get(login("member_a"), "report-members").content.decode()
    assert "download-csv" not in html and "download-detail-csv" not in html


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"date_from": f"{YEAR}-05-01", "date_to": f"{YEAR}-04-01"},
            "The end of the period comes before its start.",
        ),
        ({"branch": "999999"}, "Choose a branch you manage: that one is unknown or not yours."),
        ({"branch": "x"}, "Choose a branch you manage: that one is unknown or not yours."),
        ({"date_from": "1999-01-01"}, "Dates before 2000 are not accepted."),
        ({"date_from": "not a date"}, "Enter a valid date."),
        ({"date_from": "2020-01-01"}, "Choose a period of at most three years for a report."),
    ],
)
@pytest.mark.parametrize(
    "name", ["report-members", "report-matrix", "report-ledger", "report-branches"]
)
def test_bad_filters_show_a_message(org, login, name, params, message):
    response = get(login("secretary_a"), name, **params)
    assert response.status_code == 200
    assert message in response.content.decode()


def test_a_branch_outside_scope_is_a_form_error(org, login):
    response = get(login("secretary_a"), "report-ledger", branch=org.branch_b.pk)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Choose a branch you manage: that one is unknown or not yours." in html
    assert "report-ledger" not in re.sub(r'href="[^"]*"', "", html)


def test_print_page_with_bad_filters_shows_the_error(org, login):
    response = get(login("secretary_a"), "report-ledger-print", branch=org.branch_b.pk)
    assert response.status_code == 200
    assert "Choose a branch you manage" in response.content.decode()


def test_the_members_report_pages_its_rows_and_totals_them_all(org, login):
    from tests.groups.factories import grow_record

    grow_record(org.committee, branches=3, members=450)
    client = login("secretary_parent")
    params = {"branch": org.committee.pk}
    first = client.get(reverse("groups:report-members"), params)
    html = first.content.decode()
    assert html.count("data-member=") == 200
    assert "Page 1 of 3" in html
    assert f'href="?branch={org.committee.pk}&amp;date_from=' in html and '&amp;page=2"' in html
    total = first.context["total"].expected
    last = client.get(reverse("groups:report-members"), {**params, "page": 3})
    assert last.content.decode().count("data-member=") == len(last.context["page"].object_list)
    assert last.context["total"].expected == total  # the totals always cover everyone


def test_the_matrix_shows_200_members_a_page(org, login):
    """A 党委 of 450 members was one 7 MB table at 6,000: now 200 rows a page, all members
    one click away (and in the export)."""
    from tests.groups.factories import grow_record

    grow_record(org.committee, branches=3, members=450)
    client = login("secretary_parent")
    params = {"branch": org.committee.pk}
    first = client.get(reverse("groups:report-matrix"), params).content.decode()
    assert first.count("data-member=") == 200
    assert "Page 1 of 3" in first
    last = client.get(reverse("groups:report-matrix"), {**params, "page": 3})
    shown = last.content.decode().count("data-member=")
    assert shown == len(last.context["page"].object_list) > 0
    assert 400 + shown == len(last.context["matrix"].rows)
