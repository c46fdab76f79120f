"""The pure business-time functions (no database): 2026 holidays and 调休, breaks, 2027 boundary."""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workcalendar import calendar as cal_module
from workcalendar.calendar import (
    CalendarError,
    WorkingCalendar,
    add_business_time,
    business_time_between,
    make_calendar,
)
from workcalendar.statutory import library_days, library_years

SH = ZoneInfo("Asia/Shanghai")
WORKDAY = ((time(9), time(12)), (time(13), time(18)))  # 8 h with a lunch break


def at(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=SH)


def standard(
    extra_holidays: dict[date, str] | None = None,
    extra_workdays: dict[date, str] | None = None,
    extra_years: set[int] | None = None,
) -> WorkingCalendar:
    holidays, workdays = library_days()
    return make_calendar(
        code="standard",
        weekly_hours={day: WORKDAY for day in range(5)},
        holidays=set(holidays) | set(extra_holidays or {}),
        workdays=set(workdays) | set(extra_workdays or {}),
        covered_years=set(library_years()) | set(extra_years or set()),
    )


H = timedelta(hours=1)


# --- ordinary days and the lunch break -----------------------------------------------------------


def test_lunch_break_is_not_counted() -> None:
    cal = standard()
    # Tuesday 2026-03-10 11:00 + 2 h: 11–12 counts, 12–13 is lunch, 13–14 counts.
    assert add_business_time(cal, at(2026, 3, 10, 11), 2 * H) == at(2026, 3, 10, 14)
    assert business_time_between(cal, at(2026, 3, 10, 11), at(2026, 3, 10, 14)) == 2 * H


def test_start_during_lunch_counts_from_1300() -> None:
    cal = standard()
    assert add_business_time(cal, at(2026, 3, 10, 12, 30), H) == at(2026, 3, 10, 14)


def test_deadline_ending_with_the_day_is_1800_not_next_morning() -> None:
    cal = standard()
    assert add_business_time(cal, at(2026, 3, 10, 9), 8 * H) == at(2026, 3, 10, 18)


def test_friday_evening_rolls_over_the_weekend() -> None:
    cal = standard()
    # Friday 2026-03-13 17:00 + 2 h → Monday 2026-03-16 10:00.
    assert add_business_time(cal, at(2026, 3, 13, 17), 2 * H) == at(2026, 3, 16, 10)


def test_result_is_in_the_calendars_timezone() -> None:
    cal = standard()
    start_utc = datetime(2026, 3, 10, 1, 0, tzinfo=ZoneInfo("UTC"))  # 09:00 in Shanghai
    result = add_business_time(cal, start_utc, H)
    assert result == at(2026, 3, 10, 10)
    assert result.utcoffset() == timedelta(hours=8)


# --- 2026 Spring Festival: holiday 02-15 (Sun) … 02-23 (Mon); 调休 Saturdays 02-14 and 02-28 ----------


def test_spring_festival_2026_makeup_saturday_before_counts_as_a_workday() -> None:
    cal = standard()
    # Friday 2026-02-13 17:00 + 2 h: 1 h on Friday, 1 h on 调休 Saturday 02-14 (Monday's hours).
    assert add_business_time(cal, at(2026, 2, 13, 17), 2 * H) == at(2026, 2, 14, 10)


def test_spring_festival_2026_holiday_week_is_skipped() -> None:
    cal = standard()
    # Saturday 02-14 17:00 + 2 h: 1 h on 02-14, then 02-15…02-23 are off → Tuesday 02-24 10:00.
    assert add_business_time(cal, at(2026, 2, 14, 17), 2 * H) == at(2026, 2, 24, 10)
    assert business_time_between(cal, at(2026, 2, 14, 18), at(2026, 2, 24, 9)) == timedelta(0)


def test_spring_festival_2026_makeup_saturday_after_counts() -> None:
    cal = standard()
    # Friday 02-27 17:00 + 2 h: 1 h Friday, 1 h on 调休 Saturday 02-28.
    assert add_business_time(cal, at(2026, 2, 27, 17), 2 * H) == at(2026, 2, 28, 10)
    # …and the Sunday after is a normal day off: 02-28 17:00 + 2 h → Monday 03-02 10:00.
    assert add_business_time(cal, at(2026, 2, 28, 17), 2 * H) == at(2026, 3, 2, 10)


