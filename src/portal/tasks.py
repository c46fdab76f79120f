"""Periodic portal work (huey): thin, idempotent."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from portal.services import staged_photos_purge


@db_periodic_task(crontab(minute="17"))
def purge_staged_photos() -> int:
    """Photos of refused request forms the customer never sent again (older than two hours)."""
    return staged_photos_purge()
