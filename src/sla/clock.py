"""SLA clocks — pure functions, no database (SPEC §6).

An order's clocks are a function of (the level's terms, the working calendar, the order's
history). Nothing here reads the database or the time of day: the caller passes ``now``.

Rules (docs/decisions/0007-service-levels.md):

* Every target counts in **business time** of the level's calendar, from the request
  (``submitted_at``). A reopened order (返修) counts arrival and resolution again from the reopen.
  A "2 h on site, 3 h fix" level counts resolution from the actual arrival (or, before anyone
  arrived, from the arrival deadline).
* **First response** is met by the first staff reply: acceptance, a request for information, or
  a rejection. **Arrival** is met by the check-in on site (or the start of work). **Resolution**
  is met by the customer's sign-off, a remote resolution, or the end of the work without
  completion.
* The clocks **pause** while the order waits for the customer or for parts (statuses
  ``info_requested``, ``quoted``, ``waiting``); the business time of each pause is added back,
  so a pause over a holiday adds nothing for the holiday itself.
* A target is ``at_risk`` once ``at_risk_ratio`` of its time is used, ``breached`` when its
  deadline passes unmet (or it was met late), ``met`` when met in time. The order's status is its
  worst open target (breached > at risk > on track > met); a cancelled or rejected order's clocks
  stop (``stopped``) unless a target was already breached.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from workcalendar.calendar import WorkingCalendar, add_business_time, business_time_between

RESPONSE, ARRIVAL, RESOLUTION = "response", "arrival", "resolution"
TARGETS: tuple[str, ...] = (RESPONSE, ARRIVAL, RESOLUTION)

ON_TRACK, AT_RISK, BREACHED, MET, STOPPED = "on_track", "at_risk", "breached", "met", "stopped"
#: Worst first: the order shows its worst target.
SEVERITY = {BREACHED: 4, AT_RISK: 3, ON_TRACK: 2, MET: 1, STOPPED: 0}

#: Statuses in which the order waits for the customer or for parts: the clocks stand still.
PAUSE_STATUSES = frozenset({"waiting", "info_requested", "quoted"})
RESPONSE_EVENTS = frozenset({"accept", "request_info", "reject"})
ARRIVAL_EVENTS = frozenset({"check_in", "start"})
RESOLUTION_EVENTS = frozenset({"sign_off", "resolve_remotely", "close_incomplete"})
STOP_EVENTS = frozenset({"cancel", "reject", "decline_quote"})
RESTART_EVENTS = frozenset({"reopen"})


@dataclass(frozen=True)
class Terms:
    """The commitments an order got from its level (a snapshot: later edits of the level do not
    move deadlines already set unless a recompute is asked for)."""

    response: timedelta | None = None
    arrival: timedelta | None = None
    resolution: timedelta | None = None
    at_risk_ratio: float = 0.8
    resolution_from_arrival: bool = False

    def target(self, name: str) -> timedelta | None:
        value: timedelta | None = getattr(self, name)
        return value


@dataclass(frozen=True)
class History:
    """What the clocks need from an order's timeline."""

    submitted_at: datetime
    pauses: tuple[tuple[datetime, datetime | None], ...] = ()
    response_met_at: datetime | None = None
    arrival_met_at: datetime | None = None
    resolution_met_at: datetime | None = None
    restarted_at: datetime | None = None
    stopped_at: datetime | None = None

    def met_at(self, name: str) -> datetime | None:
        value: datetime | None = getattr(self, f"{name}_met_at")
        return value

    @property
    def paused_since(self) -> datetime | None:
        if self.pauses and self.pauses[-1][1] is None:
            return self.pauses[-1][0]
        return None


@dataclass(frozen=True)
class TargetClock:
    target: str
    deadline: datetime
    at_risk_at: datetime
    met_at: datetime | None
    state: str


@dataclass(frozen=True)
class Clocks:
    targets: dict[str, TargetClock]
    status: str
    paused_since: datetime | None
    paused_business: timedelta
    next_check_at: datetime | None
    nearest_deadline: datetime | None = field(default=None)


