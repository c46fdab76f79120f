"""Staff pages of work calendars: list, detail (hours, the year's days, calculator), create,
edit, entering holiday / make-up days, importing a year and marking a year's list complete.
Thin: forms → services."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.exceptions import VersionConflict
from core.forms import add_service_errors, form_status
from workcalendar import services
from workcalendar.forms import (
    SCOPE_CALENDAR,
    CalendarDayForm,
    CalendarDayImportForm,
    DeadlineForm,
    HolidayYearCompleteForm,
    WorkCalendarForm,
)
from workcalendar.hours import hours_rows
from workcalendar.models import CalendarDay, WorkCalendar
from workcalendar.selectors import (
    calendar_days_visible_to,
    uncovered_coverage,
    work_calendars_visible_to,
    year_coverage,
    year_entries,
)
from workcalendar.warnings import festival_list, year_coverage_message

MAX_UPLOAD = 1_000_000


def _coverage_messages() -> list[str]:
    return [year_coverage_message(coverage) for coverage in uncovered_coverage(timezone.localdate())]


@login_required
@permission_required("workcalendar.view_workcalendar", raise_exception=True)
def calendar_list(request: HttpRequest) -> HttpResponse:
    calendars = work_calendars_visible_to(request.user).order_by("-is_active", "code")
    this_year = timezone.localdate().year
    coverage = [_coverage_row(year_coverage(year)) for year in (this_year, this_year + 1)]
    return render(
        request,
        "workcalendar/calendar_list.html",
        {"calendars": calendars, "coverage": coverage, "coverage_warnings": _coverage_messages()},
    )


def _coverage_row(coverage: Any) -> dict[str, Any]:
    """A year's coverage as the pages show it: the data, its message and the missing festivals."""
    return {
        "data": coverage,
        "message": "" if coverage.covered else year_coverage_message(coverage),
        "missing": festival_list(coverage.missing_festivals),
    }


