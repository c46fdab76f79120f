"""Chinese statutory holidays and make-up working days (调休) from the chinesecalendar library.

The library ships the State Council's dates for 2004–2026; later years come from admin entries
(CalendarDay rows). Pure and cached: the library's tables never change while the process runs.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import chinese_calendar
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

#: The library's English holiday names as people read them, in their language (issue 18, point 7).
HOLIDAY_LABELS: dict[str, Promise] = {
    "New Year's Day": _("New Year's Day"),
    "Spring Festival": _("Spring Festival"),
    "Tomb-sweeping Day": _("Tomb-sweeping Day"),
    "Labour Day": _("Labour Day"),
    "Dragon Boat Festival": _("Dragon Boat Festival"),
    "National Day": _("National Day"),
    "Mid-autumn Festival": _("Mid-Autumn Festival"),
    "Anti-Fascist 70th Day": _("70th anniversary of the victory in the War of Resistance"),
}


@lru_cache(maxsize=1)
def library_days() -> tuple[dict[date, str], dict[date, str]]:
    """``(holidays, workdays)``: {date: English holiday name} as published by the State Council."""
    from chinese_calendar import constants

    holidays = {day: str(name) for day, name in constants.holidays.items()}
    workdays = {day: str(name) for day, name in constants.workdays.items()}
    return holidays, workdays


@lru_cache(maxsize=1)
def library_years() -> frozenset[int]:
    """The years the installed chinesecalendar covers (e.g. 2004–2026)."""
    holidays, _workdays = library_days()
    return frozenset(day.year for day in holidays)


def holiday_label(name: str) -> str | Promise:
    """A library holiday's name in the reader's language; a name it does not know stays as it is."""
    return HOLIDAY_LABELS.get(name, name)


def library_version() -> str:
    return str(getattr(chinese_calendar, "__version__", ""))
