"""Month-end clamping of fixed schedules, over years and leap years, always from ``starts_on``."""

from __future__ import annotations

import calendar
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from maintenance.schedule import add_months, fixed_occurrences, occurrence, shift_to_working_day


def test_spec_examples() -> None:
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2026, 1, 31), 3) == date(2026, 4, 30)


def test_never_iterated_from_the_previous_date() -> None:
    dates = [
        d for _k, d in fixed_occurrences(date(2026, 1, 31), date(2027, 1, 31), interval_months=1, interval_days=None)
    ]
    assert dates[:4] == [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30)]
    assert dates[-1] == date(2027, 1, 31) and len(dates) == 13


def test_quarterly_from_a_month_end_over_leap_years() -> None:
    dates = [
        d for _k, d in fixed_occurrences(date(2023, 11, 30), date(2029, 1, 1), interval_months=3, interval_days=None)
    ]
    feb = [d for d in dates if d.month == 2]
    assert feb == [date(2024, 2, 29), date(2025, 2, 28), date(2026, 2, 28), date(2027, 2, 28), date(2028, 2, 29)]
    assert date(2024, 5, 30) in dates and date(2024, 8, 30) in dates  # back to the 30th after February


def test_leap_day_start_yearly() -> None:
    dates = [
        d for _k, d in fixed_occurrences(date(2024, 2, 29), date(2033, 1, 1), interval_months=12, interval_days=None)
    ]
    assert dates == [
        date(2024, 2, 29),
        date(2025, 2, 28),
        date(2026, 2, 28),
        date(2027, 2, 28),
        date(2028, 2, 29),
        date(2029, 2, 28),
        date(2030, 2, 28),
        date(2031, 2, 28),
        date(2032, 2, 29),
    ]


def test_days_interval_and_end_date() -> None:
    dates = [
        d
        for _k, d in fixed_occurrences(
            date(2026, 3, 1), date(2026, 12, 31), interval_months=None, interval_days=10, ends_on=date(2026, 3, 31)
        )
    ]
    assert dates == [date(2026, 3, 1), date(2026, 3, 11), date(2026, 3, 21), date(2026, 3, 31)]


@given(
    start=st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)),
    k=st.integers(min_value=0, max_value=400),
    interval=st.sampled_from([1, 2, 3, 4, 6, 12]),
)
def test_clamps_to_the_month_end_from_the_start(start: date, k: int, interval: int) -> None:
    due = occurrence(start, k, interval_months=interval, interval_days=None)
    months = start.year * 12 + start.month - 1 + k * interval
    assert (due.year, due.month) == (months // 12, months % 12 + 1)
    assert due.day == min(start.day, calendar.monthrange(due.year, due.month)[1])


def test_non_working_day_moves_earlier_or_later() -> None:
    weekend = {date(2026, 3, 28), date(2026, 3, 29)}

    def is_working(day: date) -> bool:
        return day not in weekend

    assert shift_to_working_day(date(2026, 3, 28), "earlier", is_working) == date(2026, 3, 27)
    assert shift_to_working_day(date(2026, 3, 28), "later", is_working) == date(2026, 3, 30)
    assert shift_to_working_day(date(2026, 3, 28), "keep", is_working) == date(2026, 3, 28)
    assert shift_to_working_day(date(2026, 3, 27), "later", is_working) == date(2026, 3, 27)
