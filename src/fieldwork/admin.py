"""Admin: the code of conduct is edited here (it is data); the visit records are read-only
(they are written by fieldwork.services, with the timeline)."""

from typing import Any

from django.contrib import admin

from fieldwork.models import CheckIn, ChecklistItem, CustomerSignature, RepairLogEntry, ServiceReport


@admin.register(ChecklistItem)
class ChecklistItemAdmin(admin.ModelAdmin):
    list_display = ["position", "code", "label", "label_en", "is_active"]
    list_editable = ["label", "label_en", "is_active"]
    list_display_links = ["code"]
    ordering = ["position", "id"]

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False  # retire an item (active off): past checklists keep pointing at it


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(CheckIn)
class CheckInAdmin(ReadOnlyAdmin):
    list_display = ["order", "technician", "visit_key", "at"]


@admin.register(RepairLogEntry)
class RepairLogEntryAdmin(ReadOnlyAdmin):
    list_display = ["order", "at", "author", "text"]


@admin.register(CustomerSignature)
class CustomerSignatureAdmin(ReadOnlyAdmin):
    list_display = ["order", "signer_name", "at", "captured_by"]


@admin.register(ServiceReport)
class ServiceReportAdmin(ReadOnlyAdmin):
    list_display = ["number", "order", "generated_at", "generated_by"]
