"""The loud, site-wide warning when a year deadlines may reach has no holiday data (SPEC §6)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from workcalendar.selectors import uncovered_years_cached


def uncovered_year_message(year: int) -> str:
    return _(
        "No holiday data for %(year)s: deadlines count only weekends as days off. Enter the State Council's dates."
    ) % {"year": year}


def holiday_data_warnings(user: Any) -> list[str]:
    """Shown to staff who manage calendars (they can fix it); everyone sees it on calendar pages."""
    if not user.has_perm("workcalendar.change_workcalendar"):
        return []
    return [uncovered_year_message(year) for year in uncovered_years_cached(timezone.localdate())]