def history_from_events(submitted_at: datetime, events: Iterable[tuple[str, datetime, str, str]]) -> History:
    """Fold ``(kind, at, from_status, to_status)`` events, oldest first, into a ``History``."""
    pauses: list[tuple[datetime, datetime | None]] = []
    paused_at: datetime | None = None
    met: dict[str, datetime | None] = {RESPONSE: None, ARRIVAL: None, RESOLUTION: None}
    restarted_at: datetime | None = None
    stopped_at: datetime | None = None
    for kind, at, _from_status, to_status in events:
        if to_status:
            waiting = to_status in PAUSE_STATUSES
            if waiting and paused_at is None:
                paused_at = at
            elif not waiting and paused_at is not None:
                pauses.append((paused_at, at))
                paused_at = None
        if kind in RESPONSE_EVENTS and met[RESPONSE] is None:
            met[RESPONSE] = at
        elif kind in RESTART_EVENTS:
            restarted_at, stopped_at = at, None
            met[ARRIVAL] = met[RESOLUTION] = None
        if kind in ARRIVAL_EVENTS and met[ARRIVAL] is None:
            met[ARRIVAL] = at
        if kind in RESOLUTION_EVENTS and met[RESOLUTION] is None:
            met[RESOLUTION] = at
        if kind in STOP_EVENTS and stopped_at is None:
            stopped_at = at
    if paused_at is not None:
        pauses.append((paused_at, None))
    return History(
        submitted_at=submitted_at,
        pauses=tuple(pauses),
        response_met_at=met[RESPONSE],
        arrival_met_at=met[ARRIVAL],
        resolution_met_at=met[RESOLUTION],
        restarted_at=restarted_at,
        stopped_at=stopped_at,
    )


def deadline_after_pauses(
    calendar: WorkingCalendar,
    start: datetime,
    need: timedelta,
    pauses: Iterable[tuple[datetime, datetime | None]],
    now: datetime,
) -> datetime:
    """The instant ``need`` of business time has run since ``start`` with the clock standing
    still during ``pauses`` (an open pause counts as ending ``now``: the deadline moves on while
    the order waits). Each pause's business time is added back in business time."""
    return deadlines_after_pauses(calendar, start, (need,), pauses, now)[0]


def deadlines_after_pauses(
    calendar: WorkingCalendar,
    start: datetime,
    needs: tuple[timedelta, ...],
    pauses: Iterable[tuple[datetime, datetime | None]],
    now: datetime,
) -> list[datetime]:
    """``deadline_after_pauses`` for several durations from the same start in one walk over the
    pauses (the deadline and the at-risk instant of a target share every gap)."""
    always_open = calendar.always_open  # 7×24: business time is wall-clock time
    results: list[datetime | None] = [None] * len(needs)
    pending = sorted(range(len(needs)), key=needs.__getitem__)
    spent = timedelta(0)
    cursor = start
    for pause_start, pause_end in pauses:
        end = now if pause_end is None else pause_end
        if end <= cursor:
            continue
        if pause_start > cursor:
            gap = pause_start - cursor if always_open else business_time_between(calendar, cursor, pause_start)
            while pending and needs[pending[0]] - spent <= gap:
                index = pending.pop(0)
                results[index] = _add(calendar, cursor, needs[index] - spent, always_open)
            if not pending:
                break
            spent += gap
        cursor = max(cursor, end)
    for index in pending:
        results[index] = _add(calendar, cursor, needs[index] - spent, always_open)
    return [result for result in results if result is not None]


def _add(calendar: WorkingCalendar, start: datetime, duration: timedelta, always_open: bool) -> datetime:
    if duration <= timedelta(0):
        return start
    if always_open:
        return start + duration
    return add_business_time(calendar, start, duration)


