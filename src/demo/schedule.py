"""The demo's diary of technician visits: what dispatch will accept, known before it is asked.

Every visit the demo books goes through dispatch's own rules (the schedule hook and
``appointment_book``): a shift that day, the window inside it, no overlap with the technician's
other visits, at most ``daily_capacity`` a day. A refusal there would abort the whole load, so the
loader keeps the same facts here and only proposes windows dispatch will take. The shift comes
from dispatch's own pure rule (``dispatch.policies.shift_on``) over the rows the loader wrote and
the technicians' work calendar, so both sides agree on every date (holidays, 调休 days).

Also the day's route: visits in nearest-neighbour order from the technician's home base, each
start leaving time to travel from the previous customer (approximate district centroids,
``dispatch.geo``), lunch kept free.
"""

from __future__ import annotations

import math
import random
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo

from dispatch.geo import Point, distance_km
from dispatch.policies import ShiftRules, Span, overlaps, shift_on, window_fits_shift
from workcalendar.calendar import WorkingCalendar

#: Start times of the visits the desk books from the order page (the hook books 60 minutes).
SLOTS: tuple[time, ...] = (time(9, 0), time(10, 30), time(13, 30), time(15, 0), time(16, 30))
LUNCH = (time(12, 0), time(13, 0))
FIRST_VISIT = time(9, 0)
CITY_SPEED_KMH = 25.0  # door to door in city traffic
MIN_TRAVEL_MINUTES = 20  # parking, finding the room, signing in at reception


def next_working_day(calendar: WorkingCalendar, day: date, *, after: bool = False) -> date:
    """``day`` itself when it is a working day of ``calendar`` (unless ``after``), else the next one."""
    candidate = day + timedelta(days=1) if after else day
    for _offset in range(60):
        if calendar.is_working_day(candidate):
            return candidate
        candidate += timedelta(days=1)
    return candidate  # pragma: no cover - no calendar has 60 days off in a row


def travel_minutes(a: Point | None, b: Point | None) -> int:
    """Minutes from one customer to the next, in quarter hours (at least ``MIN_TRAVEL_MINUTES``)."""
    km = distance_km(a, b) if a is not None and b is not None else 0.0
    minutes = km / CITY_SPEED_KMH * 60
    return max(MIN_TRAVEL_MINUTES, 15 * math.ceil(minutes / 15))


def route_order(home: Point | None, stops: Sequence[Point | None]) -> list[int]:
    """Indexes of ``stops`` in nearest-neighbour order from ``home`` (ties: the given order)."""
    left = list(range(len(stops)))
    here = home
    order: list[int] = []
    while left:
        best = min(left, key=lambda i: distance_km(here, stops[i]) if here and stops[i] else 0.0)  # type: ignore[arg-type]
        order.append(best)
        left.remove(best)
        here = stops[best] or here
    return order


@dataclass
class Booking:
    technician: int
    start: datetime
    end: datetime
    key: Hashable
    point: Point | None = None  # where the visit is


