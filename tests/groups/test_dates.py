"""The one rule for how far back and ahead a date may be (groups/dates.py)."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import translation

from groups.dates import day_out_of_range, latest_day


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.mark.now("2028-02-29T10:00+08:00")
def test_five_years_from_a_leap_day_ends_on_28_february():
    assert latest_day() == date(2033, 2, 28)
    assert day_out_of_range(date(2033, 2, 28)) is None
    assert day_out_of_range(date(2033, 3, 1)) == "Dates can be at most 5 years ahead."


@pytest.mark.now("2027-01-01T00:30+08:00")
def test_the_range_counts_from_the_local_day_not_the_utc_one():
    # 00:30 in Shanghai is still 31 December 2026 in UTC.
    assert latest_day() == date(2032, 1, 1)


def test_days_before_2000_are_refused():
    assert day_out_of_range(date(1999, 12, 31)) == "Dates before 2000 are not accepted."
    assert day_out_of_range(date(2000, 1, 1)) is None
