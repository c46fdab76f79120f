"""Background work of the KPIs: the monthly scorecards (二级核算) on the 1st."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task


@db_periodic_task(crontab(day="1", hour="2", minute="30"))
@lock_task("kpis-scorecards")
def scorecards_task() -> dict[str, int]:
    """On the 1st: last month's cards of every technician and unit, for the director to lock by
    the 5th. Idempotent (locked cards are left alone)."""
    from django.utils import timezone

    from kpis.scorecards import previous_month, scorecards_compute

    return scorecards_compute(month=previous_month(timezone.localdate()))
