"""Demo content of the KPIs: the demo orders are written through the work-order services, so
their repair times are stored by the completion hook as they complete, and every figure and
dashboard is computed from their timelines. This step stores the repair times of orders
completed some other way (idempotent: a second run adds nothing). Call it from the demo loader:
``kpis.demo.load_demo_kpis()``."""

from __future__ import annotations

from kpis.services import repair_times_backfill


def load_demo_kpis() -> dict[str, int]:
    return {"repair times": repair_times_backfill()}
