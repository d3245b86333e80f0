"""A secretary takes attendance: everyone present in one click, then the exceptions by htmx."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from groups.models import Attendance, BranchKind, BranchRole, Member
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_schedule_and_read import log_in
from tests.groups.factories import make_branch, make_member, make_session


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_secretary_marks_everyone_present_then_the_exceptions(
    live_server,
    browser_page,
):
    branch = make_branch("第一党支部", BranchKind.BRANCH)
    group = make_branch("第一党小组", BranchKind.GROUP, branch)
    make_member("张书记", branch, username="shuji", role=BranchRole.Role.SECRETARY)
    late, absent = make_member("李迟到", group), make_member("王缺席", group)
    make_member("赵出席", group)
    session = make_session(branch, "general_meeting", starts_at=timezone.now() - timedelta(hours=1))
    page = browser_page

    log_in(page, live_server.url, "shuji")
    page.goto(f"{live_server.url}{session.get_absolute_url()}")
    page.get_by_role("link", name="Take attendance").click()
    page.get_by_role("button", name="Mark the 4 remaining members present").click()
    expect(page.locator("#attendance-headcounts [data-count='attended']")).to_have_text("4")

    # Each click saves at once; the headcounts box follows.
    page.locator(f"label[for='status-{absent.pk}-absent']").click()
    expect(page.locator(f"#attendance-{absent.pk}")).to_contain_text("Saved")
    page.locator(f"label[for='status-{late.pk}-late']").click()
    expect(page.locator(f"#attendance-{late.pk}")).to_contain_text("Saved")
    page.locator(f"input[name='note-{late.pk}']").fill("路上堵车")
    # The row already says "Saved" from the status click, so wait for the note's own save.
    with page.expect_response(lambda r: r.request.method == "POST" and f"/{late.pk}/" in r.url):
        page.locator(f"input[name='note-{late.pk}']").press("Tab")
    expect(page.locator(f"input[name='note-{late.pk}']")).to_have_value("路上堵车")
    expect(page.locator("#attendance-headcounts [data-count='absent']")).to_have_text("1")
    expect(page.locator("#attendance-headcounts [data-quorum]")).to_contain_text("3/4")
    page.screenshot(path=ARTIFACTS / "attendance-1-taken.png", full_page=True)

    statuses = dict(
        Attendance.objects.filter(session=session).values_list("member__name", "status")
    )
    assert statuses == {
        "张书记": "present",
        "李迟到": "late",
        "王缺席": "absent",
        "赵出席": "present",
    }
    row = Attendance.objects.get(session=session, member=late)
    assert row.note == "路上堵车"
    assert [h.history_user.username for h in row.history.all()] == ["shuji"] * 3

    page.get_by_role("link", name="History").nth(1).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("李迟到")
    expect(page.locator("tbody tr")).to_have_count(3)
    assert Member.objects.count() == 4