def _detail_context(
    request: HttpRequest, calendar: WorkCalendar, *, year: int | None = None, **extra: Any
) -> dict[str, Any]:
    if year is None:
        try:
            year = int(request.GET.get("year", ""))
        except ValueError:
            year = timezone.localdate().year
    year = min(max(year, 1900), 2200)
    hours = hours_rows(calendar.hours, every_day=True)
    context: dict[str, Any] = {
        "calendar": calendar,
        "hours": hours,
        "year": year,
        "entries": year_entries(year, calendar),
        "coverage": _coverage_row(year_coverage(year)),
        "coverage_warnings": _coverage_messages(),
        "year_form": HolidayYearCompleteForm(),
        "day_form": CalendarDayForm(),
        "import_form": CalendarDayImportForm(),
        "deadline_form": DeadlineForm(request.GET if "hours" in request.GET else None),
        "deadline": None,
    }
    context.update(extra)
    form: DeadlineForm = context["deadline_form"]
    if form.is_bound and form.is_valid():
        try:
            context["deadline"] = services.work_calendar_deadline(
                code=calendar.code, start=form.cleaned_data["start"], hours=form.cleaned_data["hours"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
    return context


@login_required
@permission_required("workcalendar.view_workcalendar", raise_exception=True)
def calendar_detail(request: HttpRequest, code: str) -> HttpResponse:
    calendar = get_object_or_404(work_calendars_visible_to(request.user), code=code)
    context = _detail_context(request, calendar)
    status = form_status(context["deadline_form"]) if "hours" in request.GET else 200
    return render(request, "workcalendar/calendar_detail.html", context, status=status)


@login_required
@permission_required("workcalendar.add_workcalendar", raise_exception=True)
def calendar_create(request: HttpRequest) -> HttpResponse:
    form = WorkCalendarForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.changes()
        try:
            calendar = services.work_calendar_create(
                acting_user=request.user,
                code=form.cleaned_data["code"],
                name=data["name"],
                timezone=data["timezone"],
                hours=data["hours"],
                always_open=data["always_open"],
                use_chinese_holidays=data["use_chinese_holidays"],
            )
        except ValidationError as error:
            add_service_errors(form, error, label_of=_field_label)
        else:
            messages.success(request, _("Calendar %(calendar)s created.") % {"calendar": calendar})
            return redirect("workcalendar:detail", code=calendar.code)
    context = {"form": form, "calendar": None}
    return render(request, "workcalendar/calendar_form.html", context, status=form_status(form))


@login_required
@permission_required("workcalendar.change_workcalendar", raise_exception=True)
def calendar_edit(request: HttpRequest, code: str) -> HttpResponse:
    calendar = get_object_or_404(work_calendars_visible_to(request.user), code=code)
    form = WorkCalendarForm(request.POST or None, calendar=calendar)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.work_calendar_update(
                    calendar=calendar,
                    acting_user=request.user,
                    changes=form.changes(),
                    expected_version=form.cleaned_data.get("version"),
                )
            except VersionConflict as conflict:
                form.add_error(None, conflict.message)
                status = 409
            except ValidationError as error:
                add_service_errors(form, error, label_of=_field_label)
            else:
                messages.success(request, _("Changes saved."))
                return redirect("workcalendar:detail", code=code)
    return render(request, "workcalendar/calendar_form.html", {"form": form, "calendar": calendar}, status=status)


def _field_label(name: str) -> str:
    return str({"hours": _("working hours"), "timezone": _("timezone")}.get(name, name))


@login_required
@permission_required("workcalendar.add_calendarday", raise_exception=True)
@require_POST
def day_add(request: HttpRequest, code: str) -> HttpResponse:
    calendar = get_object_or_404(work_calendars_visible_to(request.user), code=code)
    form = CalendarDayForm(request.POST)
    if form.is_valid():
        try:
            entry = services.calendar_day_set(
                acting_user=request.user,
                day=form.cleaned_data["date"],
                kind=form.cleaned_data["kind"],
                name=form.cleaned_data["name"],
                calendar=calendar if form.cleaned_data["scope"] == SCOPE_CALENDAR else None,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(entry)s saved.") % {"entry": entry})
            return redirect(f"{reverse('workcalendar:detail', args=[code])}?year={entry.date.year}")
    context = _detail_context(request, calendar, day_form=form)
    return render(request, "workcalendar/calendar_detail.html", context, status=400)


@login_required
@permission_required("workcalendar.add_calendarday", raise_exception=True)
@require_POST
def days_import(request: HttpRequest, code: str) -> HttpResponse:
    calendar = get_object_or_404(work_calendars_visible_to(request.user), code=code)
    form = CalendarDayImportForm(request.POST, request.FILES)
    if form.is_valid():
        text = form.cleaned_data["text"] or ""
        upload = form.cleaned_data.get("file")
        if upload is not None:
            if upload.size > MAX_UPLOAD:
                form.add_error("file", _("The file is larger than 1 MB."))
            else:
                raw = upload.read()
                try:
                    text = raw.decode("utf-8-sig")
                except UnicodeDecodeError:
                    text = raw.decode("gb18030", errors="replace")
        if not form.errors:
            try:
                count = services.calendar_days_import(
                    acting_user=request.user,
                    text=text,
                    calendar=calendar if form.cleaned_data["scope"] == SCOPE_CALENDAR else None,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("%(count)s dates imported.") % {"count": count})
                return redirect("workcalendar:detail", code=code)
    context = _detail_context(request, calendar, import_form=form)
    return render(request, "workcalendar/calendar_detail.html", context, status=400)


@login_required
@permission_required("workcalendar.change_calendarday", raise_exception=True)
@require_POST
def day_remove(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    entry: CalendarDay = get_object_or_404(calendar_days_visible_to(request.user), pk=pk)
    services.calendar_day_remove(acting_user=request.user, entry=entry)
    messages.success(request, _("%(entry)s removed.") % {"entry": entry})
    return redirect(f"{reverse('workcalendar:detail', args=[code])}?year={entry.date.year}")


@login_required
@permission_required("workcalendar.change_holidayyear", raise_exception=True)
@require_POST
def year_mark_complete(request: HttpRequest, code: str, year: int) -> HttpResponse:
    """The national list of ``year`` is complete (shown on any calendar page; it is national)."""
    calendar = get_object_or_404(work_calendars_visible_to(request.user), code=code)
    form = HolidayYearCompleteForm(request.POST)
    if form.is_valid():
        try:
            services.holiday_year_mark_complete(
                acting_user=request.user, year=year, confirm_missing=form.cleaned_data["confirm_missing"]
            )
        except ValidationError as error:
            add_service_errors(form, error, label_of=lambda name: str(_("year")) if name == "year" else name)
        else:
            messages.success(request, _("The holiday list for %(year)s is marked complete.") % {"year": year})
            return redirect(f"{reverse('workcalendar:detail', args=[code])}?year={year}")
    context = _detail_context(request, calendar, year=year, year_form=form)
    return render(request, "workcalendar/calendar_detail.html", context, status=400)


@login_required
@permission_required("workcalendar.change_holidayyear", raise_exception=True)
@require_POST
def year_mark_incomplete(request: HttpRequest, code: str, year: int) -> HttpResponse:
    get_object_or_404(work_calendars_visible_to(request.user), code=code)
    try:
        services.holiday_year_mark_incomplete(acting_user=request.user, year=year)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The holiday list for %(year)s is no longer marked complete.") % {"year": year})
    return redirect(f"{reverse('workcalendar:detail', args=[code])}?year={year}")
