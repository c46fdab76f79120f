from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from workcalendar import services
from workcalendar.models import CalendarDay, HolidayYear, WorkCalendar


@admin.register(WorkCalendar)
class WorkCalendarAdmin(admin.ModelAdmin):
    """Read-mostly: edits go through the console pages (services validate and invalidate caches)."""

    list_display = ["code", "name", "timezone", "always_open", "use_chinese_holidays", "is_active", "version"]
    search_fields = ["code", "name"]
    readonly_fields = ["version", "created_at", "updated_at"]

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "name", "calendar", "is_active"]
    list_filter = ["kind", "is_active", "calendar"]
    date_hierarchy = "date"

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(HolidayYear)
class HolidayYearAdmin(admin.ModelAdmin):
    """Read-only rows; the actions mark or unmark through the services (festival check, caches,
    who and when). A year gets its row when it is first marked on a calendar page or by the API."""

    list_display = ["year", "is_complete", "marked_by", "marked_at", "confirmed_missing"]
    list_filter = ["is_complete"]
    actions = ["mark_complete", "mark_complete_confirmed", "mark_incomplete"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def _each(self, request: HttpRequest, queryset: QuerySet[HolidayYear], action: Any) -> None:
        for mark in queryset:
            try:
                action(mark.year)
            except (ValidationError, PermissionDenied) as error:
                text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
                self.message_user(request, f"{mark.year}: {text}", messages.ERROR)
            else:
                self.message_user(request, f"{mark.year}: {_('Changes saved.')}", messages.SUCCESS)

    @admin.action(description=_("Mark the list complete"))
    def mark_complete(self, request: HttpRequest, queryset: QuerySet[HolidayYear]) -> None:
        self._each(
            request, queryset, lambda year: services.holiday_year_mark_complete(acting_user=request.user, year=year)
        )

    @admin.action(description=_("Mark the list complete although festivals have no entry"))
    def mark_complete_confirmed(self, request: HttpRequest, queryset: QuerySet[HolidayYear]) -> None:
        self._each(
            request,
            queryset,
            lambda year: services.holiday_year_mark_complete(acting_user=request.user, year=year, confirm_missing=True),
        )

    @admin.action(description=_("Withdraw the mark"))
    def mark_incomplete(self, request: HttpRequest, queryset: QuerySet[HolidayYear]) -> None:
        self._each(
            request, queryset, lambda year: services.holiday_year_mark_incomplete(acting_user=request.user, year=year)
        )
