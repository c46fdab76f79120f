from django.contrib import admin

from claims.models import Claim, ClaimEvidence, ClaimRule, ClaimRuleSet


class ClaimRuleInline(admin.TabularInline):
    model = ClaimRule
    extra = 0
    fields = ("position", "kind", "code", "question", "expected", "text_zh", "text_en")


@admin.register(ClaimRuleSet)
class ClaimRuleSetAdmin(admin.ModelAdmin):
    list_display = ("code", "version", "name", "effective_from", "payout_ratio", "is_active")
    list_filter = ("code", "is_active")
    inlines = [ClaimRuleInline]


class ClaimEvidenceInline(admin.TabularInline):
    model = ClaimEvidence
    extra = 0
    readonly_fields = ("kind", "file", "original_name", "content_type", "size", "uploaded_by")


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    list_display = ("number", "customer", "status", "outcome", "claimed_amount", "payable_amount", "unit")
    list_filter = ("status", "outcome", "unit")
    search_fields = ("number", "customer__name")
    raw_id_fields = ("customer", "device", "work_order")
    readonly_fields = ("decision", "version")
    inlines = [ClaimEvidenceInline]
