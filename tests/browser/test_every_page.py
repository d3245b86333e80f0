"""Every page a secretary uses, in Chinese, on a phone and on a desktop, on the demo data.

Each page is checked by axe-core (conftest) and must not scroll the page body sideways: a
table wider than the screen scrolls inside its own box. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from groups.leave.services import leave_request
from groups.models import Branch, StudySession
from lessons.models import Lecture
from tests.browser.conftest import ARTIFACTS, AxeWatch, CspWatch

PHONE, DESKTOP = {"width": 390, "height": 844}, {"width": 1280, "height": 900}


def ask_for_leave() -> None:
    """Put a pending request in the secretary's leave queue."""
    upcoming = StudySession.objects.filter(
        branch__name="第一党支部", starts_at__gt=timezone.now()
    ).earliest("starts_at")
    member = upcoming.attendance.exclude(member__user__username="secretary").first().member
    leave_request(session=upcoming, member=member, reason="到市委党校参加为期三天的培训")


def pages() -> dict[str, str]:
    """Return the pages to visit by name, on the demo data."""
    today = timezone.localdate()
    branch = Branch.objects.get(name="第一党支部")
    held = (
        StudySession.objects.filter(branch=branch, starts_at__lt=timezone.now())
        .exclude(status=StudySession.Status.CANCELLED)
        .latest("starts_at")
    )
    lecture = Lecture.objects.get()
    year = {"date_from": f"{today.year}-01-01", "date_to": today.isoformat()}
    query = "&".join(f"{k}={v}" for k, v in year.items())
    return {
        "home": reverse("home"),
        "sessions": reverse("groups:session-list"),
        "calendar": reverse("groups:calendar-month"),
        "session": reverse("groups:session-detail", args=[held.pk]),
        "attendance": reverse("groups:attendance-take", args=[held.pk]),
        "minutes": reverse("groups:minutes-edit", args=[held.pk]),
        "new-session": reverse("groups:session-create"),
        "new-series": reverse("groups:series-create"),
        "leave": reverse("groups:leave-pending"),
        "makeup-review": reverse("groups:makeup-review"),
        "compliance": reverse("groups:compliance"),
        "holidays": reverse("groups:holidays"),
        "rules": reverse("groups:rules"),
        "branches": reverse("groups:branch-list"),
        "branch": reverse("groups:branch-detail", args=[branch.pk]),
        "report-members": f"{reverse('groups:report-members')}?{query}",
        "report-matrix": f"{reverse('groups:report-matrix')}?{query}",
        "report-ledger": f"{reverse('groups:report-ledger')}?{query}",
        "report-branches": f"{reverse('groups:report-branches')}?{query}",
        "lectures": reverse("lessons:lecture-list"),
        "lecture": reverse("lessons:lecture-detail", args=[lecture.pk]),
        "glossary": reverse("lessons:lecture-glossary", args=[lecture.pk]),
        "two-step": reverse("two_factor:setup"),
    }


def member_pages() -> dict[str, str]:
    """Return the pages a member (no role) visits, on the demo data."""
    lecture = Lecture.objects.get()
    upcoming = (
        StudySession.objects.filter(attendance__member__user__username="member")
        .filter(starts_at__gt=timezone.now())
        .earliest("starts_at")
    )
    return {
        "home": reverse("home"),
        "sessions": reverse("groups:session-list"),
        "calendar": reverse("groups:calendar-month"),
        "session": reverse("groups:session-detail", args=[upcoming.pk]),
        "check-in": reverse("groups:checkin"),
        "makeup": reverse("groups:makeup-mine"),
        "subscribe": reverse("groups:calendar-subscription"),
        "me": reverse("groups:member-me"),
        "report-members": reverse("groups:report-members"),
        "lectures": reverse("lessons:lecture-list"),
        "lecture": reverse("lessons:lecture-detail", args=[lecture.pk]),
        "section": lecture.sections.order_by("position").first().get_absolute_url(),
        "glossary": reverse("lessons:lecture-glossary", args=[lecture.pk]),
        "two-step": reverse("two_factor:setup"),
    }


