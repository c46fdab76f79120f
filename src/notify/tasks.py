"""Background delivery of the outbox (huey). The database is the truth; these only wake it up."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from notify.services import outbox_deliver_due


@db_task()
def deliver_outbox() -> int:
    """Kicked on commit after messages are queued: deliver what is due now."""
    return outbox_deliver_due().sent


@db_periodic_task(crontab(minute="*"))
def deliver_outbox_periodically() -> int:
    """Every minute: retries whose backoff ended, leases of killed workers, missed kicks."""
    return outbox_deliver_due().sent
