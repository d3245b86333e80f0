"""The public holidays page: the national calendar by default, the 组织部's days on top."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.urls import reverse

from groups.models import PublicHoliday
from tests.groups.sessions.test_views import series_post

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_and_the_national_calendar(settings, monkeypatch):
    settings.LANGUAGE_CODE = "en"
    if hasattr(settings, "STUDYHUB_PUBLIC_HOLIDAYS"):
        del settings.STUDYHUB_PUBLIC_HOLIDAYS
    monkeypatch.delenv("STUDYHUB_PUBLIC_HOLIDAYS", raising=False)


def days(page: str) -> dict[str, str]:
    return dict(re.findall(r'data-day="([\d-]+)" data-day-off="(\d)"', page))


def test_a_secretary_sees_the_years_national_holidays_but_cannot_change_them(org, login):
    page = login("secretary_a").get(reverse("groups:holidays"), {"year": 2026}).content.decode()
    listed = days(page)
    assert {f"2026-10-0{d}" for d in range(1, 8)} <= listed.keys()
    assert "国庆节" in page and "春节" in page
    assert reverse("groups:holiday-save") not in page


def test_the_organisation_department_fills_in_next_year_and_works_on_a_holiday(org, login):
    client = login("staff")
    url = reverse("groups:holidays")
    assert (
        "No public holidays are known for 2027" in client.get(url, {"year": 2027}).content.decode()
    )
    client.post(
        reverse("groups:holiday-save"), {"day": "2027-01-01", "name": "元旦", "day_off": "on"}
    )
    page = client.get(url, {"year": 2027}).content.decode()
    assert days(page) == {"2027-01-01": "1"} and "added by the 组织部" in page

    # 2026-10-07 becomes a working day, then goes back to the national calendar.
    client.post(reverse("groups:holiday-save"), {"day": "2026-10-07", "name": "国庆节"})
    assert days(client.get(url, {"year": 2026}).content.decode())["2026-10-07"] == "0"
    row = PublicHoliday.objects.get(day=date(2026, 10, 7))
    client.post(reverse("groups:holiday-delete", args=[row.pk]))
    assert days(client.get(url, {"year": 2026}).content.decode())["2026-10-07"] == "1"


def test_a_bad_day_is_refused_with_its_reason_and_nothing_saved(org, login):
    client = login("staff")
    response = client.post(
        reverse("groups:holiday-save"), {"day": "2027-02-30", "name": ""}, follow=True
    )
    page = response.content.decode()
    assert "Enter a valid date." in page and "This field is required." in page
    assert not PublicHoliday.objects.exists()


def test_a_series_into_a_year_without_holidays_says_so(org, login):
    response = login("secretary_a").post(
        reverse("groups:series-create"),
        series_post(org, first_day="2026-12-15", until="2027-01-12"),
    )
    assert "No public holidays are known for 2027 yet" in response.content.decode()
    PublicHoliday.objects.create(day=date(2027, 1, 1), name="元旦")
    response = login("secretary_a").post(
        reverse("groups:series-create"),
        series_post(org, first_day="2026-12-15", until="2027-01-12"),
    )
    assert "No public holidays are known" not in response.content.decode()
