"""What apps above the calendar (the SLA clocks) do once calendars changed: an admin entered a
year's holidays, imported the State Council's dates, or edited working hours. Each registers a
callback in its AppConfig.ready; ``workcalendar.services`` runs them **after commit** (never for a
rolled-back change), so a callback may enqueue background work that reads the new calendars."""

from __future__ import annotations

import logging
from collections.abc import Callable

logger = logging.getLogger(__name__)

CalendarsChanged = Callable[[], None]

_HOOKS: list[CalendarsChanged] = []


def on_calendars_changed(hook: CalendarsChanged) -> CalendarsChanged:
    """Register ``hook()``; usable as a decorator. Registering twice is a no-op."""
    if hook not in _HOOKS:
        _HOOKS.append(hook)
    return hook


def run_calendar_change_hooks() -> None:
    """Called on commit: a failing hook is logged and does not stop the others (the calendar
    change itself is committed; the SLA recompute can be run again by hand)."""
    for hook in _HOOKS:
        try:
            hook()
        except Exception:
            logger.exception("calendar change hook %s failed", getattr(hook, "__name__", hook))