def test_spring_festival_2026_five_working_days_span() -> None:
    cal = standard()
    # 40 business hours from Thursday 02-12 09:00: 02-12, 02-13, 02-14 (调休), 02-24, 02-25.
    assert add_business_time(cal, at(2026, 2, 12, 9), 40 * H) == at(2026, 2, 25, 18)


# --- 2026 National Day: holiday 10-01 … 10-07; 调休 Sunday 09-20 and Saturday 10-10 ----------------


def test_national_day_2026_makeup_sunday_0920_counts() -> None:
    cal = standard()
    assert add_business_time(cal, at(2026, 9, 19, 9), H) == at(2026, 9, 20, 10)


def test_national_day_2026_holiday_week_then_makeup_saturday_1010() -> None:
    cal = standard()
    # Wednesday 09-30 17:00 + 9 h: 1 h on 09-30, 10-01…10-07 off, 8 h Thursday 10-08.
    assert add_business_time(cal, at(2026, 9, 30, 17), 9 * H) == at(2026, 10, 8, 18)
    # 10-09 (Fri) 17:00 + 2 h → 1 h Friday + 1 h on 调休 Saturday 10-10.
    assert add_business_time(cal, at(2026, 10, 9, 17), 2 * H) == at(2026, 10, 10, 10)
    assert business_time_between(cal, at(2026, 9, 30, 9), at(2026, 10, 10, 18)) == 4 * 8 * H


def test_a_pause_spanning_the_national_day_holiday_counts_no_business_time() -> None:
    cal = standard()
    # An order paused from 09-30 18:00 to 10-08 09:00 lost no business time at all, so the
    # deadline moves by zero; paused from 09-30 12:00 to 10-08 10:00 it moves by 6 business hours.
    assert business_time_between(cal, at(2026, 9, 30, 18), at(2026, 10, 8, 9)) == timedelta(0)
    paused = business_time_between(cal, at(2026, 9, 30, 12), at(2026, 10, 8, 10))
    assert paused == 6 * H  # 13–18 on 09-30, 09–10 on 10-08
    original_deadline = at(2026, 9, 30, 16)
    # 16–18 on 09-30 (2 h), the holiday week, 09–12 and 13–14 on 10-08 (4 h).
    assert add_business_time(cal, original_deadline, paused) == at(2026, 10, 8, 14)


# --- 2026 → 2027: no library data for 2027 ---------------------------------------------------


def test_2027_without_data_falls_back_to_weekends_and_warns_once(caplog: pytest.LogCaptureFixture) -> None:
    cal_module._warned_years.discard(2027)
    cal = standard()
    with caplog.at_level(logging.WARNING, logger="workcalendar.calendar"):
        # Thursday 2026-12-31 17:00 + 2 h → 1 h on 12-31, then 2027-01-01 (a Friday) counts.
        assert add_business_time(cal, at(2026, 12, 31, 17), 2 * H) == at(2027, 1, 1, 10)
        add_business_time(cal, at(2027, 1, 4, 9), 30 * H)
    warnings = [r for r in caplog.records if "No holiday data for 2027" in r.getMessage()]
    assert len(warnings) == 1


def test_2027_with_admin_entered_new_year_holiday() -> None:
    cal = standard(extra_holidays={date(2027, 1, 1): "元旦"}, extra_years={2027})
    # 2027-01-01 is a holiday (Friday) → next working time is Monday 2027-01-04.
    assert add_business_time(cal, at(2026, 12, 31, 17), 2 * H) == at(2027, 1, 4, 10)


def test_2027_admin_entered_makeup_workday_counts() -> None:
    cal = standard(extra_workdays={date(2027, 2, 7): "春节调休"}, extra_years={2027})  # a Sunday
    assert add_business_time(cal, at(2027, 2, 5, 17), 2 * H) == at(2027, 2, 7, 10)


# --- 7×24, bad input ------------------------------------------------------------------------


def test_24x7_ignores_holidays_and_nights() -> None:
    holidays, _ = library_days()
    cal = make_calendar(code="24x7", always_open=True, holidays=holidays)
    assert add_business_time(cal, at(2026, 10, 1, 23), 2 * H) == at(2026, 10, 2, 1)
    assert business_time_between(cal, at(2026, 10, 1), at(2026, 10, 2)) == 24 * H


@pytest.mark.parametrize("duration", [timedelta(0), -H], ids=["zero", "negative"])
def test_duration_must_be_positive(duration: timedelta) -> None:
    with pytest.raises(CalendarError, match="positive"):
        add_business_time(standard(), at(2026, 3, 10, 9), duration)


