from django.contrib import admin

from core.models import ChangeLogEntry, CoverageRegion, OrgUnit, SavedView, SynonymGroup, UserProfile


class CoverageRegionInline(admin.TabularInline):
    model = CoverageRegion
    extra = 0


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "parent", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name")
    inlines = [CoverageRegionInline]


@admin.register(UserProfile)
class UserProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "unit", "language", "phone")
    list_filter = ("unit", "language")
    search_fields = ("user__username", "user__first_name", "phone")
    autocomplete_fields = ("unit",)


@admin.register(ChangeLogEntry)
class ChangeLogEntryAdmin(admin.ModelAdmin):
    """Read-only: the change log is evidence, never edited."""

    list_display = ("at", "content_type", "object_repr", "action", "user", "request_id")
    list_filter = ("action", "content_type")
    search_fields = ("object_repr", "object_id", "request_id")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


admin.site.register(SavedView)


@admin.register(SynonymGroup)
class SynonymGroupAdmin(admin.ModelAdmin):
    list_display = ("terms", "note", "is_active")
    list_filter = ("is_active",)
    search_fields = ("terms",)
