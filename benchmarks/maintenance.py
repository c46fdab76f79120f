#!/usr/bin/env python
"""Maintenance benchmark (issue 14): ``./dev bench maintenance [--devices 100000] [--plan-size 1000]
[--workers 1] [--keep]``.

What it measures (see benchmarks/README.md), on a fresh PostgreSQL database
``aftersales_maintbench`` (dropped and recreated, migrated; dropped at the end unless ``--keep``):
the generation of one year of quarterly inspection orders for N devices — plans of
``--plan-size`` devices each, every plan's ``maintenance.services.plan_generate`` up to one year
after its start (4 occurrences per device: N × 4 work orders, each through
``workorders.services.workorder_create``) — the first run's time, then the same run repeated,
which must create 0 (the occurrence constraint; the repeat only reads). ``--workers 2`` runs the
first generation in two processes at once over the same plans (each occurrence still once).

Setup (not timed): one customer and device made through the services serve as templates; the
customers (one per 20 devices) and devices are copied with ``INSERT … SELECT … generate_series``
(``pgcopy.clone``), the plans made through ``plan_create`` and their device lists inserted in SQL.
Results: a table on stdout and JSON in benchmarks/results/maintenance-<timestamp>.json.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import sys
import tempfile
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))

import intake  # the benchmarks' shared PostgreSQL helpers
import pgcopy  # fresh database, rows copied from templates in chunks

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
BENCH_DB = "aftersales_maintbench"
SH = ZoneInfo("Asia/Shanghai")
STARTS_ON = date(2027, 1, 31)  # a month end: the quarters clamp to 30 Apr, 31 Jul, 31 Oct
UNTIL = date(2028, 1, 30)  # one year: 4 occurrences per device
NOW = datetime(2027, 1, 20, 9, 0, tzinfo=SH)


def _say(message: str) -> None:
    print(f"[{datetime.now().strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _freeze_clock() -> None:
    from django.utils import timezone

    timezone.now = lambda: NOW  # type: ignore[assignment]  # the plans' "today" (generation reaches a year ahead)


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
    from maintenance.models import ChecklistTemplate, MaintenancePlan
    from maintenance.services import plan_create

    started = time.perf_counter()
    build_org()
    category = product_category_create(acting_user=None, code="SORTER", name="清分机", warranty_months=36)
    model = product_model_create(acting_user=None, code="JL-2000", name="JL-2000 清分机", category=category)
    customer = customer_create(
        acting_user=None,
        name="模板银行支行",
        phone="057188880000",
        kind="organisation",
        address="浙江省杭州市西湖区文三路100号",
    )
    device = device_create(acting_user=None, customer=customer, product_model=model, serial_number="QF0000000000")
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.14)")
    customers = max(args.devices // 20, 1)
    pgcopy.clone(
        Customer,
        customer.pk,
        customers - 1,
        {"name": "'银行支行' || g", "phone": "'0571' || lpad(g::text, 8, '0')", "search_text": "'银行支行' || g"},
    )
    cmin, cmax = pgcopy.id_range("customers_customer")
    pgcopy.clone(
        Device,
        device.pk,
        args.devices - 1,
        {
            "customer_id": f"{cmin} + (g % {cmax - cmin + 1})",
            "serial_number": "'QF' || lpad(g::text, 10, '0')",
            "qr_token": "md5('qr' || g)",
            "search_text": "''",
        },
    )
    dmin, dmax = pgcopy.id_range("devices_device")
    checklist = ChecklistTemplate.objects.get(code="cash-sorter-inspection")
    plans = []
    for index, first in enumerate(range(dmin, dmax + 1, args.plan_size)):
        plan = plan_create(
            acting_user=None,
            name=f"清分机季度巡检 {index + 1:04d}",
            service_type="inspection",
            interval_months=3,
            starts_on=STARTS_ON,
            devices=[first],
            checklist=checklist,
            non_working="earlier",
        )
        last = min(first + args.plan_size - 1, dmax)
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO maintenance_maintenanceplan_devices (maintenanceplan_id, device_id) "
                "SELECT %s, g FROM generate_series(%s, %s) g ON CONFLICT DO NOTHING",
                [plan.pk, first + 1, last],
            )
        plans.append(plan.pk)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {
        "devices": dmax - dmin + 1,
        "customers": cmax - cmin + 1,
        "plans": MaintenancePlan.objects.count(),
        "plan_ids": plans,
        "setup_seconds": round(time.perf_counter() - started, 1),
    }


def prefill() -> dict[str, Any]:
    """The first year's occurrences and orders written in SQL, not through the services
    (``--prefill``: to time the repeat run at a scale the first run would take hours for): one
    template order is made by ``workorder_create``, the rest copied from it, one per occurrence."""
    from django.db import connection

    from devices.models import Device
    from maintenance.schedule import fixed_occurrences
    from workorders.models import WorkOrder
    from workorders.services import workorder_create

    started = time.perf_counter()
    dues = [due for _k, due in fixed_occurrences(STARTS_ON, UNTIL, interval_months=3, interval_days=None)]
    values = ", ".join(f"({k}, date '{due.isoformat()}')" for k, due in enumerate(dues))
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO maintenance_occurrence (plan_id, device_id, sequence, due_on, planned_on, created_at) "
            f"SELECT pd.maintenanceplan_id, pd.device_id, v.k, v.due, v.due, now() "
            f"FROM maintenance_maintenanceplan_devices pd CROSS JOIN (VALUES {values}) v(k, due)"
        )
    device = Device.objects.select_related("customer").order_by("pk").first()
    assert device is not None
    template = workorder_create(
        acting_user=None,
        customer=device.customer,
        device=device,
        service_type="inspection",
        channel="api",
        description="清分机季度巡检（批量写入）",
    )
    from maintenance.models import Occurrence

    pgcopy.clone(
        WorkOrder,
        template.pk,
        Occurrence.objects.count(),  # one statement: the source gives g (the occurrence's id)
        {
            "number": "'PM' || lpad(g::text, 10, '0')",
            "device_id": "d.id",
            "customer_id": "d.customer_id",
            "reported_serial": "d.serial_number",
        },
        source="(SELECT id AS g, device_id FROM maintenance_occurrence) o JOIN devices_device d ON d.id = o.device_id",
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE maintenance_occurrence o SET work_order_id = w.id FROM workorders_workorder w "
            "WHERE w.number = 'PM' || lpad(o.id::text, 10, '0')"
        )
        cursor.execute("DELETE FROM workorders_timelineevent WHERE order_id = %s", [template.pk])
        cursor.execute("DELETE FROM workorders_workorder WHERE id = %s", [template.pk])
        cursor.execute("ANALYZE")
    return {"prefill_seconds": round(time.perf_counter() - started, 1)}


def generate_all(plan_ids: list[int]) -> int:
    from maintenance.models import MaintenancePlan
    from maintenance.services import plan_generate

    created = 0
    for plan in MaintenancePlan.objects.filter(pk__in=plan_ids).order_by("pk"):
        created += plan_generate(plan=plan, until=UNTIL)
    return created


def _worker(args: argparse.Namespace, var_dir: str, plan_ids: list[int], queue: Any) -> None:
    pgcopy.configure(args, Path(var_dir), BENCH_DB, recreate=False)
    _freeze_clock()
    queue.put(generate_all(plan_ids))


def run(args: argparse.Namespace, var_dir: str, plan_ids: list[int]) -> dict[str, Any]:
    from django.db import connections

    from maintenance.models import Occurrence
    from workorders.models import WorkOrder

    started = time.perf_counter()
    if args.prefill:
        first, counts = Occurrence.objects.count(), []
    elif args.workers > 1:
        connections.close_all()
        context = multiprocessing.get_context("spawn")
        queue = context.Queue()
        processes = [
            context.Process(target=_worker, args=(args, var_dir, plan_ids, queue)) for _ in range(args.workers)
        ]
        for process in processes:
            process.start()
        counts = [queue.get() for _ in processes]
        for process in processes:
            process.join()
        first = sum(counts)
    else:
        counts = [generate_all(plan_ids)]
        first = counts[0]
    first_seconds = 0.0 if args.prefill else time.perf_counter() - started
    _say(f"first run: {first:,} orders in {first_seconds:.1f} s; repeat")
    started = time.perf_counter()
    repeat = generate_all(plan_ids)
    repeat_seconds = time.perf_counter() - started
    occurrences = Occurrence.objects.count()
    orders = WorkOrder.objects.count()
    return {
        "first_created": first,
        "created_per_worker": counts,
        "first_seconds": round(first_seconds, 2),
        "orders_per_second": round(first / first_seconds, 1) if first_seconds else None,
        "first_run": "prefilled in SQL (not timed)" if args.prefill else "plan_generate",
        "repeat_created": repeat,
        "repeat_seconds": round(repeat_seconds, 2),
        "occurrences": occurrences,
        "work_orders": orders,
        "ok": repeat == 0 and occurrences == first == orders,
    }


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--devices", type=int, default=100_000)
    parser.add_argument("--plan-size", type=int, default=1000, help="devices per plan")
    parser.add_argument("--workers", type=int, default=1, help="processes generating at once (first run)")
    parser.add_argument("--prefill", action="store_true", help="write the first year in SQL; time only the repeat run")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--pg-host", default="127.0.0.1")
    parser.add_argument("--pg-port", default="5432")
    parser.add_argument("--pg-user", default="postgres")
    args = parser.parse_args(argv)
    if not 10 <= args.devices <= 1_000_000:
        parser.error("--devices must be 10…1,000,000")
    if not 1 <= args.workers <= 8:
        parser.error("--workers must be 1…8")
    if args.pg_host not in intake.LOCAL_HOSTS:
        parser.error("benchmarks only talk to 127.0.0.1")
    return args


def main(argv: list[str]) -> int:
    args = parse(argv)
    with tempfile.TemporaryDirectory(prefix="maintbench-") as var_dir:
        pgcopy.configure(args, Path(var_dir), BENCH_DB)
        _freeze_clock()
        try:
            data = build(args)
            _say(f"setup done ({data['setup_seconds']} s); generating")
            if args.prefill:
                data.update(prefill())
                _say(f"prefilled in SQL ({data['prefill_seconds']} s); repeat run")
            result = run(args, var_dir, data.pop("plan_ids"))
        finally:
            if not args.keep:
                from django.db import connections

                connections.close_all()
                intake.drop_pg_database(args)
    print(
        f"Maintenance · PostgreSQL · {data['devices']:,} devices · {data['plans']:,} quarterly plans · "
        f"one year (setup {data['setup_seconds']} s, not timed) · workers {args.workers}"
    )
    print(f"  {'step':<28} {'seconds':>9}  result")
    print(
        f"  {'first generation':<28} {result['first_seconds']:>9.2f}  created {result['first_created']:,} "
        f"({result['orders_per_second']} orders/s)"
    )
    print(f"  {'repeat generation':<28} {result['repeat_seconds']:>9.2f}  created {result['repeat_created']:,}")
    print(f"  ok: {result['ok']}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"maintenance-{datetime.now().strftime('%Y%m%d-%H%M%S')}.json"
    record = {
        "bench": "maintenance",
        "commit": intake.git_commit(),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "args": {k: v for k, v in vars(args).items() if not k.startswith("pg_")},
        "data": data,
        "result": result,
    }
    path.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n")
    print(f"  results: {path.relative_to(ROOT)}")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
