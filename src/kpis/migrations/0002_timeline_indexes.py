"""Indexes the KPI engine needs on other apps' tables (EXPLAIN, docs/kpis.md): a period's
completions and ratings are found from the timeline by (to_status, at) and (kind, at); a
period's due targets from the order clocks by their due times. Plain SQL both SQLite and
PostgreSQL accept; dropped again on reverse."""

from django.db import migrations

INDEXES = [
    ("kpis_event_status_at", "workorders_timelineevent", "to_status, at"),
    ("kpis_event_kind_at", "workorders_timelineevent", "kind, at"),
    ("kpis_sla_response_due", "sla_orderservicelevel", "response_due"),
    ("kpis_sla_arrival_due", "sla_orderservicelevel", "arrival_due"),
    ("kpis_sla_resolution_due", "sla_orderservicelevel", "resolution_due"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("kpis", "0001_initial"),
        ("workorders", "0005_field_labels"),
        ("sla", "0003_field_labels"),
    ]

    operations = [
        migrations.RunSQL(
            sql=f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})",
            reverse_sql=f"DROP INDEX IF EXISTS {name}",
        )
        for name, table, columns in INDEXES
    ]
