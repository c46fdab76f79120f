from django.contrib import admin

from policies.models import Contract, WarrantyDecisionRecord, WarrantyPolicy


@admin.register(WarrantyPolicy)
class WarrantyPolicyAdmin(admin.ModelAdmin):
    """Read-only here: a change is a new version (console or API), never an edit of an old one."""

    list_display = ("name", "category", "product_model", "effective_from", "revision", "unit_months")
    list_filter = ("category",)

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = ("number", "kind", "customer", "starts_on", "ends_on", "price", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("number", "customer__name")
    readonly_fields = ("version",)


@admin.register(WarrantyDecisionRecord)
class WarrantyDecisionRecordAdmin(admin.ModelAdmin):
    list_display = ("id", "order", "device", "trigger", "status", "coverage", "policy_revision", "created_at")
    list_filter = ("trigger", "coverage")

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
