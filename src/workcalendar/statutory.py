"""Chinese statutory holidays and make-up working days (调休) from the chinesecalendar library.

The library ships the State Council's dates for 2004–2026; later years come from admin entries
(CalendarDay rows). Pure and cached: the library's tables never change while the process runs.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import chinese_calendar


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


def library_version() -> str:
    return str(getattr(chinese_calendar, "__version__", ""))
