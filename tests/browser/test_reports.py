"""A secretary opens the branch report: Chart.js draws both charts from the embedded JSON."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from groups.models import Attendance, BranchKind, BranchRole
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_schedule_and_read import log_in
from tests.groups.factories import local, make_branch, make_member, make_session


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_branch_report_draws_its_charts(live_server, browser_page):
    committee = make_branch("县直机关党委", BranchKind.COMMITTEE)
    make_member("陈书记", committee, username="chen", role=BranchRole.Role.SECRETARY)
    for name in ("第一党支部", "第二党支部"):
        branch = make_branch(name, BranchKind.BRANCH, committee)
        make_member(f"{name}党员甲", branch)
        make_member(f"{name}党员乙", branch)
        for weeks in (3, 7):
            make_session(branch, starts_at=local(timezone.localdate() - timedelta(weeks=weeks)))
    Attendance.objects.update(status="present")
    Attendance.objects.filter(member__name__endswith="乙").update(status="absent")
    errors: list[str] = []
    page = browser_page
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on(
        "response",
        lambda r: errors.append(r.url) if r.status >= 400 and "favicon" not in r.url else None,
    )

    log_in(page, live_server.url, "chen")
    today = timezone.localdate()
    start = date(today.year, 1, 1) if today.month > 2 else today - timedelta(days=90)
    page.goto(
        f"{live_server.url}{reverse('groups:report-branches')}"
        f"?date_from={start.isoformat()}&date_to={today.isoformat()}"
    )
    expect(page.locator("#chart-months")).to_be_visible()
    drawn = page.evaluate(
        "() => ['chart-months', 'chart-branches'].map(id => {"
        "  const chart = Chart.getChart(id); return chart ? chart.data.datasets[0].data : null; })"
    )
    assert drawn[1] == [50, 50]
    assert 50 in drawn[0]
    expect(page.locator("table.report-branch-rates")).to_contain_text("第一党支部")
    page.screenshot(path=ARTIFACTS / "reports-branches.png", full_page=True)
    assert errors == []

    page.get_by_role("link", name="Ledger").click()
    page.get_by_role("link", name="Print view").click()
    expect(page.locator("h1")).to_contain_text("县直机关党委")
    page.emulate_media(media="print")
    expect(page.get_by_role("button", name="Print")).to_be_hidden()
    page.screenshot(path=ARTIFACTS / "reports-ledger-print.png", full_page=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_secretary_downloads_the_xlsx_and_it_opens(live_server, browser_page):
    from openpyxl import load_workbook

    branch = make_branch("第一党支部", BranchKind.BRANCH)
    make_member("李书记", branch, username="li", role=BranchRole.Role.SECRETARY)
    make_member("王党员", branch)
    for weeks in (2, 3):
        make_session(branch, starts_at=local(timezone.localdate() - timedelta(weeks=weeks)))
    Attendance.objects.update(status="present")
    Attendance.objects.filter(member__name="王党员").update(status="absent")

    page = browser_page
    log_in(page, live_server.url, "li")
    # The 组织部 reads the file in Chinese: switch back from log_in's English.
    page.context.add_cookies(
        [{"name": "django_language", "value": "zh-hans", "url": live_server.url}]
    )
    today = timezone.localdate()
    page.goto(
        f"{live_server.url}{reverse('groups:report-members')}"
        f"?date_from={(today - timedelta(days=60)).isoformat()}&date_to={today.isoformat()}"
    )
    with page.expect_download() as download_info:
        page.get_by_test_id("download-xlsx").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    path = ARTIFACTS / "members-report.xlsx"
    download.save_as(path)

    workbook = load_workbook(path, read_only=True)
    assert workbook.sheetnames[0] == "汇总"
    members = list(workbook.worksheets[1].iter_rows(values_only=True))
    header = members[0]
    assert header[:4] == ("党小组", "党员", "人员类别", "应到")
    rows = {row[1]: dict(zip(header, row, strict=True)) for row in members[1:]}
    assert rows["李书记"]["应到"] == 2 and rows["李书记"]["缺席"] == 0
    assert rows["王党员"]["应到"] == 2 and rows["王党员"]["缺席"] == 2
    assert rows["王党员"]["出勤率（%）"] == 0 and rows["李书记"]["出勤率（%）"] == 100
