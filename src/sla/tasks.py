"""Background work of the SLA app: thin and idempotent (everything is re-derived from the stored
deadlines, so a second run — or two workers racing — writes nothing twice)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from sla.services import callback_scan, sla_scan


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
