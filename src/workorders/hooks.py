"""How apps above work orders take part in what happens to an order (ADR 0016).

Two kinds of hook, both registered by name for the kinds of event they care about:

* **Deciders** run inside ``workorder_transition`` *before* the order is saved, for the actions
  they name. A decider may set fields on the order (the warranty decision sets ``charge_type``;
  the repair warranty sets how long a repair must hold) and may ask for events to be written
  with the transition's own (the ``warranty`` event after ``accept``). So a transition saves the
  order once and writes its events in one go.
* **Event hooks** run after events are written, in the same transaction, for the event kinds
  they name (SLA clocks, outbox messages, quote status, appointments). They write their own
  rows; they never save the order. A refusal (``ValidationError``) undoes the whole action.

Hooks run in the order of ``HOOK_ORDER`` below, stated here rather than taken from
INSTALLED_APPS; ``manage.py order_hooks`` lists who listens to what.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workorders.models import TimelineEvent, WorkOrder

#: Every hook by name, in the order they run. A hook whose name is not listed is refused at
#: registration, so the order is always the one written here.
HOOK_ORDER: tuple[str, ...] = (
    # deciders (before the transition's save)
    "policies.warranty_decision",  # coverage at acceptance and diagnosis → charge type; the warranty event
    "fieldwork.checklist",  # QC and sign-off refused while the visit code of conduct has open items
    # event hooks (after the events are written)
    "workorders.notifications",  # messages to the customer and staff (outbox)
    "billing.quote_status",  # the quote follows the order's quote actions
    "sla.clocks",  # deadlines set at acceptance, paused, resumed, met
    "dispatch.appointments",  # the appointment follows schedule / assign / cancel made elsewhere
    "parts.reservations",  # a cancelled or closed order releases the parts it still holds
    "campaigns.progress",  # a campaign device is done / failed with its order; an upgrade writes the new firmware
    "kpis.repair_time",  # the first completion as done stores the business time to repair (MTTR)
)


@dataclass(frozen=True)
class TransitionContext:
    """What a decider knows about the transition being applied (the order already carries its
    new status and the action's effects, unsaved)."""

    action: str
    from_status: str
    acting_user: Any | None
    by_customer: bool
    data: dict[str, Any]
    at: datetime


@dataclass(frozen=True)
class PendingEvent:
    """An event a decider asks to be written after the transition's own (by the system)."""

    kind: str
    note: str = ""
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Decision:
    """What a decider changed: the order's fields it set, and the events to write."""

    fields: tuple[str, ...] = ()
    events: tuple[PendingEvent, ...] = ()


NO_CHANGE = Decision()

DecideFn = Callable[["WorkOrder", TransitionContext], Decision]
EventFn = Callable[["WorkOrder", "TimelineEvent"], None]


@dataclass(frozen=True)
class Decider:
    name: str
    actions: frozenset[str]
    decide: DecideFn


@dataclass(frozen=True)
class EventHook:
    name: str
    kinds: frozenset[str]
    run: EventFn


_DECIDERS: dict[str, Decider] = {}
_EVENT_HOOKS: dict[str, EventHook] = {}
_BY_ACTION: dict[str, tuple[Decider, ...]] = {}
_BY_KIND: dict[str, tuple[EventHook, ...]] = {}


def _rank(name: str) -> int:
    if name not in HOOK_ORDER:
        raise ValueError(f"hook {name!r} is not in workorders.hooks.HOOK_ORDER: add it where it should run")
    return HOOK_ORDER.index(name)


def register_decider(*, name: str, actions: Iterable[str], decide: DecideFn) -> Decider:
    """Run ``decide(order, context)`` before the save of the transitions ``actions``.
    Registering the same name again replaces it (AppConfig.ready may run twice in tests)."""
    _rank(name)
    decider = Decider(name=name, actions=frozenset(actions), decide=decide)
    _DECIDERS[name] = decider
    _BY_ACTION.clear()
    return decider


def register_event_hook(*, name: str, kinds: Iterable[str], run: EventFn) -> EventHook:
    """Run ``run(order, event)`` after an event of one of ``kinds`` is written."""
    _rank(name)
    hook = EventHook(name=name, kinds=frozenset(kinds), run=run)
    _EVENT_HOOKS[name] = hook
    _BY_KIND.clear()
    return hook


def deciders_for(action: str) -> tuple[Decider, ...]:
    found = _BY_ACTION.get(action)
    if found is None:
        found = tuple(sorted((d for d in _DECIDERS.values() if action in d.actions), key=lambda d: _rank(d.name)))
        _BY_ACTION[action] = found
    return found


def event_hooks_for(kind: str) -> tuple[EventHook, ...]:
    found = _BY_KIND.get(kind)
    if found is None:
        found = tuple(sorted((h for h in _EVENT_HOOKS.values() if kind in h.kinds), key=lambda h: _rank(h.name)))
        _BY_KIND[kind] = found
    return found


def run_event_hooks(order: WorkOrder, event: TimelineEvent) -> None:
    for hook in event_hooks_for(event.kind):
        hook.run(order, event)


def registered_hooks() -> list[tuple[str, str, tuple[str, ...]]]:
    """``(name, "decider" | "event", actions or kinds)`` in the order they run (for the listing)."""
    rows: list[tuple[str, str, tuple[str, ...]]] = []
    for name in HOOK_ORDER:
        if name in _DECIDERS:
            rows.append((name, "decider", tuple(sorted(_DECIDERS[name].actions))))
        if name in _EVENT_HOOKS:
            rows.append((name, "event", tuple(sorted(_EVENT_HOOKS[name].kinds))))
    return rows


# --- the repair warranty: how long a completed repair must hold ---------------------------------

#: ``days(order) -> int | None``: an app that knows the device's terms (policies) says how many
#: days; None leaves it to the next provider, then to settings.REPAIR_WARRANTY_DAYS.
RepairWarrantyDays = Callable[["WorkOrder"], "int | None"]
_REPAIR_WARRANTY_PROVIDERS: list[RepairWarrantyDays] = []


def register_repair_warranty_days(provider: RepairWarrantyDays) -> RepairWarrantyDays:
    if provider not in _REPAIR_WARRANTY_PROVIDERS:
        _REPAIR_WARRANTY_PROVIDERS.append(provider)
    return provider


def repair_warranty_days(order: WorkOrder) -> int:
    from django.conf import settings

    for provider in _REPAIR_WARRANTY_PROVIDERS:
        days = provider(order)
        if days is not None:
            return days
    return int(settings.REPAIR_WARRANTY_DAYS)


# --- who may be assigned: apps above (dispatch) add rules without workorders knowing them -------

#: ``check(order, technician) -> refusal message or None`` (skills, certificates, shifts…).
AssignmentCheck = Callable[["WorkOrder", Any], "str | None"]
#: ``admits(order, technician) -> bool``: a technician from a unit that does not serve the order is
#: admitted anyway (an approved loan from their unit).
AssignmentAdmission = Callable[["WorkOrder", Any], bool]

_ASSIGNMENT_CHECKS: list[AssignmentCheck] = []
_ASSIGNMENT_ADMISSIONS: list[AssignmentAdmission] = []


def register_assignment_check(check: AssignmentCheck) -> AssignmentCheck:
    if check not in _ASSIGNMENT_CHECKS:
        _ASSIGNMENT_CHECKS.append(check)
    return check


def register_assignment_admission(admits: AssignmentAdmission) -> AssignmentAdmission:
    if admits not in _ASSIGNMENT_ADMISSIONS:
        _ASSIGNMENT_ADMISSIONS.append(admits)
    return admits


def assignment_refusal(order: WorkOrder, technician: Any) -> str | None:
    for check in _ASSIGNMENT_CHECKS:
        refusal = check(order, technician)
        if refusal:
            return refusal
    return None


def admitted_from_another_unit(order: WorkOrder, technician: Any) -> bool:
    return any(admits(order, technician) for admits in _ASSIGNMENT_ADMISSIONS)
