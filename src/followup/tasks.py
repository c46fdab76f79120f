"""Background work of follow-up: thin and idempotent (re-derived from the stored state)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from followup.services import callback_queue_refresh, complaint_scan


@db_periodic_task(crontab(minute="*/5"))
@lock_task("followup-callback-queue")
def callback_queue_task() -> int:
    """Every five minutes: completed orders get their survey link, on-site ones their callback."""
    from followup.surveys import surveys_issue_due

    surveys_issue_due()
    return callback_queue_refresh()


@db_periodic_task(crontab(minute="*"))
@lock_task("followup-complaint-scan")
def complaint_scan_task() -> dict[str, int]:
    """Every minute: complaints whose acknowledgement is at risk (agents) or overdue (director)."""
    return complaint_scan()


@db_periodic_task(crontab(hour="9,12,15", minute="30"))
@lock_task("followup-care-run")
def care_run_task() -> dict[str, int]:
    """Daily (and twice more as a safety net: idempotent): the customer-care rules of today."""
    from followup.care import care_run

    return care_run()


@db_periodic_task(crontab(hour="6", minute="10"))
@lock_task("followup-quality-scan")
def quality_warning_task() -> int:
    """Daily: each product model's last 30 days against its own baseline (Poisson rate test)."""
    from followup.quality import quality_warning_scan

    return quality_warning_scan()
