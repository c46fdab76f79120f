"""Writes for work calendars and their holiday/workday entries, and the deadline question."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone as django_timezone
from django.utils.translation import gettext as _

from core.services import apply_changes, check_version, lock_for_update, save_versioned
from workcalendar.calendar import CalendarError, add_business_time
from workcalendar.models import CalendarDay, DayKind, HolidayYear, WorkCalendar
from workcalendar.policies import holiday_list_check
from workcalendar.selectors import invalidate_calendars, working_calendar
from workcalendar.warnings import festival_list

CALENDAR_FIELDS = {"name", "timezone", "always_open", "use_chinese_holidays", "hours", "is_active"}
#: A deadline question may ask for at most this many business hours (≈ 12 years of office hours).
MAX_HOURS = Decimal(100_000)
RESERVED_CODES = {"days", "new"}  # /work-calendars/days (API) and /calendars/new/ (console)


def _may_manage(acting_user: Any | None, permission: str) -> None:
    if acting_user is not None and not acting_user.has_perm(permission):
        raise PermissionDenied(_("You may not change work calendars."))


def _changed() -> None:
    """Drop cached calendars now and again after commit (a rollback must not leave new data);
    after commit, tell the apps above (``workcalendar.hooks``: the SLA recompute of open orders)."""
    from workcalendar.hooks import run_calendar_change_hooks

    invalidate_calendars()
    transaction.on_commit(invalidate_calendars)
    transaction.on_commit(run_calendar_change_hooks)


@transaction.atomic
def work_calendar_create(
    *,
    acting_user: Any | None,
    code: str,
    name: str,
    timezone: str = "Asia/Shanghai",
    hours: Mapping[str, Any] | None = None,
    always_open: bool = False,
    use_chinese_holidays: bool = True,
) -> WorkCalendar:
    _may_manage(acting_user, "workcalendar.add_workcalendar")
    code = (code or "").strip()
    if code.lower() in RESERVED_CODES:
        raise ValidationError({"code": _("“%(value)s” is reserved; choose another code.") % {"value": code}})
    calendar = WorkCalendar(
        code=code,
        name=(name or "").strip(),
        timezone=(timezone or "").strip(),
        hours=dict(hours or {}),
        always_open=always_open,
        use_chinese_holidays=use_chinese_holidays,
    )
    calendar.full_clean()
    calendar.save()
    _changed()
    return calendar


@transaction.atomic
def work_calendar_update(
    *,
    calendar: WorkCalendar,
    acting_user: Any | None,
    changes: dict[str, Any],
    expected_version: int | None = None,
) -> WorkCalendar:
    """Edit a calendar; the code is its name in service levels and the API, so it stays."""
    _may_manage(acting_user, "workcalendar.change_workcalendar")
    calendar = lock_for_update(calendar)
    check_version(calendar, expected_version)
    if "timezone" in changes and isinstance(changes["timezone"], str):
        changes["timezone"] = changes["timezone"].strip()
    diff = apply_changes(calendar, changes, allowed=CALENDAR_FIELDS)
    if diff:
        save_versioned(calendar, sorted({*diff, "hours"}))  # clean() normalises the hours JSON
        _changed()
    return calendar


# --- holiday / workday entries ----------------------------------------------------------------


@transaction.atomic
def calendar_day_set(
    *,
    acting_user: Any | None,
    day: date,
    kind: str,
    name: str = "",
    calendar: WorkCalendar | None = None,
) -> CalendarDay:
    """Enter a holiday or make-up working day (national without ``calendar``). Entering the same
    date again replaces the earlier entry's kind and name (and brings back a removed one)."""
    _may_manage(acting_user, "workcalendar.add_calendarday")
    entry = _set_day(day=day, kind=kind, name=name, calendar=calendar)
    _changed()
    return entry


def _set_day(*, day: date, kind: str, name: str, calendar: WorkCalendar | None) -> CalendarDay:
    if kind not in DayKind.values:
        raise ValidationError({"kind": _("Use “holiday” or “workday”.")})
    entry = CalendarDay.objects.filter(date=day, calendar=calendar).first()
    if entry is None:
        entry = CalendarDay(date=day, calendar=calendar, kind=kind, name=(name or "").strip())
        entry.full_clean(validate_constraints=False)
        entry.save()
        return entry
    entry.kind, entry.name, entry.is_active = kind, (name or "").strip(), True
    entry.full_clean(validate_constraints=False)
    entry.save(update_fields=["kind", "name", "is_active", "updated_at"])
    return entry


