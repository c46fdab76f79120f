"""Pure layout of the dispatch board's day (no database): the time axis of the technicians'
working hours, where a visit's bar and its drive sit on it, and the map's plot of coordinates.

Minutes are minutes from the day's local midnight; positions are percentages of the axis, so
the page draws them with plain CSS at any width."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from dispatch.geo import Point, distance_km

#: The planner's own estimate (docs/dispatch.md): straight line × 1.3 for roads, 30 km/h.
ROAD_FACTOR = 1.3
SPEED_KMH = 30.0
#: A drop on the board snaps to this many minutes.
SNAP_MINUTES = 15
DEFAULT_HOURS = (9 * 60, 18 * 60)


@dataclass(frozen=True)
class Axis:
    """The board's time axis: from the earliest shift start to the latest shift end, in whole hours."""

    start: int
    end: int

    @property
    def span(self) -> int:
        return max(self.end - self.start, 1)

    @property
    def hour_count(self) -> int:
        return max(self.span // 60, 1)

    def pct(self, minute: float) -> float:
        """Where ``minute`` sits on the axis (0–100, clamped)."""
        return round(min(max((minute - self.start) / self.span * 100, 0.0), 100.0), 3)

    def width(self, start: float, end: float) -> float:
        return round(max(self.pct(end) - self.pct(start), 0.0), 3)

    def hours(self) -> list[tuple[str, float]]:
        """The hour ticks: ("09:00", position) for every whole hour of the axis."""
        return [(f"{minute // 60:02d}:00", self.pct(minute)) for minute in range(self.start, self.end + 1, 60)]


def axis_for(spans: Iterable[tuple[int, int]], default: tuple[int, int] = DEFAULT_HOURS) -> Axis:
    """An axis covering every span (shifts, and visits booked outside them), widened to whole hours;
    ``default`` (09:00–18:00) when there is none."""
    spans = [span for span in spans if span[1] > span[0]]
    if not spans:
        return Axis(*default)
    start = min(span[0] for span in spans) // 60 * 60
    end = math.ceil(max(span[1] for span in spans) / 60) * 60
    return Axis(max(start, 0), min(max(end, start + 60), 24 * 60))


def road_km(a: Point | None, b: Point | None) -> float | None:
    if a is None or b is None:
        return None
    return distance_km(a, b) * ROAD_FACTOR


def travel_minutes(km: float | None, speed_kmh: float = SPEED_KMH) -> int:
    """The drive for ``km`` road kilometres, rounded up to whole minutes (0 when unknown)."""
    if not km:
        return 0
    return math.ceil(km / speed_kmh * 60)


def snap(minute: float, step: int = SNAP_MINUTES) -> int:
    return int(round(minute / step) * step)


@dataclass(frozen=True)
class Leg:
    """The drive to a visit: from the previous visit's place (or home), ending when the visit starts."""

    km: float | None
    minutes: int


def legs(home: Point | None, stops: Sequence[Point | None]) -> list[Leg]:
    """The drive to each stop of a day, in order, from home or the previous stop."""
    found: list[Leg] = []
    here = home
    for stop in stops:
        km = road_km(here, stop)
        found.append(Leg(km=round(km, 1) if km is not None else None, minutes=travel_minutes(km)))
        here = stop if stop is not None else here
    return found


@dataclass(frozen=True)
class Plotted:
    x: float
    y: float


def plot(points: Sequence[Point | None], *, width: float, height: float, pad: float = 24) -> list[Plotted | None]:
    """(lat, lon) → (x, y) in a ``width`` × ``height`` box, north up, one scale for both axes
    (a kilometre east is as long as a kilometre north at these latitudes). Points at the same
    place are spread on a small circle so each stays visible; None stays None."""
    known = [point for point in points if point is not None]
    if not known:
        return [None for _ in points]
    lats = [p[0] for p in known]
    lons = [p[1] for p in known]
    mid_lat = math.radians((min(lats) + max(lats)) / 2)
    xs = [lon * math.cos(mid_lat) for lon in lons]
    span_x = max(max(xs) - min(xs), 1e-6)
    span_y = max(max(lats) - min(lats), 1e-6)
    scale = min((width - 2 * pad) / span_x, (height - 2 * pad) / span_y)
    if len({(round(p[0], 6), round(p[1], 6)) for p in known}) == 1:
        scale = 0.0  # one place: the middle of the box
    cx = (width - (max(xs) - min(xs)) * scale) / 2
    cy = (height - (max(lats) - min(lats)) * scale) / 2
    seen: dict[tuple[float, float], int] = {}
    plotted: list[Plotted | None] = []
    for point in points:
        if point is None:
            plotted.append(None)
            continue
        x = cx + (point[1] * math.cos(mid_lat) - min(xs)) * scale
        y = height - (cy + (point[0] - min(lats)) * scale)
        key = (round(x, 1), round(y, 1))
        nth = seen.get(key, 0)
        seen[key] = nth + 1
        if nth:
            angle = nth * 2.4  # golden-angle spiral: same-place markers fan out
            radius = 7 + 2 * nth
            x, y = x + radius * math.cos(angle), y + radius * math.sin(angle)
        plotted.append(Plotted(x=round(x, 1), y=round(y, 1)))
    return plotted
