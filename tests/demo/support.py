"""What the demo modules' shared loads need before they run."""

from __future__ import annotations

import os


def enter_admin_holidays() -> None:
    """With TEST_ADMIN_HOLIDAYS (``.ci/dated-runs``), the years' lists as an admin enters them,
    before a module's shared demo load: the load then books by the same calendar the tests read
    (the suite's own fixture enters them only per test, after a module-scoped load)."""
    from tests.conftest import ADMIN_HOLIDAYS
    from workcalendar.services import calendar_days_import, holiday_year_mark_complete

    for year in [int(y) for y in os.environ.get("TEST_ADMIN_HOLIDAYS", "").replace(",", " ").split() if y]:
        calendar_days_import(acting_user=None, text=ADMIN_HOLIDAYS[year])
        holiday_year_mark_complete(acting_user=None, year=year)
