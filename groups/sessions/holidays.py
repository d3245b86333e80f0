"""The public holidays a recurring series skips.

The national calendar (国务院办公厅's arrangements, from chinesecalendar) is the default;
the 组织部 adds days it does not know yet (next year's, before the package has them) or local
ones, and takes out national holidays the organisation works on (``PublicHoliday``). Only
days off count: the weekend make-up working days (调休) are ordinary days for a series.
A deployment can fix the whole list by setting instead (``groups.conf.public_holidays``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import chinese_calendar

from groups import conf
from groups.models import PublicHoliday

# chinesecalendar names the holidays in English.
NATIONAL_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def national_holidays(year: int) -> dict[date, str]:
    """Return the year's national days off by name, or {} for a year the calendar lacks."""
    try:
        days = chinese_calendar.get_holidays(date(year, 1, 1), date(year, 12, 31), False)
    except NotImplementedError:
        return {}
    return {day: chinese_calendar.get_holiday_detail(day)[1] or "" for day in days}


def public_holidays(years: Iterable[int]) -> frozenset[date]:
    """Return the days off in the given years: national, plus and minus the 组织部's rows."""
    configured = conf.public_holidays()
    if configured is not None:
        return configured
    years = sorted(set(years))
    days = {day for year in years for day in national_holidays(year)}
    for day, day_off in PublicHoliday.objects.filter(day__year__in=years).values_list(
        "day", "day_off"
    ):
        if day_off:
            days.add(day)
        else:
            days.discard(day)
    return frozenset(days)


def years_without_holidays(years: Iterable[int]) -> list[int]:
    """Return the years neither the national calendar nor the 组织部 has any holiday for."""
    if conf.public_holidays() is not None:
        return []
    years = sorted(set(years))
    entered = set(
        PublicHoliday.objects.filter(day__year__in=years, day_off=True).values_list(
            "day__year", flat=True
        )
    )
    return [y for y in years if y not in entered and not national_holidays(y)]


@dataclass
class HolidayDay:
    """A day of the holidays page: the national name, and the 组织部's row if any."""

    day: date
    name: str
    national: bool
    row: PublicHoliday | None = None

    @property
    def day_off(self) -> bool:
        return self.row.day_off if self.row else True


def holiday_year(year: int) -> list[HolidayDay]:
    """Return the holidays page's days of a year: national ones and the 组织部's, in order."""
    days = {
        day: HolidayDay(day=day, name=NATIONAL_NAMES.get(name, name), national=True)
        for day, name in national_holidays(year).items()
    }
    for row in PublicHoliday.objects.filter(day__year=year):
        if row.day in days:
            days[row.day].row = row
        else:
            days[row.day] = HolidayDay(day=row.day, name=row.name, national=False, row=row)
    return [days[day] for day in sorted(days)]


def holiday_save(*, day: date, name: str, day_off: bool = True) -> PublicHoliday:
    """Add a day off (or mark a national holiday a working day), replacing that day's row."""
    row, _created = PublicHoliday.objects.update_or_create(
        day=day, defaults={"name": name.strip(), "day_off": day_off}
    )
    return row


def holiday_delete(row: PublicHoliday) -> None:
    """Drop the 组织部's change for a day: the national calendar holds again."""
    row.delete()
