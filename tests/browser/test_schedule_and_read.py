"""A secretary schedules a weekly series with two sections; a member reads one and marks it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from groups.models import BranchKind, BranchRole, ReadingProgress, SessionKind, StudySession
from tests.browser.conftest import ARTIFACTS
from tests.groups.factories import kind, make_branch, make_member
from tests.lessons.factories import lecture_from_texts

WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def log_in(page, base_url: str, username: str) -> None:
    """Sign in through the login form, in English whatever the site's default language."""
    page.context.clear_cookies()
    page.context.add_cookies([{"name": "django_language", "value": "en", "url": base_url}])
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f"pw-{username}")
    page.get_by_role("button", name="Log in").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_secretary_schedules_reading_and_a_member_marks_it_read(
    live_server, browser_page, settings
):
    settings.STUDYHUB_PUBLIC_HOLIDAYS = []
    committee = make_branch("县直机关党委", BranchKind.COMMITTEE)
    branch = make_branch("第一党支部", parent=committee)
    make_member("张书记", branch, username="shuji", role=BranchRole.Role.SECRETARY)
    reader = make_member("李党员", branch, username="dangyuan")
    lecture = lecture_from_texts(
        [
            ("坚持党的全面领导", ["党政军民学，东西南北中，党是领导一切的。"]),
            ("加强基层组织建设", ["党的基层组织是党的全部工作和战斗力的基础。"]),
            ("严格党内政治生活", ["坚持三会一课制度。"]),
        ],
        title="新时代党的组织路线",
    )
    first, second, _third = lecture.sections.order_by("position")
    tomorrow = timezone.localdate() + timedelta(days=1)
    page = browser_page
    base = live_server.url

    # The secretary previews a weekly series starting tomorrow, then saves it.
    log_in(page, base, "shuji")
    page.goto(f"{base}/groups/series/new/")
    page.select_option("#id_branch", str(branch.pk))
    page.select_option("#id_kind", str(kind(SessionKind.STUDY).pk))
    page.fill("#id_topic", "每周集中学习组织路线")
    page.select_option("#id_pattern", "weekly")
    for code in WEEKDAYS:
        page.set_checked(f'input[name="weekdays"][value="{code}"]', False)
    page.check(f'input[name="weekdays"][value="{WEEKDAYS[tomorrow.weekday()]}"]')
    page.fill("#id_first_day", tomorrow.isoformat())
    page.fill("#id_count", "4")
    page.fill("#id_start_time", "14:30")
    page.fill("#id_end_time", "16:00")
    page.select_option("#id_lecture", str(lecture.pk))
    page.select_option("#id_sections", [str(first.pk), str(second.pk)])
    page.get_by_role("button", name="Preview dates").click()

    preview = page.get_by_test_id("series-preview").locator("li")
    expect(preview).to_have_count(4)
    expect(preview.first).to_contain_text(tomorrow.isoformat())
    page.screenshot(path=ARTIFACTS / "schedule-1-preview.png", full_page=True)
    page.get_by_role("button", name=re.compile(r"Save the series \(4 sessions\)")).click()
    expect(page.locator(".alert-success")).to_contain_text("4 sessions")

    # The member finds the session and both sections, unread, on the start page.
    log_in(page, base, "dangyuan")
    reading_list = page.locator(".home-reading")
    expect(page.locator(".home-sessions")).to_contain_text("每周集中学习组织路线")
    expect(reading_list.locator("li")).to_have_count(2)
    expect(reading_list.locator('li[data-status="unread"]')).to_have_count(2)
    page.screenshot(path=ARTIFACTS / "schedule-2-member-home.png", full_page=True)

    # Opening the first section records it; "I have read it" marks it read.
    reading_list.get_by_role("link", name=first.label).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(first.label)
    page.get_by_role("button", name="I have read it").click()
    expect(page.locator('[data-reading-status="read"]')).to_contain_text("Read on")
    page.screenshot(path=ARTIFACTS / "schedule-3-marked-read.png", full_page=True)

    page.goto(f"{base}/")
    expect(page.locator('.home-reading li[data-status="read"]')).to_contain_text(first.label)
    expect(page.locator('.home-reading li[data-status="unread"]')).to_contain_text(second.label)
    progress = ReadingProgress.objects.get(member=reader, section=first)
    assert progress.read_at is not None
    assert not ReadingProgress.objects.filter(member=reader, section=second).exists()

    # Back on the session page, the secretary sees who has read what.
    log_in(page, base, "shuji")
    first_session = StudySession.objects.filter(branch=branch).order_by("starts_at").first()
    page.goto(f"{base}{first_session.get_absolute_url()}")
    status = page.locator(f'#reading-status [data-section="{first.pk}"]')
    expect(status).to_contain_text("Read: 1")
    expect(status.locator('tr[data-status="read"]')).to_contain_text("李党员")
    expect(status.locator('tr[data-status="unread"]')).to_contain_text("张书记")
    page.screenshot(path=ARTIFACTS / "schedule-4-read-status.png", full_page=True)
