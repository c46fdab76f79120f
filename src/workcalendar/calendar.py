"""Business time on a working calendar — pure functions, no database access (SPEC §6).

A calendar is either open around the clock (7×24) or open during weekly working hours per
weekday (with breaks, e.g. 09:00–12:00 and 13:00–18:00) in its own timezone, minus days off
(Chinese statutory holidays and admin entries) plus make-up working days (调休).

Rules (recorded in docs/decisions/0006-work-calendar.md):

* A holiday is a day off whatever its weekday. A make-up working day (调休, normally a Saturday
  or Sunday) uses the **hours of the first weekday Monday–Friday that has hours** (Monday's on a
  normal calendar); a make-up entry on a weekday that already has hours keeps that day's hours.
* A 7×24 calendar ignores holidays.
* A year outside ``covered_years`` (no complete statutory data: chinesecalendar stops at 2026
  and no admin has marked the year's list of the State Council's dates complete yet) falls back
  to **weekends only** plus whatever dates were entered: the weekly hours apply unchanged. This
  is logged once per year per process, never raised.
* ``add_business_time`` needs a positive duration (``ValueError`` otherwise); a deadline that
  ends exactly where a working interval ends is that end (18:00, not the next morning).
* ``business_time_between`` is antisymmetric: ``between(a, b) == -between(b, a)``, so
  ``between(now, deadline)`` is the business time left, negative once overdue.

Performance: per-day working intervals are precomputed once per date and calendar (as UTC
epoch microseconds, so DST-observing timezones work too) and whole days are skipped with one
subtraction, so each call costs O(days spanned) with a few integer operations per day.
"""

from __future__ import annotations

import itertools
import logging
import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

logger = logging.getLogger(__name__)

#: Weekday keys as used by the API and the forms: 0 = Monday … 6 = Sunday.
WEEKDAY_KEYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

#: An interval ending at 00:00 ends at midnight (24:00) of the same day.
MIDNIGHT = time(0, 0)

#: A calendar lookup never walks further than this many days (≈ 30 years) — a guard, not a rule.
MAX_DAYS_SCANNED = 366 * 30

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)
_DAY_US = 86_400_000_000

Interval = tuple[time, time]
_DayPlan = tuple[tuple[tuple[int, int], ...], int]  # ((start_us, end_us), …), total_us

_warned_years: set[int] = set()


