"""Property-based tests (hypothesis) of the period arithmetic: month ends, leap days, extensions, restarts."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from policies.choices import WarrantyStatus
from policies.policies import (
    DeviceDates,
    PolicyTerms,
    RepairRecord,
    WarrantyInputs,
    add_months,
    period_end,
    warranty_decide,
)

days = st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31))
months = st.integers(min_value=0, max_value=240)


@given(days, months)
def test_add_months_keeps_the_day_or_clamps_to_the_month_end(day: date, n: int) -> None:
    result = add_months(day, n)
    assert (result.year * 12 + result.month) - (day.year * 12 + day.month) == n
    last = calendar.monthrange(result.year, result.month)[1]
    assert result.day == min(day.day, last)


@given(days, st.integers(min_value=1, max_value=240))
def test_period_lengths_stay_within_calendar_bounds(start: date, n: int) -> None:
    end = period_end(start, n)
    length = (end - start).days + 1
    assert 28 * n - 3 <= length <= 31 * n
    assert period_end(start, n) < period_end(start, n + 1)


@given(days, months, days)
def test_later_start_never_ends_earlier(a: date, n: int, b: date) -> None:
    first, second = sorted((a, b))
    assert period_end(first, n) <= period_end(second, n)


@given(st.integers(min_value=1990, max_value=2090).filter(calendar.isleap), st.integers(min_value=1, max_value=20))
def test_leap_day_start_anniversaries(year: int, years: int) -> None:
    anniversary = add_months(date(year, 2, 29), 12 * years)
    expected_day = 29 if calendar.isleap(year + years) else 28
    assert anniversary == date(year + years, 2, expected_day)


@given(days, st.integers(min_value=1, max_value=60), st.lists(st.integers(min_value=0, max_value=60), max_size=5))
def test_repair_time_extends_the_end_by_exactly_the_days_in_repair(start: date, n: int, spans: list[int]) -> None:
    policy = PolicyTerms(unit_months=n)
    repairs, opened = [], start
    for span in spans:
        repairs.append(RepairRecord(opened, opened + timedelta(days=span)))
        opened = opened + timedelta(days=span + 1)
    on = max(opened, start)
    decision = warranty_decide(
        WarrantyInputs(policy=policy, device=DeviceDates(purchased_on=start), on=on, repairs=tuple(repairs))
    )
    base = period_end(start, n)
    counted = sum(r.days(on) for r in repairs if r.opened_on <= base + timedelta(days=sum(spans)))
    assert decision.ends_on is not None
    assert base <= decision.ends_on <= base + timedelta(days=sum(spans))
    assert decision.ends_on == base + timedelta(days=decision.repair_days)
    assert decision.repair_days <= counted


@given(days, st.integers(min_value=1, max_value=60), st.integers(min_value=0, max_value=4000))
def test_exchange_restarts_a_full_period(start: date, n: int, offset: int) -> None:
    exchanged = start + timedelta(days=offset)
    on = exchanged + timedelta(days=1)
    decision = warranty_decide(
        WarrantyInputs(
            policy=PolicyTerms(unit_months=n),
            device=DeviceDates(purchased_on=start),
            on=on,
            exchanges=(exchanged,),
        )
    )
    assert decision.starts_on == exchanged
    assert decision.ends_on == period_end(exchanged, n)
    assert decision.status == WarrantyStatus.IN_WARRANTY


@given(days, st.integers(min_value=1, max_value=60), st.integers(min_value=0, max_value=8000))
def test_status_matches_the_period(start: date, n: int, offset: int) -> None:
    on = start + timedelta(days=offset)
    decision = warranty_decide(
        WarrantyInputs(policy=PolicyTerms(unit_months=n), device=DeviceDates(purchased_on=start), on=on)
    )
    in_period = on <= period_end(start, n)
    assert decision.status == (WarrantyStatus.IN_WARRANTY if in_period else WarrantyStatus.EXPIRED)
