from django.contrib import admin

from parts.models import Part, Warehouse


@admin.register(Part)
class PartAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "uom", "genuine", "status")
    search_fields = ("code", "name")


@admin.register(Warehouse)
class WarehouseAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "unit", "is_active")
    list_filter = ("kind",)
