"""The Content-Security-Policy in a real browser: it blocks what it should, and the admin works.

Every browser test fails on a violation (conftest's CspWatch); this shows the watch sees one.
"""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from groups.models import CalendarToken, StudySession
from tests.browser import conftest
from tests.browser.conftest import ARTIFACTS, CspWatch
from tests.browser.test_every_page import DESKTOP, secretary_in_chinese
from tests.browser.test_schedule_and_read import log_in


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_injected_inline_script_is_blocked_and_reported(live_server, browser_page):
    page = browser_page
    page.goto(f"{live_server.url}{reverse('login')}")
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.injected = true";
          document.body.append(script);
          const box = document.createElement("div");
          box.innerHTML = '<p style="color: red">styled</p>';
          document.body.append(box);
        }"""
    )
    page.wait_for_timeout(300)
    assert page.evaluate("window.injected") is None
    found = list(conftest.csp_violations)
    conftest.csp_violations.clear()  # seen on purpose: not this test's failure
    assert any("script-src-elem blocked inline" in v for v in found), found
    assert any("style-src-attr blocked inline" in v for v in found), found


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_admin_works_under_the_policy(live_server, chromium):
    """Django's admin needs no exemption: its scripts are files, its data in data- attributes.

    No axe-core here: the admin's markup is Django's, not ours.
    """
    get_user_model().objects.create_superuser("root", password="pw-root")
    context = chromium.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    CspWatch(context)
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, live_server.url, "root")
    for name in (
        "admin:index",
        "admin:groups_branch_changelist",
        "admin:groups_member_changelist",
        "admin:groups_studysession_add",
    ):
        page.goto(f"{live_server.url}{reverse(name)}")
        expect(page.locator("#content")).to_be_visible()
    # The admin's own scripts run: the date widget's "Today" shortcut fills the field.
    page.locator(".datetimeshortcuts a").first.click()
    assert page.locator("input.vDateField").first.input_value() != ""
    page.screenshot(path=ARTIFACTS / "admin-session-add.png", full_page=True)
    context.close()


# Counts the print dialogs a page asked for, instead of opening one.
COUNT_PRINTS = "window.printed = 0; window.print = () => { window.printed += 1; };"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_what_moved_out_of_the_templates_still_works(live_server, chromium):
    call_command("load_demo", "--password", "demo-pass", stdout=io.StringIO())
    context, axe, page = secretary_in_chinese(chromium, live_server, DESKTOP)
    context.add_init_script(script=COUNT_PRINTS)
    base = live_server.url
    held = (
        StudySession.objects.filter(branch__name="第一党支部", starts_at__lt=timezone.now())
        .exclude(status=StudySession.Status.CANCELLED)
        .latest("starts_at")
    )

    # Each print button opens the print dialog.
    year = timezone.localdate().year
    for url in (
        reverse("groups:attendance-signin-sheet", args=[held.pk]),
        reverse("groups:minutes-record", args=[held.pk]),
        f"{reverse('groups:report-ledger-print')}?date_from={year}-01-01&date_to={year}-12-31",
    ):
        page.goto(f"{base}{url}")
        page.get_by_role("button", name="打印").click()
        assert page.evaluate("window.printed") == 1, url

    # htmx on the roll call runs without eval.
    page.goto(f"{base}{reverse('groups:attendance-take', args=[held.pk])}")
    assert page.evaluate("[htmx.config.allowEval, htmx.config.includeIndicatorStyles]") == [
        False,
        False,
    ]

    # The series form shows only the fields of the chosen pattern.
    page.goto(f"{base}{reverse('groups:series-create')}")
    page.select_option("#id_pattern", "custom")
    expect(page.locator("#div_id_custom_rule")).to_be_visible()
    expect(page.locator("#div_id_weekdays")).to_be_hidden()
    page.select_option("#id_pattern", "monthly_weekday")
    expect(page.locator("#div_id_nth")).to_be_visible()
    expect(page.locator("#div_id_custom_rule")).to_be_hidden()

    # One click selects the whole calendar feed address, ready to copy.
    CalendarToken.objects.filter(user__username="secretary").delete()
    page.goto(f"{base}{reverse('groups:calendar-subscription')}")
    page.get_by_role("button", name="生成我的日历链接").click()
    page.locator("#feed-url").click()
    selected = page.evaluate(
        "() => { const f = document.getElementById('feed-url');"
        " return f.value.substring(f.selectionStart, f.selectionEnd); }"
    )
    assert selected == page.locator("#feed-url").input_value() and selected.startswith("http")

    # The language menu switches as soon as it changes.
    page.select_option("#language-select", "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    axe.check(page)
    context.close()
