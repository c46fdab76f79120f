from django.contrib import admin

from network.models import ScoreThreshold


@admin.register(ScoreThreshold)
class ScoreThresholdAdmin(admin.ModelAdmin):
    list_display = ("figure", "direction", "limit", "is_active")
