from django.contrib import admin

from devices.models import Device


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    list_display = ("serial_number", "product_model", "customer", "purchased_on", "accepted_on", "unit")
    list_filter = ("product_model__category", "unit")
    search_fields = ("serial_number", "invoice_number", "customer__name")
    raw_id_fields = ("customer",)
    readonly_fields = ("qr_token", "version")
