"""The default scorecard thresholds (data; the director changes them in the admin)."""

from decimal import Decimal

from django.db import migrations

DEFAULTS = [
    ("first_time_fix_rate", "min", Decimal("0.80")),
    ("onsite_in_time_rate", "min", Decimal("0.85")),
    ("satisfaction_rate", "min", Decimal("0.90")),
    ("repeat_repair_rate", "max", Decimal("0.10")),
    ("complaint_rate", "max", Decimal("0.05")),
    ("return_compliance", "min", Decimal("0.90")),
]


def install(apps, schema_editor):
    threshold = apps.get_model("network", "ScoreThreshold")
    for figure, direction, limit in DEFAULTS:
        threshold.objects.get_or_create(figure=figure, defaults={"direction": direction, "limit": limit})


class Migration(migrations.Migration):
    dependencies = [("network", "0001_initial")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