@transaction.atomic
def calendar_day_remove(*, acting_user: Any | None, entry: CalendarDay) -> CalendarDay:
    """Withdraw an entry (kept, inactive: nothing is hard-deleted); the library's date applies again."""
    _may_manage(acting_user, "workcalendar.change_calendarday")
    entry = lock_for_update(entry)
    if entry.is_active:
        entry.is_active = False
        entry.save(update_fields=["is_active", "updated_at"])
        _changed()
    return entry


def parse_day_lines(text: str) -> list[tuple[date, str, str]]:
    """Lines ``2027-01-01,holiday,元旦`` / ``2027-02-07,workday,春节调休`` (comma, tab or Chinese
    comma; ``#`` comments and blank lines skipped; kind also 休/假/holiday or 班/上班/workday).
    Every bad line is reported as ``Line N: …`` under ``text``; nothing is returned half-parsed."""
    kinds = {
        "holiday": DayKind.HOLIDAY,
        "休": DayKind.HOLIDAY,
        "假": DayKind.HOLIDAY,
        "workday": DayKind.WORKDAY,
        "班": DayKind.WORKDAY,
        "上班": DayKind.WORKDAY,
    }
    errors: list[str] = []
    rows: list[tuple[date, str, str]] = []
    seen: dict[date, int] = {}
    normalised = (text or "").replace("，", ",").replace("\t", ",")
    for number, cells in enumerate(csv.reader(io.StringIO(normalised)), start=1):
        cells = [cell.strip() for cell in cells]
        if not cells or not any(cells) or cells[0].startswith("#"):
            continue
        if number == 1 and cells[0].lower() == "date":
            continue  # a header row
        if len(cells) < 2:
            errors.append(_("Line %(line)s: write date,kind[,name].") % {"line": number})
            continue
        try:
            day = date.fromisoformat(cells[0])
        except ValueError:
            errors.append(
                _("Line %(line)s: “%(value)s” is not a date (YYYY-MM-DD).") % {"line": number, "value": cells[0]}
            )
            continue
        kind = kinds.get(cells[1].lower())
        if kind is None:
            errors.append(
                _("Line %(line)s: “%(value)s” is neither holiday nor workday.") % {"line": number, "value": cells[1]}
            )
            continue
        name = ",".join(cells[2:]).strip()
        if len(name) > 100:
            errors.append(_("Line %(line)s: the name is longer than 100 characters.") % {"line": number})
            continue
        if day in seen:
            errors.append(
                _("Line %(line)s: %(date)s is already on line %(first)s.")
                % {"line": number, "date": day.isoformat(), "first": seen[day]}
            )
            continue
        seen[day] = number
        rows.append((day, kind, name))
    if errors:
        raise ValidationError({"text": errors})
    if not rows:
        raise ValidationError({"text": _("There are no dates to import.")})
    return rows


@transaction.atomic
def calendar_days_import(*, acting_user: Any | None, text: str, calendar: WorkCalendar | None = None) -> int:
    """Import a year's dates from text/CSV, all or nothing; returns how many entries were saved."""
    _may_manage(acting_user, "workcalendar.add_calendarday")
    rows = parse_day_lines(text)
    for day, kind, name in rows:
        _set_day(day=day, kind=kind, name=name, calendar=calendar)
    _changed()
    return len(rows)


# --- "this year's list is complete" ---------------------------------------------------------

MIN_YEAR, MAX_YEAR = 1900, 2200
#: ``ValidationError.code`` of a refused mark: statutory festivals without an entry, not confirmed.
FESTIVALS_MISSING = "festivals_missing"


def parse_year(year: Any) -> int:
    """A year a holiday list may be kept for (1900–2200); otherwise an error naming ``year``."""
    if isinstance(year, bool) or not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(
            {"year": _("Enter a year from %(min)s to %(max)s.") % {"min": MIN_YEAR, "max": MAX_YEAR}}, code="invalid"
        )
    return year


