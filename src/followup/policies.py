"""Pure decisions of follow-up work: when a callback is due, who the HQ sample draws, what a call
outcome does to a callback, and the complaint's transition table. No database access here."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from followup.choices import CallbackStatus, CallOutcome, ComplaintStatus
from workcalendar.calendar import WorkingCalendar, add_business_time

S = ComplaintStatus


def working_days_after(calendar: WorkingCalendar, day: date, count: int) -> date:
    """The ``count``-th working day after ``day`` on ``calendar`` (a day off is skipped)."""
    found = 0
    current = day
    for _step in range(count * 10 + 60):  # a long holiday never loops forever
        current += timedelta(days=1)
        if calendar.is_working_day(current):
            found += 1
            if found == count:
                return current
    return current


def end_of_working_day(calendar: WorkingCalendar, day: date) -> datetime:
    """The end of the last working interval of ``day`` (midnight after it on a 7×24 calendar)."""
    intervals = calendar.hours_on(day)
    end = max((e for _s, e in intervals), default=time(0, 0))
    if end == time(0, 0):
        return datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=calendar.tz)
    return datetime.combine(day, end, tzinfo=calendar.tz)


def callback_due_at(calendar: WorkingCalendar, visit_at: datetime, *, days: int = 7) -> datetime:
    """Seed 002 "服务完成后 7 日内回访": the callback is due by the end of the 7th working day
    after the day of the visit, on the work calendar (a holiday week does not eat the window)."""
    visit_day = visit_at.astimezone(calendar.tz).date()
    return end_of_working_day(calendar, working_days_after(calendar, visit_day, days))


@dataclass(frozen=True)
class SampleDraw:
    """Who the seeded draw picked out of the population, and why (for the audit record)."""

    seed: str
    population: tuple[int, ...]
    drawn: tuple[int, ...]
    size: int

    def reasons(self) -> dict[int, str]:
        return {
            order_id: f"seed {self.seed!r}: drawn {position} of {self.size} from {len(self.population)} eligible"
            for position, order_id in enumerate(self.drawn, start=1)
        }


def sample_draw(*, population: Sequence[int], share: Decimal, seed: str) -> SampleDraw:
    """Draw ``ceil(share × N)`` orders of the population with ``random.Random(seed)`` over the
    sorted ids: the same seed and population always give the same orders (re-run to audit)."""
    ordered = tuple(sorted(set(population)))
    size = min(len(ordered), math.ceil(Decimal(len(ordered)) * share)) if ordered and share > 0 else 0
    drawn = tuple(random.Random(seed).sample(ordered, size)) if size else ()
    return SampleDraw(seed=seed, population=ordered, drawn=drawn, size=size)


@dataclass(frozen=True)
class CallDecision:
    status: str
    finished: bool
    next_attempt_on: date | None
    records_follow_up: bool
    reasons: tuple[str, ...] = field(default_factory=tuple)


def next_working_day(calendar: WorkingCalendar, today: date) -> date:
    return working_days_after(calendar, today, 1)


def call_decide(
    *, outcome: str, attempts_before: int, max_attempts: int, calendar: WorkingCalendar, today: date
) -> CallDecision:
    """What one call does to the callback: reached → done (the order's follow-up records the
    rating); wrong number → finished; no answer → call again on the next working day, until
    ``max_attempts`` calls went unanswered (then: not reached)."""
    if outcome == CallOutcome.REACHED:
        return CallDecision(CallbackStatus.DONE, True, None, True, ("reached",))
    if outcome == CallOutcome.WRONG_NUMBER:
        return CallDecision(CallbackStatus.WRONG_NUMBER, True, None, False, ("wrong_number",))
    attempts = attempts_before + 1
    if attempts >= max_attempts:
        return CallDecision(CallbackStatus.UNREACHABLE, True, None, False, (f"no_answer {attempts}/{max_attempts}",))
    return CallDecision(
        CallbackStatus.RETRY,
        False,
        next_working_day(calendar, today),
        False,
        (f"no_answer {attempts}/{max_attempts}",),
    )


# --- complaints -----------------------------------------------------------------------------------


def acknowledgement_deadlines(
    calendar: WorkingCalendar, received_at: datetime, *, hours: float, at_risk_share: float = 0.75
) -> tuple[datetime, datetime]:
    """(at risk from, acknowledge by): ``hours`` business hours after receipt on the calendar,
    at risk once ``at_risk_share`` of them have passed (ISO 10002 §7.4 prompt acknowledgement)."""
    total = timedelta(hours=hours)
    return (
        add_business_time(calendar, received_at, total * at_risk_share),
        add_business_time(calendar, received_at, total),
    )


@dataclass(frozen=True)
class ComplaintTransition:
    action: str
    sources: frozenset[str]
    target: str | None  # None: the status stays (a note, a contact, the customer's answer)
    permission: str
    label: Promise
    required: tuple[str, ...] = ()
    guard: str = ""


OPEN = frozenset({S.RECEIVED, S.ACKNOWLEDGED, S.INVESTIGATING, S.RESOLVED})

COMPLAINT_TRANSITIONS: tuple[ComplaintTransition, ...] = (
    ComplaintTransition("acknowledge", frozenset({S.RECEIVED}), S.ACKNOWLEDGED, "handle_complaint", _("Acknowledge")),
    ComplaintTransition(
        "investigate", frozenset({S.ACKNOWLEDGED}), S.INVESTIGATING, "handle_complaint", _("Start investigation")
    ),
    ComplaintTransition("note", OPEN, None, "handle_complaint", _("Add investigation note"), required=("note",)),
    ComplaintTransition("contact", OPEN, None, "handle_complaint", _("Log contact with the customer"), ("note",)),
    ComplaintTransition(
        "resolve",
        frozenset({S.ACKNOWLEDGED, S.INVESTIGATING}),
        S.RESOLVED,
        "handle_complaint",
        _("Record resolution and remedy"),
        required=("resolution",),
    ),
    ComplaintTransition(
        "customer_answer",
        frozenset({S.RESOLVED}),
        None,
        "handle_complaint",
        _("Record the customer's answer"),
        required=("answer",),
    ),
    ComplaintTransition(
        "close",
        frozenset({S.RESOLVED}),
        S.CLOSED,
        "close_complaint",
        _("Close"),
        guard="customer_asked",
    ),
    ComplaintTransition(
        "reopen",
        frozenset({S.RESOLVED, S.CLOSED}),
        S.INVESTIGATING,
        "close_complaint",
        _("Reopen"),
        required=("reason",),
    ),
)

COMPLAINT_TRANSITIONS_BY_ACTION = {t.action: t for t in COMPLAINT_TRANSITIONS}


def complaint_guard_failure(transition: ComplaintTransition, *, customer_answer: str) -> str | None:
    """ISO 10002 §7.9: a complaint is closed only after the customer was asked whether the
    handling satisfied them (the answer — satisfied, not satisfied or not reachable — is recorded)."""
    if transition.guard == "customer_asked" and not customer_answer:
        return str(_("Ask the customer whether the handling satisfied them before closing the complaint."))
    return None
