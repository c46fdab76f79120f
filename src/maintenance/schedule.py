"""The date arithmetic of maintenance plans, pure (no database): the k-th occurrence of a fixed
schedule is ``starts_on + k × interval`` computed from ``starts_on`` every time (never from the
previous occurrence, so 31 Jan → 28/29 Feb → 31 Mar, not 28 Mar), a month end clamping to the last
day of a shorter month; and the move of a due date off a non-working day."""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterator
from datetime import date, timedelta

from maintenance.choices import NonWorkingDay

#: A due date is moved at most this many days looking for a working day (a long holiday is 9 days).
MAX_SHIFT_DAYS = 31


def add_months(start: date, months: int) -> date:
    """``start`` plus whole months, the day clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def occurrence(starts_on: date, k: int, *, interval_months: int | None, interval_days: int | None) -> date:
    """The k-th (from 0) nominal due date of a fixed schedule."""
    if interval_months:
        return add_months(starts_on, k * interval_months)
    if interval_days:
        return starts_on + timedelta(days=k * interval_days)
    raise ValueError("a plan needs an interval in months or in days")


def after(moment: date, *, interval_months: int | None, interval_days: int | None) -> date:
    """One interval after ``moment`` (a floating schedule's next due date after a completion)."""
    return occurrence(moment, 1, interval_months=interval_months, interval_days=interval_days)


def fixed_occurrences(
    starts_on: date,
    until: date,
    *,
    interval_months: int | None,
    interval_days: int | None,
    ends_on: date | None = None,
) -> Iterator[tuple[int, date]]:
    """(k, nominal due date) of a fixed schedule from ``starts_on`` up to ``until`` (and ``ends_on``)."""
    last = min(until, ends_on) if ends_on else until
    k = 0
    while True:
        due = occurrence(starts_on, k, interval_months=interval_months, interval_days=interval_days)
        if due > last:
            return
        yield k, due
        k += 1


def shift_to_working_day(day: date, rule: str, is_working_day: Callable[[date], bool]) -> date:
    """The planned date of a due date: itself if it is a working day or the rule keeps it, else the
    nearest working day before or after (at most ``MAX_SHIFT_DAYS``; beyond, the date is kept)."""
    if rule == NonWorkingDay.KEEP or is_working_day(day):
        return day
    step = timedelta(days=-1 if rule == NonWorkingDay.EARLIER else 1)
    candidate = day
    for _ in range(MAX_SHIFT_DAYS):
        candidate += step
        if is_working_day(candidate):
            return candidate
    return day
