"""Pure dispatch rules: a technician's shift on a day, whether a window fits it, overlap, skills,
the auto-assign score with its reasons, and what a route plan changes. No database access here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.utils.translation import gettext as _

from dispatch.choices import PlanChangeKind
from workcalendar.calendar import WorkingCalendar

Span = tuple[time, time]


@dataclass(frozen=True)
class ShiftRules:
    """A technician's weekly rows ({weekday: [(start, end)]}) and per-date overrides ({date: [] = day off})."""

    weekly: Mapping[int, Sequence[Span]]
    overrides: Mapping[date, Sequence[Span]]


def shift_on(rules: ShiftRules, calendar: WorkingCalendar, day: date) -> Span | None:
    """The technician's shift on ``day`` as one span (first start, last end), or None (not working).

    A per-date override wins (an empty one is a day off). Otherwise the work calendar decides
    whether the day is a working day (statutory holidays off, 调休 days on), and the weekly rows
    give the hours — the calendar's own hours when the technician has no rows for that weekday.
    """
    if day in rules.overrides:
        spans = list(rules.overrides[day])
    elif not calendar.is_working_day(day):
        return None
    else:
        spans = list(rules.weekly.get(day.weekday(), ())) if rules.weekly else []
        if not spans:
            spans = [(start, end) for start, end in calendar.hours_on(day)]
    if not spans:
        return None
    start = min(span[0] for span in spans)
    end = max(span[1] for span in spans)
    if end == time(0, 0):
        end = time(23, 59, 59)
    return (start, end)


def window_fits_shift(shift: Span | None, start: datetime, end: datetime) -> bool:
    """Both ends of the (local) window lie within the shift on the window's day."""
    if shift is None or start.date() != end.date():
        return False
    return shift[0] <= start.time() and end.time() <= shift[1]


def overlaps(start: datetime, end: datetime, others: Iterable[tuple[datetime, datetime]]) -> bool:
    """Half-open windows [start, end) overlap: back-to-back appointments are fine."""
    return any(start < other_end and other_start < end for other_start, other_end in others)


def skill_refusal(
    *,
    category_id: int | None,
    category_name: str,
    service_type: str,
    service_type_label: str,
    technician_categories: set[int],
    technician_service_types: Iterable[str],
    technician_name: str,
) -> str | None:
    """Why the technician lacks a skill the order needs (its product line, its service type), or None."""
    if category_id is not None and category_id not in technician_categories:
        return _("%(name)s is not qualified for the product line “%(category)s”.") % {
            "name": technician_name,
            "category": category_name,
        }
    if service_type not in set(technician_service_types):
        return _("%(name)s does not do “%(service_type)s” work.") % {
            "name": technician_name,
            "service_type": service_type_label,
        }
    return None


# --- auto-assign ----------------------------------------------------------------------------

#: Score weights: one job of load counts like this many kilometres; a late-in-the-day deadline halves distance.
LOAD_WEIGHT_KM = 15.0
URGENT_DISTANCE_FACTOR = 2.0


@dataclass(frozen=True)
class CandidateFacts:
    technician_id: int
    name: str
    refusal: str | None  # a hard rule (skill, certificate, inactive)
    working: bool  # has a shift on the day
    distance_km: float | None
    jobs_today: int
    capacity: int
    loaned: bool = False


@dataclass
class Scored:
    technician_id: int
    name: str
    score: float | None  # None: not eligible
    reasons: list[str] = field(default_factory=list)


@dataclass
class AutoAssignDecision:
    choice: int | None
    candidates: list[Scored]
    reasons: list[str]


