#!/usr/bin/env python
"""Follow-up benchmark (issue 13): ``./dev bench followup [--customers 1000000] [--devices 1000000]
[--orders 3000000] [--weekly] [--keep]``.

What it measures (see benchmarks/README.md), on a fresh PostgreSQL database
``aftersales_followbench`` (dropped and recreated, migrated; dropped at the end unless ``--keep``):

(a) the daily customer-care run (``followup.care.care_run``, what ``care_run_task`` calls) over
    N customers on a fixed Friday, 10:00 Asia/Shanghai: its time and the messages it queued; then
    the same run repeated at once, which must queue 0 (the run is idempotent).
(b) the quality early-warning job (``followup.quality.quality_warning_scan``, what
    ``quality_warning_task`` calls) over the devices and work orders: its time, beside a plain
    ``GROUP BY`` of the window's quality failures per product model in the same run (the
    baseline); every stored warning's count must equal the GROUP BY's count for its model.

Setup (not timed): one customer, device and work order made through the services serve as
templates; the rest are copied from them with ``INSERT … SELECT … FROM generate_series`` in
PostgreSQL itself (varied columns: names, phones, e-mail on two in three, birthdays on eight in
ten spread over the year, 2 % inactive, 3 % opted out of all care and 2 % of e-mail; devices over
24 product models with a skewed share and purchase dates over four years; orders over the last
210 days, 70 % repairs of which 35 % quality faults, completed; two models get a burst of
quality failures in the last 30 days so the warning has something to find).
Results: a table on stdout and JSON in benchmarks/results/followup-<timestamp>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))

import intake  # the benchmarks' shared PostgreSQL helpers
import pgcopy  # fresh database, rows copied from templates in chunks

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
RESULTS = ROOT / "benchmarks" / "results"
BENCH_DB = "aftersales_followbench"
SH = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 12, 4)  # a Friday: the weekly "fri-followup" rule fires with --weekly
NOW = datetime(2026, 12, 4, 10, 0, tzinfo=SH)
MODELS = 24
BURST_MODELS = (5, 11)  # indexes into the model list: their last 30 days get extra quality failures


def configure(args: argparse.Namespace, var_dir: Path) -> None:
    pgcopy.configure(args, var_dir, BENCH_DB)


def _drop_plain_indexes(tables: list[str]) -> list[str]:
    """Drop the indexes of ``tables`` that back no constraint (primary keys, unique and foreign
    key constraints stay), so the bulk load does not maintain them row by row; returns their
    definitions for ``_recreate_indexes``."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i "
            "WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s) "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = "
            "(quote_ident(i.schemaname) || '.' || quote_ident(i.indexname))::regclass)",
            [tables],
        )
        found = cursor.fetchall()
        for name, _definition in found:
            cursor.execute(f'DROP INDEX "{name}"')
    return [definition for _name, definition in found]


