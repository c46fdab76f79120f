"""When a contract's next training is due (pure): a contract promising N trainings a year wants
one every 12/N months, counted from the last training held under it (or from the start of its
term), within the term. Due within ``ALERT_DAYS`` or overdue raises the alert."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

ALERT_DAYS = 30


def add_months(day: date, months: int) -> date:
    """``day`` plus whole months, a month end clamping (31 Jan + 1 month = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class TrainingDue:
    next_due_on: date | None  # None: the term ends before another training is owed
    alert: bool
    overdue: bool
    reason: str  # "from_last" | "from_start" | "term_over"


def training_next_due(
    *, starts_on: date, ends_on: date, per_year: int, last_held_on: date | None, today: date
) -> TrainingDue:
    months = max(1, 12 // max(1, per_year))
    if last_held_on is None:
        # The first one falls due one interval into the term (seed 004: 每年至少两次).
        due, reason = add_months(starts_on, months), "from_start"
    else:
        due, reason = add_months(last_held_on, months), "from_last"
    if due > ends_on:
        return TrainingDue(None, False, False, "term_over")
    overdue = due < today
    return TrainingDue(due, overdue or (due - today).days <= ALERT_DAYS, overdue, reason)
