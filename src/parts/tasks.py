"""Daily jobs of the parts app: thin, idempotent, re-derivable from the database."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task


@db_periodic_task(crontab(minute="15", hour="8"))
def loaners_overdue_task() -> int:
    """Spare units past their due-back date: alert the lender and the pool's unit (once a day)."""
    from parts.services import loaners_overdue_alert

    return loaners_overdue_alert()


@db_periodic_task(crontab(minute="30", hour="6"))
def reorder_scan_task() -> dict[str, int]:
    """Purchase / transfer suggestions for reorder points below their minimum (one open each)."""
    from parts.services import reorder_scan

    return reorder_scan()


@db_periodic_task(crontab(minute="*"))
@lock_task("parts-promises-overdue")
def promises_overdue_task() -> int:
    """Every minute: part promises whose deadline passed unshipped / not on site are missed (once)."""
    from parts.promises import promises_overdue_scan

    return promises_overdue_scan()
