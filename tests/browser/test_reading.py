"""A member logs in, reads a section and follows a key term to its glossary entry."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS
from tests.lessons.factories import make_lecture

DEFINITION = "支部党员大会、支部委员会、党小组会和按时上好党课。"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_member_reads_a_section_and_opens_a_key_term(live_server, browser_page, member):
    lecture = make_lecture(
        sections=4,
        terms=["三会一课", "四个意识"],
        title="贯彻新时代党的组织路线",
        definitions={"三会一课": DEFINITION},
    )
    page = browser_page

    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.fill("#id_username", "member")
    page.fill("#id_password", "pw-member")
    # The UI is Chinese by default, whatever the browser's language.
    page.get_by_role("button", name="登录").click()
    page.screenshot(path=ARTIFACTS / "reading-1-home.png", full_page=True)

    page.get_by_role("link", name=re.compile(lecture.title)).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(lecture.title)
    page.screenshot(path=ARTIFACTS / "reading-2-lecture.png", full_page=True)

    section = lecture.sections.get(position=2)
    page.locator(".toc").get_by_role("link", name=section.label).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(section.label)

    term_link = page.locator("a.term", has_text="三会一课")
    expect(term_link).to_have_count(1)
    term_link.hover()
    expect(page.locator(".popover")).to_contain_text(DEFINITION)
    page.screenshot(path=ARTIFACTS / "reading-3-section.png", full_page=True)

    term_link.click()
    expect(page).to_have_url(re.compile(r"/lessons/terms/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("三会一课")
    expect(page.locator(".term-definition")).to_contain_text(DEFINITION)
    expect(page.locator(".term-places")).to_contain_text(section.label)
    page.screenshot(path=ARTIFACTS / "reading-4-term.png", full_page=True)
