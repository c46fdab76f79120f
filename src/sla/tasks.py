"""Background work of the SLA app: thin and idempotent (everything is re-derived from the stored
deadlines, so a second run — or two workers racing — writes nothing twice)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from sla.services import callback_scan, sla_recompute_open, sla_scan


@db_periodic_task(crontab(minute="*"))
@lock_task("sla-scan")
def sla_scan_task() -> int:
    """Every minute: orders whose at-risk instant or deadline has come → status and alerts."""
    return sla_scan()


@db_periodic_task(crontab(minute="*/5"))
@lock_task("sla-callback-scan")
def callback_scan_task() -> dict[str, int]:
    """Every five minutes: completed orders whose callback is due (agent) or overdue (director)."""
    return callback_scan()


@db_task(retries=10, retry_delay=30)
@lock_task("sla-recompute-open")
def sla_recompute_open_task() -> dict[str, int]:
    """After a calendar change (``workcalendar.hooks``): every open order's deadlines in the new
    calendars. One at a time (a second change while one runs is retried after it); idempotent."""
    from workcalendar.selectors import invalidate_calendars

    invalidate_calendars()  # this worker may hold the calendars of before the change
    return sla_recompute_open()


def recompute_open_orders_after_calendar_change() -> None:
    """The ``workcalendar.hooks`` callback: queue the recompute (a worker runs it) when there is
    an open order to recompute — installing the ready-made calendars on a new database queues
    nothing."""
    from sla.models import OrderServiceLevel
    from workorders.choices import OPEN_STATUSES

    if OrderServiceLevel.objects.filter(order__status__in=OPEN_STATUSES).exists():
        sla_recompute_open_task()
