"""Recurrence rules: weekly, first Friday, quarterly, month ends, holidays and UTC storage."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from groups import conf
from groups.models import PublicHoliday
from groups.sessions.holidays import national_holidays, public_holidays, years_without_holidays
from groups.sessions.recurrence import Pattern, RuleError, build_rule, expand_rule, local_to_utc

NINETY_MINUTES = timedelta(minutes=90)


def days(occurrences) -> list[date]:
    return [o.day for o in occurrences]


def expand(rule: str, first_day: date, **kwargs):
    kwargs.setdefault("start_time", time(14, 30))
    kwargs.setdefault("duration", NINETY_MINUTES)
    kwargs.setdefault("holidays", ())
    return expand_rule(rule=rule, first_day=first_day, **kwargs)


def test_every_tuesday_half_past_two_is_stored_as_0630_utc():
    rule = build_rule(pattern=Pattern.WEEKLY, weekdays=["TU"])
    assert rule == "FREQ=WEEKLY;INTERVAL=1;BYDAY=TU"
    occurrences = expand(rule, date(2026, 3, 2), count=3)  # a Monday: the first is Tuesday
    assert days(occurrences) == [date(2026, 3, 3), date(2026, 3, 10), date(2026, 3, 17)]
    first = occurrences[0]
    assert first.starts_at == datetime(2026, 3, 3, 6, 30, tzinfo=UTC)
    assert first.ends_at == datetime(2026, 3, 3, 8, 0, tzinfo=UTC)


def test_local_time_after_four_pm_is_the_previous_day_in_utc():
    assert local_to_utc(date(2026, 3, 3), time(7, 0)) == datetime(2026, 3, 2, 23, 0, tzinfo=UTC)


def test_first_friday_of_each_month():
    rule = build_rule(pattern=Pattern.MONTHLY_WEEKDAY, nth=1, weekday="FR")
    assert rule == "FREQ=MONTHLY;INTERVAL=1;BYDAY=1FR"
    assert days(expand(rule, date(2026, 1, 1), until=date(2026, 4, 30))) == [
        date(2026, 1, 2),
        date(2026, 2, 6),
        date(2026, 3, 6),
        date(2026, 4, 3),
    ]


def test_last_friday_of_each_month():
    rule = build_rule(pattern=Pattern.MONTHLY_WEEKDAY, nth=-1, weekday="FR")
    assert days(expand(rule, date(2026, 1, 1), count=2)) == [date(2026, 1, 30), date(2026, 2, 27)]


def test_once_a_quarter_is_every_three_months():
    rule = build_rule(pattern=Pattern.MONTHLY_DAY, interval=3, month_day=15)
    assert rule == "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=15"
    assert days(expand(rule, date(2026, 1, 1), until=date(2026, 12, 31))) == [
        date(2026, 1, 15),
        date(2026, 4, 15),
        date(2026, 7, 15),
        date(2026, 10, 15),
    ]


def test_a_plain_31st_skips_months_without_one():
    rule = build_rule(pattern=Pattern.MONTHLY_DAY, month_day=31)
    assert days(expand(rule, date(2026, 1, 1), until=date(2026, 6, 30))) == [
        date(2026, 1, 31),
        date(2026, 3, 31),
        date(2026, 5, 31),
    ]


def test_last_day_of_the_month_covers_february_and_leap_years():
    rule = build_rule(pattern=Pattern.MONTHLY_LAST_DAY)
    assert rule == "FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=-1"
    assert days(expand(rule, date(2028, 1, 1), count=4)) == [
        date(2028, 1, 31),
        date(2028, 2, 29),
        date(2028, 3, 31),
        date(2028, 4, 30),
    ]


def test_until_is_inclusive_of_its_day():
    rule = build_rule(pattern=Pattern.WEEKLY, weekdays=["TU"])
    assert days(expand(rule, date(2026, 3, 3), until=date(2026, 3, 10))) == [
        date(2026, 3, 3),
        date(2026, 3, 10),
    ]


def test_holidays_are_marked_and_count_includes_them():
    rule = build_rule(pattern=Pattern.WEEKLY, weekdays=["TH"])
    occurrences = expand(rule, date(2026, 9, 24), count=3, holidays=[date(2026, 10, 1)])
    assert [(o.day, o.is_holiday) for o in occurrences] == [
        (date(2026, 9, 24), False),
        (date(2026, 10, 1), True),
        (date(2026, 10, 8), False),
    ]


@pytest.fixture
def national_calendar(settings, monkeypatch):
    """No holidays fixed by setting or environment: the national calendar and the rows."""
    if hasattr(settings, "STUDYHUB_PUBLIC_HOLIDAYS"):
        del settings.STUDYHUB_PUBLIC_HOLIDAYS
    monkeypatch.delenv("STUDYHUB_PUBLIC_HOLIDAYS", raising=False)


@pytest.mark.django_db
def test_default_holidays_are_the_national_calendar(national_calendar):
    assert conf.public_holidays() is None
    holidays = public_holidays([2026])
    assert {date(2026, 10, d) for d in range(1, 8)} <= holidays  # 国庆节
    assert date(2026, 2, 17) in holidays  # 春节
    assert date(2026, 10, 8) not in holidays
    assert national_holidays(2026)[date(2026, 10, 1)] == "National Day"


@pytest.mark.django_db
def test_the_organisation_department_adds_and_takes_out_days(national_calendar):
    # The package has no 2027 yet: the 组织部 enters its 元旦; and works on 2026-10-08's eve.
    assert years_without_holidays([2026, 2027]) == [2027]
    PublicHoliday.objects.create(day=date(2027, 1, 1), name="元旦")
    PublicHoliday.objects.create(day=date(2026, 10, 7), name="国庆节", day_off=False)
    holidays = public_holidays([2026, 2027])
    assert date(2027, 1, 1) in holidays and date(2026, 10, 7) not in holidays
    assert years_without_holidays([2026, 2027]) == []
    occurrences = expand_rule(
        rule="FREQ=WEEKLY;BYDAY=WE",
        first_day=date(2026, 9, 30),
        start_time=time(9),
        duration=NINETY_MINUTES,
        count=2,
    )
    assert [(o.day, o.is_holiday) for o in occurrences] == [
        (date(2026, 9, 30), False),
        (date(2026, 10, 7), False),
    ]


def test_holidays_from_settings_win(settings):
    settings.STUDYHUB_PUBLIC_HOLIDAYS = ["2026-03-10"]
    assert conf.public_holidays() == frozenset({date(2026, 3, 10)})
    assert public_holidays([2026]) == frozenset({date(2026, 3, 10)})
    occurrences = expand_rule(
        rule="FREQ=WEEKLY;BYDAY=TU",
        first_day=date(2026, 3, 3),
        start_time=time(9),
        duration=NINETY_MINUTES,
        count=2,
    )
    assert [o.is_holiday for o in occurrences] == [False, True]


def test_holidays_from_the_environment(monkeypatch):
    monkeypatch.setenv("STUDYHUB_PUBLIC_HOLIDAYS", "2026-03-10, 2026-03-11")
    assert conf.public_holidays() == frozenset({date(2026, 3, 10), date(2026, 3, 11)})


def test_bad_holiday_setting_is_reported(settings):
    settings.STUDYHUB_PUBLIC_HOLIDAYS = ["2026-13-01"]
    with pytest.raises(Exception, match="ISO dates"):
        conf.public_holidays()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"pattern": "weekly", "weekdays": []}, "至少选择一个星期几"),
        ({"pattern": "weekly", "weekdays": ["TU"], "interval": 0}, "1 至 12 周或月"),
        ({"pattern": "monthly_day", "month_day": 32}, "每月的 1 至 31 日"),
        ({"pattern": "monthly_weekday", "nth": 5, "weekday": "FR"}, "第几个星期几"),
        ({"pattern": "custom", "custom": "FREQ=WEEKLY;COUNT=3"}, "不要在规则中使用 UNTIL 或 COUNT"),
        ({"pattern": "custom", "custom": "FREQ=HOURLY"}, "按日、周、月或年重复"),
        ({"pattern": "custom", "custom": "FREQ=WEEKLY;BYDAY=XX"}, "重复规则无效"),
        ({"pattern": "custom", "custom": ""}, "请输入重复规则"),
    ],
)
def test_bad_rules_are_refused_with_a_message(kwargs, message):
    with pytest.raises(RuleError, match=message):
        build_rule(**kwargs)


def test_custom_rule_accepts_the_rrule_prefix():
    assert build_rule(pattern="custom", custom="rrule:freq=monthly;byday=1fr") == (
        "FREQ=MONTHLY;BYDAY=1FR"
    )


def test_series_needs_exactly_one_end():
    with pytest.raises(RuleError, match="结束日期或活动次数，二者选其一"):
        expand("FREQ=WEEKLY", date(2026, 3, 3))
    with pytest.raises(RuleError, match="结束日期或活动次数，二者选其一"):
        expand("FREQ=WEEKLY", date(2026, 3, 3), count=2, until=date(2026, 4, 1))


def test_series_ending_before_it_starts_is_refused():
    with pytest.raises(RuleError, match="结束日期早于开始日期"):
        expand("FREQ=WEEKLY", date(2026, 3, 3), until=date(2026, 3, 1))


def test_runaway_series_is_refused():
    with pytest.raises(RuleError, match="将超过 10 次"):
        expand("FREQ=DAILY", date(2026, 3, 3), until=date(2027, 3, 3), limit=10)


def test_a_rule_that_never_matches_gives_no_dates():
    # February never has a 30th: an empty series, which the form then refuses.
    assert expand("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", date(2026, 1, 1), count=3) == []
