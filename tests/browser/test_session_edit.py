"""A secretary edits a session in Chinese and in English: the date and times survive the form."""

from __future__ import annotations

import re
from datetime import date, time

import pytest
from playwright.sync_api import expect

from groups.models import BranchKind, BranchRole, StudySession
from tests.groups.factories import local, make_branch, make_member, make_session


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("language", "save"), [("zh-hans", "保存"), ("en", "Save")])
def test_secretary_edits_a_session_in_either_language(live_server, browser_page, language, save):
    committee = make_branch("县直机关党委", BranchKind.COMMITTEE)
    branch = make_branch("第一党支部", parent=committee)
    make_member("张书记", branch, username="shuji", role=BranchRole.Role.SECRETARY)
    session = make_session(branch, starts_at=local(date(2026, 12, 2), time(9, 5)))
    page = browser_page
    base = live_server.url
    page.context.add_cookies([{"name": "django_language", "value": language, "url": base}])
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", "shuji")
    page.fill("#id_password", "pw-shuji")
    page.locator("form button[type=submit]").click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))

    page.goto(f"{base}/groups/sessions/{session.pk}/edit/")
    # The browser shows what it accepted: an unparseable value would read back as "".
    assert page.input_value("#id_day") == "2026-12-02"
    assert page.input_value("#id_start_time") == "09:05"
    assert page.input_value("#id_end_time") == "10:35"
    page.fill("#id_topic", "学习党章")
    page.get_by_role("button", name=save, exact=True).click()

    expect(page).to_have_url(re.compile(rf"/groups/sessions/{session.pk}/$"))
    session = StudySession.objects.get(pk=session.pk)
    assert session.topic == "学习党章"
    assert session.starts_at == local(date(2026, 12, 2), time(9, 5))