@dataclass
class Diary:
    """Shifts and booked windows of every field technician (by user id)."""

    calendar: WorkingCalendar
    tz: tzinfo
    capacity: int = 6
    rules: dict[int, ShiftRules] = field(default_factory=dict)
    _days: dict[tuple[int, date], list[Booking]] = field(default_factory=dict)
    _by_key: dict[Hashable, Booking] = field(default_factory=dict)
    _shifts: dict[tuple[int, date], Span | None] = field(default_factory=dict)

    def shift(self, technician: int, day: date) -> Span | None:
        key = (technician, day)
        if key not in self._shifts:
            rules = self.rules.get(technician, ShiftRules(weekly={}, overrides={}))
            self._shifts[key] = shift_on(rules, self.calendar, day)
        return self._shifts[key]

    def at(self, day: date, moment: time) -> datetime:
        return datetime.combine(day, moment, tzinfo=self.tz)

    def visits(self, technician: int, day: date) -> list[Booking]:
        return sorted(self._days.get((technician, day), []), key=lambda booking: booking.start)

    def is_free(
        self, technician: int, start: datetime, end: datetime, *, key: Hashable = None, point: Point | None = None
    ) -> bool:
        """Dispatch would book this window (inside the shift, no overlap, under the day's
        capacity), and the technician can drive to it from the visit before and on to the next."""
        if not window_fits_shift(self.shift(technician, start.date()), start, end):
            return False
        others = [b for b in self._days.get((technician, start.date()), []) if b.key != key]
        if len(others) >= self.capacity or overlaps(start, end, [(b.start, b.end) for b in others]):
            return False
        for other in others:
            drive = timedelta(minutes=travel_minutes(other.point, point))
            if other.end <= start < other.end + drive or end <= other.start < end + drive:
                return False
        return True

    def book(
        self, technician: int, start: datetime, end: datetime, key: Hashable, *, point: Point | None = None
    ) -> None:
        """Record a window (a booking already held under ``key`` moves, as dispatch moves it)."""
        previous = self._by_key.pop(key, None)
        if previous is not None:
            self._days[(previous.technician, previous.start.date())].remove(previous)
        booking = Booking(technician, start, end, key, point)
        self._days.setdefault((technician, start.date()), []).append(booking)
        self._by_key[key] = booking

    def first_free(
        self,
        technicians: Sequence[int],
        earliest: datetime,
        rng: random.Random,
        *,
        minutes: int = 60,
        key: Hashable = None,
        point: Point | None = None,
        horizon_days: int = 365,
    ) -> tuple[int, datetime] | None:
        """The first slot from ``earliest`` on which one of ``technicians`` is free (a random one
        of those free then), or ``None`` when none is within the horizon."""
        local = earliest.astimezone(self.tz)
        for offset in range(horizon_days):
            day = local.date() + timedelta(days=offset)
            for slot in SLOTS:
                start = self.at(day, slot)
                if start < earliest:
                    continue
                end = start + timedelta(minutes=minutes)
                free = [t for t in technicians if self.is_free(t, start, end, key=key, point=point)]
                if free:
                    return rng.choice(free), start
        return None

    def plan_route(
        self, technician: int, day: date, home: Point | None, stops: Sequence[tuple[Point | None, int]]
    ) -> list[tuple[int, datetime, int]]:
        """A day's visits for ``stops`` (location, minutes on site): ``(stop index, start, minutes)``
        in route order. The first starts at 09:00; each next one after the previous visit and the
        drive; a visit that would run into lunch starts at 13:00; what no longer fits the shift
        (or would clash with a visit already in the diary) is left for another day."""
        shift = self.shift(technician, day)
        if shift is None:
            return []
        order = route_order(home, [point for point, _minutes in stops])
        planned: list[tuple[int, datetime, int]] = []
        here = home
        moment = self.at(day, max(FIRST_VISIT, shift[0]))
        lunch_start, lunch_end = self.at(day, LUNCH[0]), self.at(day, LUNCH[1])
        for index in order:
            point, minutes = stops[index]
            start = moment if not planned else moment + timedelta(minutes=travel_minutes(here, point))
            start = _quarter(start)
            if start < lunch_end and start + timedelta(minutes=minutes) > lunch_start:
                start = max(start, lunch_end) if start >= lunch_start else lunch_end
            end = start + timedelta(minutes=minutes)
            while not self.is_free(technician, start, end, point=point) and end.time() <= shift[1]:
                start += timedelta(minutes=15)
                end = start + timedelta(minutes=minutes)
            if not self.is_free(technician, start, end, point=point):
                break
            planned.append((index, start, minutes))
            moment, here = end, point or here
        return planned


def _quarter(moment: datetime) -> datetime:
    """Rounded up to the next quarter hour."""
    extra = (-moment.minute) % 15
    rounded = moment + timedelta(minutes=extra)
    return rounded.replace(second=0, microsecond=0)