def _recreate_indexes(definitions: list[str]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '256MB'")
        for definition in definitions:
            cursor.execute(definition)


def _say(message: str) -> None:
    """Progress on stderr (the setup of the full scale takes minutes)."""
    print(f"[{datetime.now().strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _ids_mod(low: int, high: int) -> list[int]:
    return [pk for pk in range(low, high + 1) if pk % 100 < 5]


def build(args: argparse.Namespace) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)

    from catalog.services import product_category_create, product_model_create
    from core.testing import build_org
    from customers.models import Customer
    from customers.services import customer_create
    from devices.models import Device
    from devices.services import device_create
    from followup.models import CareOptOut, CareRule
    from workorders.models import WorkOrder
    from workorders.services import workorder_create

    started = time.perf_counter()
    build_org()
    category = product_category_create(acting_user=None, code="EBIKE", name="电动自行车", warranty_months=12)
    models = [
        product_model_create(acting_user=None, code=f"TDR-{i:02d}", name=f"TDR 车型 {i:02d}", category=category)
        for i in range(MODELS)
    ]
    customer = customer_create(
        acting_user=None, name="模板客户", phone="13800138000", address="浙江省杭州市西湖区文三路100号"
    )
    device = device_create(
        acting_user=None,
        customer=customer,
        product_model=models[0],
        serial_number="TPL000000000",
        purchased_on=DAY - timedelta(days=400),
    )
    order = workorder_create(
        acting_user=None,
        customer=customer,
        device=device,
        service_type="repair",
        channel="phone",
        description="模板工单",
        submitted_at=NOW - timedelta(days=300),
    )
    WorkOrder.objects.filter(pk=order.pk).update(status="completed", fault_cause="misuse", completed_at=NOW)
    if args.weekly:
        CareRule.objects.filter(code="fri-followup").update(is_active=True)
    model_ids = [m.pk for m in models]
    # The big tables' plain indexes are dropped for the load and rebuilt after it (then ANALYZE),
    # so the measured runs see the indexes a real database has, built once rather than row by row.
    _say("templates made; loading customers")
    dropped = _drop_plain_indexes(["customers_customer", "devices_device", "workorders_workorder"])
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.42)")
    # Customers: the template is one of them.
    n = args.customers - 1
    pgcopy.clone(
        Customer,
        customer.pk,
        n,
        {
            "name": "'客户' || g",
            "phone": "'139' || lpad(g::text, 8, '0')",
            "email": "CASE WHEN g % 3 = 0 THEN '' ELSE 'c' || g || '@example.com' END",
            "birthday": "CASE WHEN g % 10 < 8 THEN date '1950-01-01' + ((g::bigint * 7919) % 20000)::int END",
            "is_active": "g % 50 <> 0",
            "search_text": "'客户' || g",
        },
    )
    cmin, cmax = pgcopy.id_range("customers_customer")
    _say(f"customers loaded ({cmax - cmin + 1:,}); devices")
    ncust = cmax - cmin + 1
    # Opt-outs: 3 % of all care, 2 % of e-mail only (bulk_create: a few ten thousand rows).
    CareOptOut.objects.bulk_create(
        [
            CareOptOut(customer_id=pk, channel="" if pk % 100 < 3 else "email", reason="bench")
            for pk in _ids_mod(cmin, cmax)
        ],
        batch_size=5000,
    )
    # Devices: a skewed share per model (model i ~ the square of a uniform), purchases over 4 years.
    models_array = "ARRAY[" + ",".join(str(pk) for pk in model_ids) + "]"
    pgcopy.clone(
        Device,
        device.pk,
        args.devices - 1,
        {
            "customer_id": f"{cmin} + floor(random() * {ncust})::int",
            "product_model_id": f"({models_array})[1 + floor(power(random(), 2) * {MODELS})::int]",
            "serial_number": "'B' || lpad((g % 400)::text, 5, '0') || lpad(g::text, 10, '0')",
            "purchased_on": f"date '{DAY.isoformat()}' - floor(random() * 1460)::int",
            "qr_token": "md5('qr' || g)",
            "search_text": "''",
        },
    )
    dmin, dmax = pgcopy.id_range("devices_device")
    _say(f"devices loaded ({dmax - dmin + 1:,}); orders")
    ndev = dmax - dmin + 1
    faults = "(ARRAY['misuse','water','drop','collision','wear','unknown'])[1 + floor(random() * 6)::int]"
    order_columns = {
        "number": "'WB' || lpad(g::text, 10, '0')",
        "customer_id": "d.customer_id",
        "device_id": "d.id",
        "product_model_id": "d.product_model_id",
        "reported_serial": "d.serial_number",
        "service_type": "CASE WHEN s.r < 0.7 THEN 'repair' WHEN s.r < 0.85 THEN 'maintenance' ELSE 'inspection' END",
        "fault_cause": f"CASE WHEN s.r < 0.245 THEN 'quality' WHEN s.r < 0.7 THEN {faults} ELSE '' END",
        "submitted_at": f"timestamptz '{NOW.isoformat()}' - s.age",
        "completed_at": f"timestamptz '{NOW.isoformat()}' - s.age + interval '2 days'",
    }
    order_source = (
        "(SELECT g, random() AS r, random() * interval '210 days' AS age, "
        f"{dmin} + floor(random() * {ndev})::int AS did FROM generate_series({{first}}, {{last}}) g) s "
        "JOIN devices_device d ON d.id = s.did"
    )
    available = {f.column for f in WorkOrder._meta.concrete_fields}
    order_columns = {k: v for k, v in order_columns.items() if k in available}
    pgcopy.clone(WorkOrder, order.pk, args.orders - 1, order_columns, source=order_source)
    # The burst: 0.5 % more orders, quality failures in the last 30 days on two models' devices.
    burst = max(30, args.orders // 200)
    burst_ids = ",".join(str(model_ids[i]) for i in BURST_MODELS)
    burst_source = (
        "(SELECT row_number() OVER () AS g, 0.0 AS r, random() * interval '29 days' AS age, x.id AS did "
        f"FROM (SELECT id FROM devices_device WHERE product_model_id IN ({burst_ids}) "
        f"ORDER BY random() LIMIT {burst}) x) s JOIN devices_device d ON d.id = s.did"
    )
    burst_columns = {**order_columns, "number": "'WX' || lpad(g::text, 10, '0')"}
    pgcopy.clone(WorkOrder, order.pk, burst, burst_columns, source=burst_source)
    loaded = time.perf_counter()
    _say(f"orders loaded; rebuilding {len(dropped)} indexes")
    _recreate_indexes(dropped)
    indexed = time.perf_counter()
    _say("indexes rebuilt; ANALYZE")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("SELECT count(*) FROM workorders_workorder")
        orders = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM followup_careoptout")
        opt_outs = cursor.fetchone()[0]
    return {
        "customers": ncust,
        "devices": ndev,
        "orders": orders,
        "burst_orders": burst,
        "opt_outs": opt_outs,
        "models": MODELS,
        "burst_models": [models[i].code for i in BURST_MODELS],
        "weekly_rule": bool(args.weekly),
        "indexes_rebuilt": len(dropped),
        "load_seconds": round(loaded - started, 2),
        "index_seconds": round(indexed - loaded, 2),
        "setup_seconds": round(time.perf_counter() - started, 2),
    }


def outbox_count() -> int:
    from notify.models import OutboxMessage

    return OutboxMessage.objects.count()


def run_care() -> dict[str, Any]:
    from django.db.models import Count

    from followup.care import care_run
    from followup.models import CareDelivery

    before = outbox_count()
    started = time.perf_counter()
    first = care_run(day=DAY, now=NOW)
    first_seconds = time.perf_counter() - started
    middle = outbox_count()
    started = time.perf_counter()
    second = care_run(day=DAY, now=NOW)
    second_seconds = time.perf_counter() - started
    after = outbox_count()
    by_status = dict(CareDelivery.objects.filter(day=DAY).values_list("status").annotate(n=Count("id")))
    ok = second["queued"] == 0 and after == middle and first["queued"] > 0
    return {
        "first": first,
        "first_seconds": round(first_seconds, 3),
        "outbox_rows_first": middle - before,
        "repeat": second,
        "repeat_seconds": round(second_seconds, 3),
        "outbox_rows_repeat": after - middle,
        "care_log": by_status,
        "ok": ok,
    }


GROUP_BY_SQL = """
SELECT d.product_model_id, count(*)
FROM workorders_workorder w JOIN devices_device d ON d.id = w.device_id
WHERE w.service_type = 'repair' AND w.fault_cause = 'quality'
  AND w.submitted_at >= %s AND w.submitted_at < %s
GROUP BY d.product_model_id
"""


def run_quality() -> dict[str, Any]:
    from django.db import connection

    from followup.models import QualityWarning
    from followup.quality import quality_warning_scan

    started = time.perf_counter()
    raised = quality_warning_scan(today=DAY)
    scan_seconds = time.perf_counter() - started
    window_start = DAY - timedelta(days=29)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            GROUP_BY_SQL,
            [
                datetime.combine(window_start, datetime.min.time(), tzinfo=SH),
                datetime.combine(DAY + timedelta(days=1), datetime.min.time(), tzinfo=SH),
            ],
        )
        grouped = dict(cursor.fetchall())
    group_seconds = time.perf_counter() - started
    warnings = list(QualityWarning.objects.filter(window_end=DAY).select_related("product_model"))
    mismatches = [
        w.product_model.code
        for w in warnings
        if w.observed != grouped.get(w.product_model_id) or w.devices_in_service <= 0
    ]
    repeat = quality_warning_scan(today=DAY)
    return {
        "scan_seconds": round(scan_seconds, 3),
        "group_by_seconds": round(group_seconds, 3),
        "ratio": round(scan_seconds / group_seconds, 2) if group_seconds else None,
        "warnings_raised": raised,
        "warnings": [
            {
                "model": w.product_model.code,
                "observed": w.observed,
                "group_by": grouped.get(w.product_model_id),
                "expected": round(w.expected, 2),
                "devices": w.devices_in_service,
                "p_value": w.p_value,
            }
            for w in warnings
        ],
        "models_with_failures": len(grouped),
        "repeat_raised": repeat,
        "ok": not mismatches and raised == len(warnings) and raised > 0 and repeat == 0,
        "mismatches": mismatches,
    }


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--devices", type=int, default=1_000_000)
    parser.add_argument("--orders", type=int, default=3_000_000)
    parser.add_argument("--weekly", action="store_true", help="turn on the Friday weekly rule (every customer)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--pg-host", default="127.0.0.1")
    parser.add_argument("--pg-port", default="5432")
    parser.add_argument("--pg-user", default="postgres")
    args = parser.parse_args(argv)
    for name in ("customers", "devices", "orders"):
        if not 100 <= getattr(args, name) <= 5_000_000:
            parser.error(f"--{name} must be 100…5,000,000")
    if args.pg_host not in intake.LOCAL_HOSTS:
        parser.error("benchmarks only talk to 127.0.0.1")
    return args


