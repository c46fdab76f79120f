from django.contrib import admin

from workorders.models import Attachment, MaterialLine, TimelineEvent, WorkOrder


class TimelineInline(admin.TabularInline):
    model = TimelineEvent
    extra = 0
    can_delete = False
    readonly_fields = ("kind", "at", "actor_label", "from_status", "to_status", "note", "data")

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


class MaterialInline(admin.TabularInline):
    model = MaterialLine
    extra = 0


@admin.register(WorkOrder)
class WorkOrderAdmin(admin.ModelAdmin):
    """Status is read-only here: state changes go through the console or the API (the services)."""

    list_display = ("number", "status", "service_type", "channel", "customer", "unit", "submitted_at")
    list_filter = ("status", "service_type", "channel", "urgency", "unit")
    search_fields = ("number", "search_text")
    raw_id_fields = ("customer", "device", "technician", "accepted_by", "created_by")
    readonly_fields = ("number", "status", "version", "submitted_at")
    inlines = [MaterialInline, TimelineInline]


admin.site.register(Attachment)
