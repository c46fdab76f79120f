"""What apps above work orders (SLA clocks, notifications, billing…) do when a timeline event is
written. Each registers a callback in its AppConfig.ready; ``workorders.services`` calls them
inside the same transaction as the event, so their rows (deadlines, outbox messages) commit or
roll back with it. A callback must be quick and must not call back into workorders' writes."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workorders.models import TimelineEvent, WorkOrder

EventHook = Callable[["WorkOrder", "TimelineEvent"], None]

_EVENT_HOOKS: list[EventHook] = []


def on_timeline_event(hook: EventHook) -> EventHook:
    """Register ``hook(order, event)``; usable as a decorator. Registering twice is a no-op."""
    if hook not in _EVENT_HOOKS:
        _EVENT_HOOKS.append(hook)
    return hook


def run_event_hooks(order: WorkOrder, event: TimelineEvent) -> None:
    for hook in _EVENT_HOOKS:
        hook(order, event)


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
