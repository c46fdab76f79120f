from django.contrib import admin

from workcalendar.models import CalendarDay, WorkCalendar


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
