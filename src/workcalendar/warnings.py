"""The loud, site-wide warning when a year deadlines may reach has no holiday data (SPEC §6).

A year is covered by the chinesecalendar library or by an admin's "list complete" mark; until
then the warning stays and says what is missing: no dates at all, or N dates not marked complete
and the statutory festivals that have no entry yet (``workcalendar.policies``).
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from workcalendar.policies import Festival
from workcalendar.selectors import YearCoverage, uncovered_coverage_cached, year_coverage


def festival_list(festivals: tuple[Festival, ...]) -> str:
    """The festivals' names in the reader's language: 春节、清明节 / Spring Festival, Tomb-sweeping Day."""
    separator = "、" if (get_language() or "").startswith("zh") else ", "
    return separator.join(str(festival.label) for festival in festivals)


def year_coverage_message(coverage: YearCoverage) -> str:
    """What the year lacks, for the people who can fix it."""
    if not coverage.national_entries:
        return _(
            "No holiday data for %(year)s: deadlines count only weekends as days off. Enter the State Council's dates."
        ) % {"year": coverage.year}
    values: dict[str, object] = {"year": coverage.year, "count": coverage.national_entries}
    if coverage.missing_festivals:
        values["festivals"] = festival_list(coverage.missing_festivals)
        return (
            ngettext(
                "The holiday list for %(year)s has %(count)s date but is not marked complete; no entry yet for "
                "%(festivals)s. Until an admin marks it complete, deadlines count only weekends and the dates "
                "entered as days off.",
                "The holiday list for %(year)s has %(count)s dates but is not marked complete; no entry yet for "
                "%(festivals)s. Until an admin marks it complete, deadlines count only weekends and the dates "
                "entered as days off.",
                coverage.national_entries,
            )
            % values
        )
    return (
        ngettext(
            "The holiday list for %(year)s has %(count)s date but is not marked complete. Check it against "
            "the State Council's notice and mark it complete.",
            "The holiday list for %(year)s has %(count)s dates but is not marked complete. Check it against "
            "the State Council's notice and mark it complete.",
            coverage.national_entries,
        )
        % values
    )


def uncovered_year_message(year: int) -> str:
    return year_coverage_message(year_coverage(year))


def holiday_data_warnings(user: Any) -> list[str]:
    """Shown to staff who manage calendars (they can fix it); everyone sees it on calendar pages."""
    if not user.has_perm("workcalendar.change_workcalendar"):
        return []
    return [year_coverage_message(coverage) for coverage in uncovered_coverage_cached(timezone.localdate())]
