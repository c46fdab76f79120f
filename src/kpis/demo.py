"""Demo content of the KPIs: the demo orders are written through the work-order services, so
their repair times are stored by the completion hook as they complete, and every figure and
dashboard is computed from their timelines. This step stores the repair times of orders
completed some other way and computes the scorecards of the last two months (idempotent: a
second run adds nothing). Call it from the demo loader:
``kpis.demo.load_demo_kpis()``."""

from __future__ import annotations

from django.utils import timezone

from kpis.scorecards import previous_month, scorecards_compute
from kpis.services import repair_times_backfill


def load_demo_kpis() -> dict[str, int]:
    """Repair times, then last month's and this month's scorecards (二级核算, drafts)."""
    created = {"repair times": repair_times_backfill()}
    today = timezone.localdate()
    cards = 0
    for month in (previous_month(today), today.replace(day=1)):
        cards += scorecards_compute(month=month)["written"]
    created["scorecards"] = cards
    return created