def test_naive_start_is_refused() -> None:
    with pytest.raises(CalendarError):
        add_business_time(standard(), datetime(2026, 3, 10, 9), H)


def test_end_before_start_is_negative_business_time() -> None:
    cal = standard()
    assert business_time_between(cal, at(2026, 3, 10, 14), at(2026, 3, 10, 11)) == -2 * H


@pytest.mark.parametrize(
    ("hours", "fragment"),
    [
        ({0: ((time(12), time(9)),)}, "inverted"),
        ({0: ((time(9), time(9)),)}, "inverted"),
        ({0: ((time(9), time(12)), (time(11), time(14)))}, "overlap"),
        ({}, "no working time"),
    ],
    ids=["inverted", "empty", "overlapping", "nothing"],
)
def test_bad_hours_are_refused(hours: dict, fragment: str) -> None:
    with pytest.raises(CalendarError, match=fragment):
        make_calendar(code="x", weekly_hours=hours)


def test_unknown_timezone_is_refused() -> None:
    with pytest.raises(CalendarError) as caught:
        make_calendar(code="x", timezone="Mars/Olympus", weekly_hours={0: WORKDAY})
    assert caught.value.field == "timezone"


def test_interval_ending_at_midnight_runs_to_2400() -> None:
    cal = make_calendar(
        code="late", weekly_hours={day: ((time(20), time(0)),) for day in range(7)}, observes_holidays=False
    )
    assert add_business_time(cal, at(2026, 3, 10, 23), 2 * H) == at(2026, 3, 11, 21)


def test_dst_timezone_counts_real_hours() -> None:
    # Europe/Berlin springs forward on 2026-03-29 02:00 → 03:00: 00:00–06:00 is 5 real hours.
    cal = make_calendar(
        code="be",
        timezone="Europe/Berlin",
        weekly_hours={day: ((time(0), time(6)),) for day in range(7)},
        observes_holidays=False,
    )
    berlin = ZoneInfo("Europe/Berlin")
    assert (
        business_time_between(cal, datetime(2026, 3, 29, 0, tzinfo=berlin), datetime(2026, 3, 29, 6, tzinfo=berlin))
        == 5 * H
    )


# --- properties ---------------------------------------------------------------------------

instants = st.datetimes(min_value=datetime(2025, 12, 1), max_value=datetime(2027, 3, 1), timezones=st.just(SH))
durations = st.integers(min_value=1, max_value=200 * 3600).map(lambda s: timedelta(seconds=s))
CAL = standard(extra_holidays={date(2027, 1, 1): "元旦"}, extra_years={2027})
#: The same calendar before an admin entered 2027: weekends-only fallback across the boundary.
CAL_NO_2027 = standard()
calendars = st.sampled_from([CAL, CAL_NO_2027])


@settings(max_examples=300, deadline=None)
@given(cal=calendars, start=instants, duration=durations)
def test_property_adding_then_measuring_gives_back_the_duration(
    cal: WorkingCalendar, start: datetime, duration: timedelta
) -> None:
    deadline = add_business_time(cal, start, duration)
    assert deadline > start
    assert business_time_between(cal, start, deadline) == duration


@settings(max_examples=300, deadline=None)
@given(cal=calendars, start=instants, d1=durations, d2=durations)
def test_property_add_is_monotonic_in_the_duration(
    cal: WorkingCalendar, start: datetime, d1: timedelta, d2: timedelta
) -> None:
    small, large = sorted((d1, d2))
    assert add_business_time(cal, start, small) <= add_business_time(cal, start, large)


@settings(max_examples=300, deadline=None)
@given(cal=calendars, s1=instants, s2=instants, duration=durations)
def test_property_add_is_monotonic_in_the_start(
    cal: WorkingCalendar, s1: datetime, s2: datetime, duration: timedelta
) -> None:
    early, late = sorted((s1, s2))
    assert add_business_time(cal, early, duration) <= add_business_time(cal, late, duration)


@settings(max_examples=300, deadline=None)
@given(a=instants, b=instants, c=instants)
def test_property_between_is_additive(a: datetime, b: datetime, c: datetime) -> None:
    a, b, c = sorted((a, b, c))
    assert business_time_between(CAL, a, c) == business_time_between(CAL, a, b) + business_time_between(CAL, b, c)
