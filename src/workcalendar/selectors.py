"""Reads for work calendars, and the per-process cache of pure ``WorkingCalendar`` objects.

Calendars are organisation-wide configuration (like the catalogue): every role may view them,
no unit owns them, so ``work_calendars_visible_to`` scopes by the view permission only.

``working_calendar(code)`` is called for every deadline the SLA module computes, so it is a dict
lookup: calendars are built once per process and dropped when this process changes one (services
call ``invalidate_calendars``) or when another process did (a cheap stamp query at most every
``STAMP_CHECK_SECONDS``).
"""

from __future__ import annotations

import threading
import time as _time
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db.models import Count, Max, QuerySet

from workcalendar.calendar import WorkingCalendar, make_calendar
from workcalendar.hours import weekly_hours_from_json
from workcalendar.models import CalendarDay, DayKind, HolidayYear, WorkCalendar
from workcalendar.policies import Festival, holiday_list_check
from workcalendar.statutory import holiday_label, library_days, library_years

#: The calendar deadlines count in when none is named: wall-clock time (SPEC §6 "reply within 24 h").
DEFAULT_CALENDAR_CODE = "24x7"
STAMP_CHECK_SECONDS = 10.0

_lock = threading.Lock()
_cache: dict[str, WorkingCalendar] = {}
_state: dict[str, Any] = {"stamp": None, "checked": 0.0}


def work_calendars_visible_to(user: Any) -> QuerySet[WorkCalendar]:
    if not getattr(user, "is_authenticated", False) or not user.has_perm("workcalendar.view_workcalendar"):
        return WorkCalendar.objects.none()
    return WorkCalendar.objects.all()


def calendar_days_visible_to(user: Any) -> QuerySet[CalendarDay]:
    if not getattr(user, "is_authenticated", False) or not user.has_perm("workcalendar.view_calendarday"):
        return CalendarDay.objects.none()
    return CalendarDay.objects.select_related("calendar")


# --- the pure calendars, cached -------------------------------------------------------------


def invalidate_calendars() -> None:
    with _lock:
        _cache.clear()
        _state["stamp"] = None
        _state["checked"] = 0.0
        _state.pop("uncovered", None)


def _stamp() -> tuple[Any, ...]:
    calendars = WorkCalendar.objects.aggregate(n=Count("id"), at=Max("updated_at"))
    days = CalendarDay.objects.aggregate(n=Count("id"), at=Max("updated_at"))
    years = HolidayYear.objects.aggregate(n=Count("id"), at=Max("updated_at"))
    return (calendars["n"], calendars["at"], days["n"], days["at"], years["n"], years["at"])


def _check_stamp() -> None:
    now = _time.monotonic()
    if now - _state["checked"] < STAMP_CHECK_SECONDS:
        return
    stamp = _stamp()
    with _lock:
        if stamp != _state["stamp"]:
            _cache.clear()
            _state["stamp"] = stamp
        _state["checked"] = now


def day_sets(calendar: WorkCalendar) -> tuple[set[date], set[date], set[int]]:
    """(holidays, make-up workdays, covered years) for one calendar: library < national entries <
    the calendar's own entries (a later source wins for the same date). A year is covered by the
    library or by an admin's "list complete" (``HolidayYear``), never by entries alone."""
    holidays: set[date] = set()
    workdays: set[date] = set()
    covered: set[int] = set()
    entries = CalendarDay.objects.filter(is_active=True)
    if calendar.use_chinese_holidays:
        library_holidays, library_workdays = library_days()
        holidays |= set(library_holidays)
        workdays |= set(library_workdays)
        covered |= set(library_years())
        national = list(entries.filter(calendar__isnull=True).values_list("date", "kind"))
        covered |= complete_years()
    else:
        national = []
    own = list(entries.filter(calendar=calendar).values_list("date", "kind")) if calendar.pk else []
    for day, kind in [*national, *own]:
        if kind == DayKind.HOLIDAY:
            holidays.add(day)
            workdays.discard(day)
        else:
            workdays.add(day)
            holidays.discard(day)
    return holidays, workdays, covered


def build_working_calendar(calendar: WorkCalendar) -> WorkingCalendar:
    holidays, workdays, covered = day_sets(calendar)
    return make_calendar(
        code=calendar.code,
        timezone=calendar.timezone,
        always_open=calendar.always_open,
        weekly_hours=weekly_hours_from_json(calendar.hours or {}),
        holidays=holidays,
        workdays=workdays,
        covered_years=covered,
        observes_holidays=calendar.use_chinese_holidays and not calendar.always_open,
    )


def working_calendar(code: str) -> WorkingCalendar:
    """The pure calendar for ``code`` (raises ``WorkCalendar.DoesNotExist`` for an unknown code).

    A retired (inactive) calendar still answers, so orders whose service level names it keep
    their deadlines.
    """
    _check_stamp()
    cached = _cache.get(code)
    if cached is not None:
        return cached
    built = build_working_calendar(WorkCalendar.objects.get(code=code))
    with _lock:
        _cache[code] = built
    return built


_BUILT_IN_24X7 = make_calendar(code=DEFAULT_CALENDAR_CODE, always_open=True, observes_holidays=False)


