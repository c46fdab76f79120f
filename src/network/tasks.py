"""Background work of the network: the station scorecards on the 1st."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task


@db_periodic_task(crontab(day="1", hour="3", minute="0"))
@lock_task("network-scorecards")
def station_scorecards_task() -> dict[str, int]:
    """On the 1st: last month's card of every station, its warnings and proposals (idempotent)."""
    from network.scorecards import previous_month_compute

    return previous_month_compute()