def paused_business_time(
    calendar: WorkingCalendar, pauses: Iterable[tuple[datetime, datetime | None]], now: datetime
) -> timedelta:
    total = timedelta(0)
    for pause_start, pause_end in pauses:
        end = now if pause_end is None else pause_end
        if end > pause_start:
            total += end - pause_start if calendar.always_open else business_time_between(calendar, pause_start, end)
    return total


def _state(deadline: datetime, at_risk_at: datetime, met_at: datetime | None, moment: datetime) -> str:
    if met_at is not None:
        return MET if met_at <= deadline else BREACHED
    if moment >= deadline:
        return BREACHED
    if moment >= at_risk_at:
        return AT_RISK
    return ON_TRACK


def _start_of(name: str, terms: Terms, history: History, arrival: TargetClock | None) -> datetime:
    start = history.submitted_at
    if name != RESPONSE and history.restarted_at is not None:
        start = history.restarted_at
    if name == RESOLUTION and terms.resolution_from_arrival and arrival is not None:
        start = arrival.met_at or arrival.deadline
    return start


def compute_clocks(terms: Terms, calendar: WorkingCalendar, history: History, now: datetime) -> Clocks:
    """Deadlines, at-risk instants and states of every target of the order at ``now``."""
    paused_since = history.paused_since
    # While the order waits, nothing moves: states are those of the moment the pause began.
    moment = now
    if history.stopped_at is not None:
        moment = min(moment, history.stopped_at)
    if paused_since is not None:
        moment = min(moment, paused_since)
    clocks: dict[str, TargetClock] = {}
    for name in TARGETS:
        target = terms.target(name)
        if target is None or target <= timedelta(0):
            continue
        start = _start_of(name, terms, history, clocks.get(ARRIVAL))
        met_at = history.met_at(name)
        pauses = [p for p in history.pauses if met_at is None or p[0] < met_at]
        if met_at is None and 0 < terms.at_risk_ratio < 1:
            deadline, at_risk_at = deadlines_after_pauses(
                calendar, start, (target, target * terms.at_risk_ratio), pauses, now
            )
        else:
            deadline = at_risk_at = deadline_after_pauses(calendar, start, target, pauses, now)
        clocks[name] = TargetClock(name, deadline, at_risk_at, met_at, _state(deadline, at_risk_at, met_at, moment))
    return summarise(
        clocks,
        paused_since=paused_since,
        stopped=history.stopped_at is not None,
        paused_business=paused_business_time(calendar, history.pauses, now) if history.pauses else timedelta(0),
        now=now,
    )


def summarise(
    clocks: dict[str, TargetClock],
    *,
    paused_since: datetime | None,
    stopped: bool,
    paused_business: timedelta,
    now: datetime,
) -> Clocks:
    """The order's status (its worst target) and when a scan must look at it again."""
    states = [clock.state for clock in clocks.values()]
    status = max(states, key=SEVERITY.__getitem__) if states else MET
    if stopped and status != BREACHED:
        status = STOPPED
    open_clocks = [clock for clock in clocks.values() if clock.met_at is None]
    next_check: datetime | None = None
    if not stopped and paused_since is None:
        upcoming = [instant for clock in open_clocks for instant in (clock.at_risk_at, clock.deadline) if instant > now]
        next_check = min(upcoming) if upcoming else None
    nearest = min((clock.deadline for clock in open_clocks), default=None)
    if stopped:
        nearest = None
    return Clocks(
        targets=clocks,
        status=status,
        paused_since=paused_since,
        paused_business=paused_business,
        next_check_at=next_check,
        nearest_deadline=nearest,
    )


def states_at(stored: dict[str, dict[str, Any]], moment: datetime) -> dict[str, str]:
    """Target states at ``moment`` from stored deadlines, at-risk instants and met times only
    (what the periodic scan uses: no calendar arithmetic, no history)."""
    return {
        name: _state(values["deadline"], values["at_risk_at"], values.get("met_at"), moment)
        for name, values in stored.items()
    }


def worst(states: Iterable[str]) -> str:
    values = list(states)
    return max(values, key=SEVERITY.__getitem__) if values else MET
