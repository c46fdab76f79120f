"""Work calendars in the public API v1 (SPEC §14): create, list, read, edit (version), deadline,
the holiday / make-up day entries, and a year's "list complete" mark. Thin: parse, call
services/selectors, serialise."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from core.api import (
    ERROR_RESPONSES,
    LAX,
    Date,
    DateText,
    DateTime,
    DateTimeText,
    PageQuery,
    StrictIn,
    idempotent_create,
    paginate,
)
from workcalendar import services
from workcalendar.calendar import WorkingCalendar
from workcalendar.models import CalendarDay, DayKind, WorkCalendar
from workcalendar.selectors import (
    YearCoverage,
    calendar_days_visible_to,
    work_calendars_visible_to,
    working_calendar,
    year_coverage,
)
from workcalendar.warnings import uncovered_year_message, year_coverage_message

router = Router(tags=["workcalendar"])

#: (prefix under /api/v1, router) pairs that aftersales.api mounts.
ROUTERS: list[tuple[str, Router]] = [("/work-calendars", router)]

HOURS_DESCRIPTION = 'Weekday → intervals, e.g. {"mon": [["09:00","12:00"],["13:00","18:00"]]}; "24:00" ends a day.'


class CalendarIn(StrictIn):
    code: str = Field(max_length=32)
    name: str = Field(max_length=100)
    timezone: str = Field("Asia/Shanghai", max_length=64)
    hours: dict[str, Any] = Field(default_factory=dict, description=HOURS_DESCRIPTION)
    chinese_holidays: bool = True
    always_open: bool = Field(False, description="7×24: every hour counts, holidays included")


class CalendarPatch(StrictIn):
    version: int
    name: str | None = Field(default=None, max_length=100)
    timezone: str | None = Field(default=None, max_length=64)
    hours: dict[str, Any] | None = Field(default=None, description=HOURS_DESCRIPTION)
    chinese_holidays: bool | None = None
    always_open: bool | None = None
    is_active: bool | None = None


class DeadlineQuery(Schema):
    start: DateTime = Field(description="ISO 8601 instant; without an offset, the calendar's timezone")
    hours: str = Field(max_length=32, description="Business hours to add (> 0; decimals allowed)")


class DayIn(StrictIn):
    date: Date
    kind: Annotated[DayKind, LAX]
    name: str = Field("", max_length=100)
    calendar: str | None = Field(None, max_length=32, description="Calendar code; empty: national date")


class DaysImportIn(StrictIn):
    text: str = Field(
        max_length=100_000, description="Lines like 2027-01-01,holiday,元旦 / 2027-02-07,workday,春节调休"
    )
    calendar: str | None = Field(None, max_length=32)


class DayFilters(PageQuery):
    page_size: int = Field(100, ge=1, le=100)
    year: int | None = Field(None, ge=1900, le=2200)
    calendar: str | None = Field(None, max_length=32, description="A calendar code; empty: national entries")


class HolidayYearIn(StrictIn):
    complete: bool = Field(description="true: the year's national list is complete; false: withdraw the mark")
    confirm_missing: bool = Field(
        False,
        description=(
            "Mark complete although statutory festivals have no entry (see missing_festivals); without it "
            "the mark is refused (400 validation_error on confirm_missing)."
        ),
    )


#: Weekday → working intervals, as stored (normalised: weekdays in order, "HH:MM" pairs).
WeeklyHours = dict[str, list[list[str]]]


class CalendarOut(Schema):
    id: int
    code: str
    name: str
    timezone: str
    always_open: bool
    chinese_holidays: bool
    hours: WeeklyHours = Field(description=HOURS_DESCRIPTION)
    is_active: bool
    version: int
    created_at: DateTimeText
    updated_at: DateTimeText


class CalendarListOut(Schema):
    items: list[CalendarOut]
    count: int


class DayOut(Schema):
    id: int
    date: DateText
    kind: str
    name: str
    calendar: str | None = Field(description="Calendar code; null: a national date")
    is_active: bool


class DayListOut(Schema):
    items: list[DayOut]
    count: int


class HolidayImportOut(Schema):
    imported: int = Field(description="How many dates were entered or changed.")


class DeadlineOut(Schema):
    deadline: DateTimeText
    warnings: list[str] = Field(description="Years the count crossed that the holiday data does not cover.")


class FestivalOut(Schema):
    code: str = Field(
        description="new_year, spring_festival, tomb_sweeping, labour_day, dragon_boat, mid_autumn, national_day"
    )
    label: str


class HolidayYearOut(Schema):
    year: int
    covered: bool = Field(
        description="Deadlines count the year's holidays: the library has it, or it is marked complete."
    )
    library: bool = Field(description="The chinesecalendar library covers the year.")
    entries: int = Field(description="National holiday and make-up day entries admins made for the year.")
    complete: bool = Field(description="An admin marked the national list complete.")
    marked_by: str = Field(description="Who set or withdrew the mark last (empty: never, or by the system).")
    marked_at: DateTimeText | None
    missing_festivals: list[FestivalOut] = Field(description="Statutory festivals without a holiday entry.")
    warning: str = Field(description="What is missing while the year is not covered; empty once it is.")


def holiday_year_out(coverage: YearCoverage) -> dict[str, Any]:
    return {
        "year": coverage.year,
        "covered": coverage.covered,
        "library": coverage.library,
        "entries": coverage.national_entries,
        "complete": coverage.complete,
        "marked_by": coverage.marked_by,
        "marked_at": timezone.localtime(coverage.marked_at).isoformat() if coverage.marked_at else None,
        "missing_festivals": [{"code": f.code, "label": str(f.label)} for f in coverage.missing_festivals],
        "warning": "" if coverage.covered else year_coverage_message(coverage),
    }


def calendar_out(calendar: WorkCalendar) -> dict[str, Any]:
    return {
        "id": calendar.pk,
        "code": calendar.code,
        "name": calendar.name,
        "timezone": calendar.timezone,
        "always_open": calendar.always_open,
        "chinese_holidays": calendar.use_chinese_holidays,
        "hours": calendar.hours,
        "is_active": calendar.is_active,
        "version": calendar.version,
        "created_at": timezone.localtime(calendar.created_at).isoformat(),
        "updated_at": timezone.localtime(calendar.updated_at).isoformat(),
    }


def day_out(entry: CalendarDay) -> dict[str, Any]:
    return {
        "id": entry.pk,
        "date": entry.date.isoformat(),
        "kind": entry.kind,
        "name": entry.name,
        "calendar": entry.calendar.code if entry.calendar is not None else None,
        "is_active": entry.is_active,
    }


def _get(request: HttpRequest, code: str) -> WorkCalendar:
    return work_calendars_visible_to(request.user).get(code=code)


def _calendar_or_none(request: HttpRequest, code: str | None) -> WorkCalendar | None:
    if not code:
        return None
    calendar = work_calendars_visible_to(request.user).filter(code=code).first()
    if calendar is None:
        raise ValidationError({"calendar": _("Unknown calendar “%(value)s”.") % {"value": code}})
    return calendar


@router.post(
    "", response={201: CalendarOut, **ERROR_RESPONSES}, summary="Create a work calendar (Idempotency-Key honoured)"
)
def create_calendar(request: HttpRequest, payload: CalendarIn) -> Any:
    if not request.user.has_perm("workcalendar.add_workcalendar"):
        raise PermissionDenied(_("You may not change work calendars."))

    def create() -> tuple[int, dict[str, Any]]:
        calendar = services.work_calendar_create(
            acting_user=request.user,
            code=payload.code,
            name=payload.name,
            timezone=payload.timezone,
            hours=payload.hours,
            always_open=payload.always_open,
            use_chinese_holidays=payload.chinese_holidays,
        )
        return 201, calendar_out(calendar)

    return idempotent_create(request, "work-calendars", create)


@router.get("", response={200: CalendarListOut, **ERROR_RESPONSES}, summary="List work calendars")
def list_calendars(request: HttpRequest, filters: Query[PageQuery]) -> Any:
    calendars = work_calendars_visible_to(request.user).order_by("code")
    return paginate(calendars, page=filters.page, page_size=filters.page_size, serialize=calendar_out)


@router.get(
    "/days", response={200: DayListOut, **ERROR_RESPONSES}, summary="Holiday and make-up day entries admins made"
)
def list_days(request: HttpRequest, filters: Query[DayFilters]) -> Any:
    entries = calendar_days_visible_to(request.user).filter(is_active=True)
    calendar = _calendar_or_none(request, filters.calendar)
    entries = entries.filter(calendar=calendar)
    if filters.year:
        entries = entries.filter(date__year=filters.year)
    return paginate(entries.order_by("date"), page=filters.page, page_size=filters.page_size, serialize=day_out)


@router.post("/days", response={201: DayOut, **ERROR_RESPONSES}, summary="Enter a holiday or make-up working day")
def create_day(request: HttpRequest, payload: DayIn) -> Any:
    if not request.user.has_perm("workcalendar.add_calendarday"):
        raise PermissionDenied(_("You may not change work calendars."))

    def create() -> tuple[int, dict[str, Any]]:
        entry = services.calendar_day_set(
            acting_user=request.user,
            day=payload.date,
            kind=payload.kind,
            name=payload.name,
            calendar=_calendar_or_none(request, payload.calendar),
        )
        return 201, day_out(entry)

    return idempotent_create(request, "work-calendar-days", create)


@router.post(
    "/days/import",
    response={200: HolidayImportOut, **ERROR_RESPONSES},
    summary="Import dates from text/CSV (all or nothing)",
)
def import_days(request: HttpRequest, payload: DaysImportIn) -> Any:
    if not request.user.has_perm("workcalendar.add_calendarday"):
        raise PermissionDenied(_("You may not change work calendars."))
    count = services.calendar_days_import(
        acting_user=request.user, text=payload.text, calendar=_calendar_or_none(request, payload.calendar)
    )
    return {"imported": count}


@router.get(
    "/years/{year}",
    response={200: HolidayYearOut, **ERROR_RESPONSES},
    summary="Whether a year's holiday data is complete, and what is missing",
)
def get_holiday_year(request: HttpRequest, year: int) -> Any:
    if not request.user.has_perm("workcalendar.view_holidayyear"):
        raise PermissionDenied(_("Permission denied."))
    return holiday_year_out(year_coverage(services.parse_year(year)))


@router.put(
    "/years/{year}",
    response={200: HolidayYearOut, **ERROR_RESPONSES},
    summary="Mark a year's national holiday list complete (or withdraw the mark)",
)
def set_holiday_year(request: HttpRequest, year: int, payload: HolidayYearIn) -> Any:
    if payload.complete:
        services.holiday_year_mark_complete(
            acting_user=request.user, year=year, confirm_missing=payload.confirm_missing
        )
    else:
        services.holiday_year_mark_incomplete(acting_user=request.user, year=year)
    return holiday_year_out(year_coverage(year))


@router.get("/{code}", response={200: CalendarOut, **ERROR_RESPONSES}, summary="One work calendar")
def get_calendar(request: HttpRequest, code: str) -> Any:
    return calendar_out(_get(request, code))


@router.patch(
    "/{code}", response={200: CalendarOut, **ERROR_RESPONSES}, summary="Edit a work calendar (optimistic concurrency)"
)
def update_calendar(request: HttpRequest, code: str, payload: CalendarPatch) -> Any:
    calendar = _get(request, code)
    changes = payload.dict(exclude_unset=True)
    version = changes.pop("version")
    if "chinese_holidays" in changes:
        changes["use_chinese_holidays"] = changes.pop("chinese_holidays")
    for name in ("name", "timezone", "hours", "always_open", "use_chinese_holidays", "is_active"):
        if name in changes and changes[name] is None:
            raise ValidationError({name: _("This field may not be null.")})
    calendar = services.work_calendar_update(
        calendar=calendar, acting_user=request.user, changes=changes, expected_version=version
    )
    return calendar_out(calendar)


@router.get("/{code}/deadline", response={200: DeadlineOut, **ERROR_RESPONSES}, summary="N business hours after start")
def deadline(request: HttpRequest, code: str, query: Query[DeadlineQuery]) -> Any:
    _get(request, code)  # visibility: 404 for a calendar the caller may not see
    result = services.work_calendar_deadline(code=code, start=query.start, hours=query.hours)
    return {"deadline": result.isoformat(), "warnings": _coverage_warnings(working_calendar(code), query.start, result)}


def _coverage_warnings(calendar: WorkingCalendar, start: datetime, end: datetime) -> list[str]:
    if not calendar.observes_holidays:
        return []
    first = start.astimezone(calendar.tz).year if start.tzinfo else start.year
    return [uncovered_year_message(y) for y in range(first, end.year + 1) if y not in calendar.covered_years]