@transaction.atomic
def holiday_year_mark_complete(*, acting_user: Any | None, year: int, confirm_missing: bool = False) -> HolidayYear:
    """Say that the national list of ``year`` is the State Council's notice in full: from now on
    the year is covered (no warning; ``covered_years``). Refused without any national entry, and —
    unless ``confirm_missing`` — while a statutory festival has no holiday entry (``confirm_missing``
    names the field; the error's code is ``festivals_missing``). Marking a complete year again
    changes nothing."""
    _may_manage(acting_user, "workcalendar.change_holidayyear")
    year = parse_year(year)
    entries = CalendarDay.objects.filter(is_active=True, calendar__isnull=True, date__year=year)
    check = holiday_list_check(year=year, entries=entries.values_list("date", "kind", "name"))
    if not check.entries:
        raise ValidationError(
            {"year": _("There are no dates for %(year)s yet: enter the State Council's dates first.") % {"year": year}},
            code="no_entries",
        )
    if check.missing and not confirm_missing:
        message = _(
            "No entry yet for %(festivals)s in %(year)s. Enter their dates, or confirm that the list is "
            "complete without them."
        ) % {"festivals": festival_list(check.missing), "year": year}
        raise ValidationError({"confirm_missing": ValidationError(message, code=FESTIVALS_MISSING)})
    mark, _created = HolidayYear.objects.get_or_create(year=year)
    mark = lock_for_update(mark)
    if mark.is_complete:
        return mark
    mark.is_complete = True
    mark.marked_by = acting_user if getattr(acting_user, "pk", None) else None
    mark.marked_at = django_timezone.now()
    mark.confirmed_missing = check.missing_codes
    mark.save(update_fields=["is_complete", "marked_by", "marked_at", "confirmed_missing", "updated_at"])
    _changed()
    return mark


@transaction.atomic
def holiday_year_mark_incomplete(*, acting_user: Any | None, year: int) -> HolidayYear:
    """Withdraw the mark (the list turned out to lack dates): the year is uncovered again and warned
    about until it is marked complete anew. Withdrawing an unmarked year changes nothing."""
    _may_manage(acting_user, "workcalendar.change_holidayyear")
    year = parse_year(year)
    existing = HolidayYear.objects.filter(year=year).first()
    if existing is None:
        return HolidayYear(year=year)
    mark = lock_for_update(existing)
    if not mark.is_complete:
        return mark
    mark.is_complete = False
    mark.marked_by = acting_user if getattr(acting_user, "pk", None) else None
    mark.marked_at = django_timezone.now()
    mark.confirmed_missing = []
    mark.save(update_fields=["is_complete", "marked_by", "marked_at", "confirmed_missing", "updated_at"])
    _changed()
    return mark


# --- the deadline question ------------------------------------------------------------------


def parse_hours(value: Any) -> Decimal:
    """A positive number of business hours (decimals allowed: 0.5 = 30 minutes)."""
    try:
        hours = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({"hours": _("Enter a number of hours, e.g. 8 or 1.5.")})
    if not hours.is_finite():
        raise ValidationError({"hours": _("Enter a number of hours, e.g. 8 or 1.5.")})
    if hours <= 0:
        raise ValidationError({"hours": _("The number of hours must be greater than zero.")})
    if hours > MAX_HOURS:
        raise ValidationError({"hours": _("At most %(max)s hours.") % {"max": MAX_HOURS}})
    return hours


def work_calendar_deadline(*, code: str, start: datetime, hours: Any) -> datetime:
    """``hours`` business hours after ``start`` on calendar ``code`` (naive ``start``: the
    calendar's own timezone). Raises ValidationError naming ``hours`` or ``start``."""
    amount = parse_hours(hours)
    calendar = working_calendar(code)
    if start.tzinfo is None or start.utcoffset() is None:
        start = start.replace(tzinfo=calendar.tz)
    duration = timedelta(microseconds=int((amount * 3_600_000_000).to_integral_value()))
    try:
        return add_business_time(calendar, start, duration)
    except CalendarError as error:  # the pure module's text is for logs; the user reads ours
        raise ValidationError(
            {error.field or "hours": _("The calendar has no working time in which to count these hours.")}
        )
    except (OverflowError, ValueError):  # past year 9999: "year 10000 is out of range"
        raise ValidationError({"start": _("The deadline falls outside the supported dates.")})
