"""Background work of preventive maintenance: thin and idempotent (the occurrence constraint)."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from maintenance.services import plans_generate_due


@db_periodic_task(crontab(hour="5", minute="40"))
@lock_task("maintenance-generate")
def maintenance_generate_task() -> int:
    """Daily: every active plan's work orders due within its planning horizon."""
    return plans_generate_due()
