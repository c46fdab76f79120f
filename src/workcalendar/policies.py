"""Is an admin-entered holiday list for a year complete enough to count on? Pure code (issue 18, point 3).

A year the chinesecalendar library does not cover yet (2027 onwards) is *covered* only once an
admin says its national list is complete (``HolidayYear.is_complete``): one entry for 元旦 must not
make the Spring Festival a run of working days. Before an admin says so, this module checks the
list against the seven statutory festivals of 《全国年节及纪念日放假办法》第二条 (元旦, 春节, 清明节,
劳动节, 端午节, 中秋节, 国庆节): a festival without any holiday entry is named, and marking the
list complete anyway needs an explicit confirmation.

A festival counts as entered when a national *holiday* entry of that year is named for it (its
Chinese or English name; "中秋国庆" names two) or, for the festivals on a fixed solar date
(1 January, 1 May, 1 October), falls on that date whatever its name. A make-up working day
("春节调休") does not count: it is not a day off.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from workcalendar.models import DayKind


@dataclass(frozen=True)
class Festival:
    code: str  # stable, for the API
    label: str | Promise
    keywords: tuple[str, ...]  # lower-case fragments of an entry's name that mean this festival
    fixed_day: tuple[int, int] | None = None  # (month, day) of a festival on a fixed solar date


#: 《全国年节及纪念日放假办法》第二条: the festivals every State Council notice gives days off for.
STATUTORY_FESTIVALS: tuple[Festival, ...] = (
    Festival("new_year", _("New Year's Day"), ("元旦", "new year"), (1, 1)),
    Festival("spring_festival", _("Spring Festival"), ("春节", "除夕", "spring festival")),
    Festival("tomb_sweeping", _("Tomb-sweeping Day"), ("清明", "tomb-sweeping", "tomb sweeping", "qingming")),
    Festival("labour_day", _("Labour Day"), ("劳动", "五一", "labour", "labor", "may day"), (5, 1)),
    Festival("dragon_boat", _("Dragon Boat Festival"), ("端午", "dragon boat")),
    Festival("mid_autumn", _("Mid-Autumn Festival"), ("中秋", "mid-autumn", "mid autumn")),
    Festival("national_day", _("National Day"), ("国庆", "national day"), (10, 1)),
)


@dataclass(frozen=True)
class HolidayListCheck:
    """What a year's national list holds: how many entries, and which festivals have none."""

    year: int
    entries: int
    missing: tuple[Festival, ...]

    @property
    def missing_codes(self) -> list[str]:
        return [festival.code for festival in self.missing]


def _names(festival: Festival, name: str) -> bool:
    lowered = name.lower()
    return any(keyword in lowered for keyword in festival.keywords)


def holiday_list_check(*, year: int, entries: Iterable[tuple[date, str, str]]) -> HolidayListCheck:
    """Check ``entries`` — the year's active national ``(date, kind, name)`` — for the statutory festivals."""
    rows = [(day, kind, name or "") for day, kind, name in entries if day.year == year]
    holidays = [(day, name) for day, kind, name in rows if kind == DayKind.HOLIDAY]
    missing = tuple(
        festival
        for festival in STATUTORY_FESTIVALS
        if not any(
            _names(festival, name) or (festival.fixed_day is not None and (day.month, day.day) == festival.fixed_day)
            for day, name in holidays
        )
    )
    return HolidayListCheck(year=year, entries=len(rows), missing=missing)
