"""What apps above work orders (SLA clocks, notifications, billing…) do when a timeline event is
written. Each registers a callback in its AppConfig.ready; ``workorders.services`` calls them
inside the same transaction as the event, so their rows (deadlines, outbox messages) commit or
roll back with it. A callback must be quick and must not call back into workorders' writes."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

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