def secretary_in_chinese(chromium, live_server, viewport, username: str = "secretary"):
    """Open a browser of the given size, in Chinese, signed in as a demo login."""
    ARTIFACTS.mkdir(exist_ok=True)
    context = chromium.new_context(locale="zh-CN", viewport=viewport)
    axe = AxeWatch(context)
    CspWatch(context)
    page = context.new_page()
    page.set_default_timeout(10_000)
    context.add_cookies([{"name": "django_language", "value": "zh-hans", "url": live_server.url}])
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "demo-pass")
    page.locator("form button[type=submit]").last.click()
    expect(page).not_to_have_url(re.compile(r"/accounts/login/"))
    return context, axe, page


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
@pytest.mark.parametrize("username", ["secretary", "member"])
def test_every_page_fits_the_screen_and_passes_axe(live_server, chromium, viewport, username):
    call_command("load_demo", "--password", "demo-pass", stdout=io.StringIO())
    ask_for_leave()
    context, axe, page = secretary_in_chinese(chromium, live_server, viewport, username)
    visit = pages() if username == "secretary" else member_pages()

    too_wide = {}
    for name, url in visit.items():
        reported = len(axe.checked)
        response = page.goto(f"{live_server.url}{url}")
        assert response.status == 200, (name, response.status)
        axe.wait(page, reported + 1)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > viewport["width"]:
            too_wide[name] = width
        shot = ARTIFACTS / f"page-{username}-{viewport['width']}-{name}.png"
        page.screenshot(path=shot, full_page=True)
    axe.check(page)
    context.close()
    assert too_wide == {}, f"these pages scroll sideways at {viewport['width']} px"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_roll_call_on_a_phone_is_one_compact_row_per_member(live_server, chromium):
    call_command("load_demo", "--password", "demo-pass", stdout=io.StringIO())
    context, axe, page = secretary_in_chinese(chromium, live_server, PHONE)
    page.goto(f"{live_server.url}{pages()['attendance']}")
    rows = page.locator(".attendance-sheet tr[id^='attendance-']")
    assert rows.count() >= 10
    button_height = rows.first.locator(".att-status label").first.bounding_box()["height"]
    assert button_height >= 36  # a status one can tap
    for index in range(rows.count()):
        row = rows.nth(index)
        box = row.bounding_box()
        name = row.locator(".att-name").bounding_box()
        statuses = row.locator(".att-status .btn-group").bounding_box()
        note = row.locator(".att-note input").bounding_box()
        # Two lines a member: the name on one line beside the four statuses side by side,
        # then a note field one can tap.
        assert box["height"] <= 2 * button_height + 40, row.inner_text()
        assert name["height"] < 30 and statuses["height"] < button_height * 1.5
        assert note["height"] >= 38 and note["width"] >= 150
        assert statuses["x"] + statuses["width"] <= PHONE["width"]
    # Marking the last member keeps the headcount in view: it sticks to the top.
    absent = page.locator("#attendance-headcounts [data-count='absent']")
    before = int(absent.inner_text())
    last = rows.last
    last.scroll_into_view_if_needed()
    last.locator("label", has_text="缺席").click()
    expect(last).to_contain_text("已保存")
    expect(absent).to_have_text(str(before + 1))
    headcounts = page.locator("#attendance-headcounts").bounding_box()
    assert 0 <= headcounts["y"] <= 1
    page.screenshot(path=ARTIFACTS / "roll-call-phone-scrolled.png")
    axe.check(page)
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_roster_on_a_phone_has_one_line_headers(live_server, chromium):
    """Six columns squeezed into 390 px broke 入党时间 into one character a line: on a phone
    the roster keeps name, category, phone and login (the rest is on the member's page)."""
    call_command("load_demo", "--password", "demo-pass", stdout=io.StringIO())
    context, axe, page = secretary_in_chinese(chromium, live_server, PHONE)
    page.goto(f"{live_server.url}{pages()['branch']}")
    headers = page.locator("section[aria-labelledby^='group-'] thead th:visible")
    expect(headers.first).to_be_visible()
    assert headers.all_inner_texts()[:4] == ["姓名", "人员类别", "手机号", "账号"]
    heights = {header.inner_text(): header.bounding_box()["height"] for header in headers.all()}
    line = page.evaluate("parseFloat(getComputedStyle(document.querySelector('th')).lineHeight)")
    assert all(height < 2 * line for height in heights.values()), heights
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    context.close()