def git_commit() -> str | None:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def main(argv: list[str]) -> int:
    args = parse(argv)
    with tempfile.TemporaryDirectory(prefix="followbench-") as var_dir:
        configure(args, Path(var_dir))
        try:
            data = build(args)
            _say("setup done; care run")
            care = run_care()
            _say("care runs done; quality early warning")
            quality = run_quality()
        finally:
            if not args.keep:
                from django.db import connections

                connections.close_all()
                intake.drop_pg_database(args)
    c1, c2 = care["first"], care["repeat"]
    print(
        f"Follow-up · PostgreSQL · {data['customers']:,} customers · {data['devices']:,} devices · "
        f"{data['orders']:,} orders (setup {data['setup_seconds']} s, not timed)"
    )
    print(f"  {'step':<34} {'seconds':>9}  result")
    print(f"  {'care run':<34} {care['first_seconds']:>9.2f}  queued {c1['queued']:,}, skipped {c1['skipped']:,}")
    print(
        f"  {'care run repeated':<34} {care['repeat_seconds']:>9.2f}  queued {c2['queued']:,}, "
        f"outbox rows added {care['outbox_rows_repeat']}"
    )
    print(
        f"  {'quality early warning':<34} {quality['scan_seconds']:>9.2f}  {quality['warnings_raised']} warnings "
        f"({', '.join(w['model'] + ' ' + str(w['observed']) for w in quality['warnings'])})"
    )
    print(
        f"  {'GROUP BY failures per model':<34} {quality['group_by_seconds']:>9.2f}  "
        f"{quality['models_with_failures']} models (scan/GROUP BY = {quality['ratio']})"
    )
    print(
        f"  checks: care idempotent {'OK' if care['ok'] else 'FAILED'}, "
        f"warning counts {'OK' if quality['ok'] else 'FAILED'}"
    )
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"followup-{datetime.now().strftime('%Y%m%d-%H%M%S')}.json"
    payload = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "load": os.getloadavg()},
        "commit": git_commit(),
        "day": DAY.isoformat(),
        "data": data,
        "care": care,
        "quality": quality,
    }
    out.write_text(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
    print(f"  → {out.relative_to(ROOT)}")
    return 0 if care["ok"] and quality["ok"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