def default_working_calendar() -> WorkingCalendar:
    """The calendar used when none is named: ``settings.WORKCALENDAR_DEFAULT`` (default "24x7",
    wall-clock time); if that calendar is missing, a built-in 7×24 calendar — never an error."""
    code = getattr(settings, "WORKCALENDAR_DEFAULT", DEFAULT_CALENDAR_CODE)
    try:
        return working_calendar(code)
    except WorkCalendar.DoesNotExist:
        return _BUILT_IN_24X7


# --- coverage: which years have holiday data ------------------------------------------------


def complete_years() -> set[int]:
    """The years an admin marked complete (their national list is the State Council's notice)."""
    return set(HolidayYear.objects.filter(is_complete=True).values_list("year", flat=True))


@dataclass(frozen=True)
class YearCoverage:
    """Where a year's holiday data comes from, and what is still missing while it is not covered."""

    year: int
    library: bool
    national_entries: int
    complete: bool = False
    marked_by: str = ""  # who set or withdrew the "list complete" mark last
    marked_at: datetime | None = None
    missing_festivals: tuple[Festival, ...] = ()  # statutory festivals without a holiday entry

    @property
    def covered(self) -> bool:
        return self.library or self.complete


def year_coverage(year: int) -> YearCoverage:
    """Two queries: the year's national entries (for the festival check) and its mark, if any."""
    entries = list(
        CalendarDay.objects.filter(is_active=True, calendar__isnull=True, date__year=year).values_list(
            "date", "kind", "name"
        )
    )
    library = year in library_years()
    mark = HolidayYear.objects.filter(year=year).select_related("marked_by").first()
    check = holiday_list_check(year=year, entries=entries)
    marked_by = ""
    if mark is not None and mark.marked_by is not None:
        marked_by = mark.marked_by.get_full_name() or mark.marked_by.get_username()
    return YearCoverage(
        year=year,
        library=library,
        national_entries=check.entries,
        complete=bool(mark and mark.is_complete),
        marked_by=marked_by,
        marked_at=mark.marked_at if mark is not None else None,
        missing_festivals=() if library else check.missing,
    )


def holiday_calendars_exist() -> bool:
    return WorkCalendar.objects.filter(is_active=True, use_chinese_holidays=True, always_open=False).exists()


def _years_in_reach(today: date) -> set[int]:
    from workcalendar import calendar as pure

    years = {today.year}
    if today.month >= 10:
        years.add(today.year + 1)
    years |= {y for y in pure._warned_years if today.year - 1 <= y <= today.year + 2}
    return years


def uncovered_coverage(today: date) -> list[YearCoverage]:
    """The years a deadline may reach soon that are not covered, with what each lacks: this year,
    next year from October (the State Council publishes around November), and any year a deadline
    computation in this process already ran into."""
    coverages = (year_coverage(year) for year in sorted(_years_in_reach(today)))
    return [coverage for coverage in coverages if not coverage.covered]


def uncovered_years(today: date) -> list[int]:
    return [coverage.year for coverage in uncovered_coverage(today)]


UNCOVERED_CACHE_SECONDS = 60.0


def uncovered_coverage_cached(today: date) -> list[YearCoverage]:
    """``uncovered_coverage`` for the site-wide warning on every staff page: at most one check a minute."""
    now = _time.monotonic()
    cached = _state.get("uncovered")
    if cached is not None and cached[0] == today and now - cached[1] < UNCOVERED_CACHE_SECONDS:
        return list(cached[2])
    coverages = uncovered_coverage(today) if holiday_calendars_exist() else []
    _state["uncovered"] = (today, now, coverages)
    return list(coverages)


def year_entries(year: int, calendar: WorkCalendar | None = None) -> list[dict[str, Any]]:
    """The year's days off and make-up days with their source ("library" / "admin"), by date;
    admin entries replace the library's for the same date."""
    rows: dict[tuple[date, str], dict[str, Any]] = {}
    if calendar is None or calendar.use_chinese_holidays:
        library_holidays, library_workdays = library_days()
        for source, kind in ((library_holidays, DayKind.HOLIDAY), (library_workdays, DayKind.WORKDAY)):
            for day, name in source.items():
                if day.year == year:
                    rows[(day, "")] = {
                        "date": day,
                        "kind": kind,
                        "name": holiday_label(name),
                        "source": "library",
                        "entry": None,
                    }
    entries = CalendarDay.objects.filter(is_active=True, date__year=year).select_related("calendar")
    entries = entries.filter(calendar__isnull=True) | (
        entries.filter(calendar=calendar) if calendar is not None else entries.filter(calendar__isnull=False)
    )
    for entry in entries.order_by("date"):
        scope = entry.calendar.code if entry.calendar is not None else ""
        if not scope:
            rows.pop((entry.date, ""), None)
        rows[(entry.date, scope)] = {
            "date": entry.date,
            "kind": entry.kind,
            "name": entry.name,
            "source": "admin",
            "entry": entry,
        }
    return sorted(rows.values(), key=lambda row: (row["date"], row["source"]))


def timezone_names() -> list[str]:
    return sorted(zoneinfo.available_timezones())