class CalendarError(ValueError):
    """A calendar definition or a request on it that cannot work; ``field`` names the culprit."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


def _seconds(value: time, *, is_end: bool) -> int:
    if is_end and value == MIDNIGHT:
        return 86_400_000_000
    return ((value.hour * 60 + value.minute) * 60 + value.second) * 1_000_000 + value.microsecond


def interval_problems(intervals: Iterable[Interval]) -> list[tuple[str, Interval, Interval | None]]:
    """Problems of one weekday's intervals: ``("inverted", interval, None)`` for end ≤ start and
    ``("overlap", earlier, later)`` for intervals that overlap. The services word them for people."""
    problems: list[tuple[str, Interval, Interval | None]] = []
    spans = []
    for start, end in intervals:
        s, e = _seconds(start, is_end=False), _seconds(end, is_end=True)
        if e <= s:
            problems.append(("inverted", (start, end), None))
        else:
            spans.append((s, e, (start, end)))
    spans.sort()
    for (_s1, e1, first), (s2, _e2, second) in itertools.pairwise(spans):
        if s2 < e1:
            problems.append(("overlap", first, second))
    return problems


@dataclass(frozen=True)
class WorkingCalendar:
    code: str
    tz: zoneinfo.ZoneInfo
    always_open: bool  # 7×24
    weekly_hours: Mapping[int, tuple[tuple[time, time], ...]]  # 0 = Monday … 6 = Sunday
    holidays: frozenset[date]  # days off (statutory holidays + admin entries)
    workdays: frozenset[date]  # make-up working days (调休) on weekends
    covered_years: frozenset[int]  # years with complete holiday data (library, or marked complete)
    #: False for a calendar that does not follow Chinese holidays: no "uncovered year" warnings.
    observes_holidays: bool = True

    _days: dict[int, _DayPlan] = field(default_factory=dict, init=False, repr=False, compare=False)
    _makeup: tuple[tuple[time, time], ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.always_open:
            for weekday, intervals in self.weekly_hours.items():
                if weekday not in range(7):
                    raise CalendarError(f"weekday {weekday!r} is not 0–6", "hours")
                problems = interval_problems(intervals)
                if problems:
                    kinds = ", ".join(kind for kind, _first, _second in problems)
                    raise CalendarError(f"{WEEKDAY_KEYS[weekday]}: {kinds} working hours", "hours")
            if not any(self.weekly_hours.get(day) for day in range(7)):
                raise CalendarError("the calendar has no working time at all", "hours")
        makeup: tuple[tuple[time, time], ...] = ()
        for weekday in range(5):
            if self.weekly_hours.get(weekday):
                makeup = tuple(self.weekly_hours[weekday])
                break
        object.__setattr__(self, "_makeup", makeup)

    def __hash__(self) -> int:
        return hash((self.code, str(self.tz), self.always_open, self.holidays, self.workdays, self.covered_years))

    # --- per-day plans ------------------------------------------------------------------------

    def hours_on(self, day: date) -> tuple[tuple[time, time], ...]:
        """The local working intervals of ``day`` (empty on a day off)."""
        if self.always_open:
            return ((MIDNIGHT, MIDNIGHT),)
        if self.observes_holidays and day.year not in self.covered_years:
            _warn_uncovered(day.year, self.code)
        if day in self.holidays:
            return ()
        weekly = tuple(self.weekly_hours.get(day.weekday(), ()))
        if day in self.workdays and not weekly:
            return self._makeup
        return weekly

    def is_working_day(self, day: date) -> bool:
        return bool(self.hours_on(day))

    def _plan(self, ordinal: int) -> _DayPlan:
        plan = self._days.get(ordinal)
        if plan is None:
            day = date.fromordinal(ordinal)
            spans = []
            for start, end in sorted(self.hours_on(day)):
                s = _local_us(day, start, self.tz, is_end=False)
                e = _local_us(day, end, self.tz, is_end=True)
                if e > s:  # a DST gap can swallow an interval
                    spans.append((s, e))
            plan = (tuple(spans), sum(e - s for s, e in spans))
            self._days[ordinal] = plan
        return plan


def _local_us(day: date, value: time, tz: zoneinfo.ZoneInfo, *, is_end: bool) -> int:
    if is_end and value == MIDNIGHT:
        moment = datetime.combine(day + timedelta(days=1), MIDNIGHT, tzinfo=tz)
    else:
        moment = datetime.combine(day, value, tzinfo=tz)
    return (moment - _EPOCH) // _US


def _warn_uncovered(year: int, code: str) -> None:
    if year in _warned_years:
        return
    _warned_years.add(year)
    logger.warning(
        "No holiday data for %s (calendar %s): deadlines count only weekends as days off. "
        "Enter the State Council's dates for %s.",
        year,
        code,
        year,
    )


def _require_aware(value: datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise CalendarError(f"{name} must be a timezone-aware datetime", name)


def _to_us(value: datetime) -> int:
    return (value - _EPOCH) // _US


def _from_us(value: int, tz: zoneinfo.ZoneInfo) -> datetime:
    return (_EPOCH + timedelta(microseconds=value)).astimezone(tz)


def _local_ordinal(value_us: int, tz: zoneinfo.ZoneInfo) -> int:
    return _from_us(value_us, tz).toordinal()


def add_business_time(calendar: WorkingCalendar, start: datetime, duration: timedelta) -> datetime:
    """The instant at which ``duration`` of business time has passed since ``start``.

    Raises ``CalendarError`` (a ``ValueError``) for a duration ≤ 0 or a naive ``start``.
    The result is in the calendar's timezone.
    """
    _require_aware(start, "start")
    if duration <= timedelta(0):
        raise CalendarError("the duration must be positive", "hours")
    if calendar.always_open:
        return (start + duration).astimezone(calendar.tz)
    t = _to_us(start)
    remaining = duration // _US
    ordinal = _local_ordinal(t, calendar.tz)
    plan = calendar._plan
    for _ in range(MAX_DAYS_SCANNED):
        spans, total = plan(ordinal)
        ordinal += 1
        if not total:
            continue
        if spans[0][0] >= t and remaining > total:  # the whole day is ahead of us: skip it
            remaining -= total
            continue
        for s, e in spans:
            if e <= t:
                continue
            if s < t:
                s = t
            available = e - s
            if remaining <= available:
                return _from_us(s + remaining, calendar.tz)
            remaining -= available
    raise CalendarError("no working time found within 30 years", "hours")


def business_time_between(calendar: WorkingCalendar, start: datetime, end: datetime) -> timedelta:
    """Business time elapsed from ``start`` to ``end``; negative (antisymmetric) if ``end < start``."""
    _require_aware(start, "start")
    _require_aware(end, "end")
    if end < start:
        return -business_time_between(calendar, end, start)
    if calendar.always_open:
        return end - start
    a, b = _to_us(start), _to_us(end)
    first = _local_ordinal(a, calendar.tz)
    last = _local_ordinal(b, calendar.tz)
    plan = calendar._plan
    total_us = 0
    for ordinal in range(first, last + 1):
        spans, total = plan(ordinal)
        if not total:
            continue
        if spans[0][0] >= a and spans[-1][1] <= b:
            total_us += total
            continue
        for s, e in spans:
            if s < a:
                s = a
            if e > b:
                e = b
            if e > s:
                total_us += e - s
    return timedelta(microseconds=total_us)


def make_calendar(
    *,
    code: str,
    timezone: str = "Asia/Shanghai",
    always_open: bool = False,
    weekly_hours: Mapping[int, Iterable[Interval]] | None = None,
    holidays: Iterable[date] = (),
    workdays: Iterable[date] = (),
    covered_years: Iterable[int] = (),
    observes_holidays: bool = True,
) -> WorkingCalendar:
    """Convenience constructor (tests, benchmarks): normalises containers and the timezone name."""
    try:
        tz = zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise CalendarError(f"unknown timezone {timezone!r}", "timezone") from exc
    hours = {day: tuple(sorted(intervals)) for day, intervals in (weekly_hours or {}).items() if intervals}
    return WorkingCalendar(
        code=code,
        tz=tz,
        always_open=always_open,
        weekly_hours=hours,
        holidays=frozenset(holidays),
        workdays=frozenset(workdays),
        covered_years=frozenset(covered_years),
        observes_holidays=observes_holidays,
    )