def auto_assign_decide(candidates: Sequence[CandidateFacts], *, deadline_soon: bool) -> AutoAssignDecision:
    """Pick the eligible technician with the lowest score: distance (doubled when the deadline is
    near), plus load (jobs today × LOAD_WEIGHT_KM). Skills, the calendar and capacity are hard."""
    scored: list[Scored] = []
    for facts in candidates:
        item = Scored(facts.technician_id, facts.name, None)
        if facts.refusal:
            item.reasons.append(facts.refusal)
        elif not facts.working:
            item.reasons.append(_("not working on that day"))
        elif facts.jobs_today >= facts.capacity:
            item.reasons.append(
                _("fully booked (%(jobs)s of %(capacity)s jobs)")
                % {"jobs": facts.jobs_today, "capacity": facts.capacity}
            )
        else:
            distance = facts.distance_km if facts.distance_km is not None else 50.0
            factor = URGENT_DISTANCE_FACTOR if deadline_soon else 1.0
            item.score = round(distance * factor + facts.jobs_today * LOAD_WEIGHT_KM, 2)
            item.reasons.append(_("has the skills"))
            if facts.distance_km is None:
                item.reasons.append(_("distance unknown (counted as 50 km)"))
            else:
                item.reasons.append(_("%(km).1f km from home base") % {"km": facts.distance_km})
            item.reasons.append(
                _("%(jobs)s of %(capacity)s jobs that day") % {"jobs": facts.jobs_today, "capacity": facts.capacity}
            )
            if facts.loaned:
                item.reasons.append(_("on loan to this unit"))
        scored.append(item)
    eligible = sorted((s for s in scored if s.score is not None), key=lambda s: (s.score, s.technician_id))
    if not eligible:
        return AutoAssignDecision(None, scored, [_("No technician has the skills, a shift and free capacity.")])
    best = eligible[0]
    reasons = [_("%(name)s: lowest score %(score)s") % {"name": best.name, "score": best.score}, *best.reasons]
    if deadline_soon:
        reasons.append(_("the deadline is near: distance counts double"))
    return AutoAssignDecision(best.technician_id, scored, reasons)


# --- what a route plan changes --------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """Who does an order's visit, and when: the order's current assignment, or the plan's visit.

    ``start``–``end`` is the booked window (a time without a window has ``end == start``; the plan's
    visit runs from its start to its finish); both are None when no time is set."""

    technician_id: int | None
    start: datetime | None = None
    end: datetime | None = None

    @property
    def is_set(self) -> bool:
        return self.technician_id is not None or self.start is not None


@dataclass(frozen=True)
class PlanChange:
    order_id: int
    kind: PlanChangeKind
    before: Slot
    after: Slot | None  # None: the plan leaves the order out


#: The order a person reads the changes in: what undoes a promise first, new work last.
_CHANGE_ORDER = (PlanChangeKind.MOVED, PlanChangeKind.DROPPED, PlanChangeKind.RETIMED, PlanChangeKind.ASSIGNED)


def _keeps_time(before: Slot, after: Slot) -> bool:
    """The plan's visit starts within the current window (to the minute), or there is no time to keep."""
    if before.start is None or after.start is None:
        return before.start is None and after.start is None
    end = before.end or before.start
    return before.start.replace(second=0, microsecond=0) <= after.start <= end.replace(second=0, microsecond=0)


def plan_changes(*, current: Mapping[int, Slot], planned: Mapping[int, Slot]) -> list[PlanChange]:
    """What applying a plan changes against the current assignment, order by order (issue 18).

    ``current`` holds the plan's orders as they stand (an order nobody has is ``Slot(None)`` or
    absent), ``planned`` the plan's visits. A visit of an order nobody has is *newly assigned*;
    one with another technician is *moved*; the same technician starting outside the booked
    window (or at a time where none was set) is a *time change*; an order that has a technician
    or a time but no visit in the plan is *left out*. An unassigned order the plan leaves out
    changes nothing (the plan lists it under "not planned")."""
    changes: list[PlanChange] = []
    for order_id in sorted(current.keys() | planned.keys()):
        before, after = current.get(order_id, Slot(None)), planned.get(order_id)
        if after is None:
            if before.is_set:
                changes.append(PlanChange(order_id, PlanChangeKind.DROPPED, before, None))
            continue
        if before.technician_id is None:
            kind: PlanChangeKind | None = PlanChangeKind.ASSIGNED
        elif before.technician_id != after.technician_id:
            kind = PlanChangeKind.MOVED
        elif not _keeps_time(before, after):
            kind = PlanChangeKind.RETIMED
        else:
            kind = None
        if kind is not None:
            changes.append(PlanChange(order_id, kind, before, after))
    return sorted(changes, key=lambda change: _CHANGE_ORDER.index(change.kind))
