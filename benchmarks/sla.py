#!/usr/bin/env python
"""SLA recompute benchmark: ``./dev bench sla [--orders 100000] [--database sqlite|postgres|both]
[--chunk 5000] [--keep]``.

What it measures (see benchmarks/README.md): the bulk recompute of every open order's SLA clocks
(``sla.services.sla_recompute_open``'s pieces) — read the terms and the timeline of each order,
compute deadlines, at-risk instants and states in business time (pauses added back), write them
back in bulk, and record the alerts of targets that newly became at risk or breached.

Setup (not timed): a fresh database (a temporary SQLite file, or the PostgreSQL database
``aftersales_bench_sla`` on 127.0.0.1, dropped and recreated), migrated; N open work orders made
with ``bulk_create`` over the three weeks around the 2026 National Day holiday, with their
timelines (created, accepted, often started, 0–3 pauses for parts or the customer, 10 % still
waiting) and their clocks as a run one hour earlier left them. Four levels are mixed: 48 h on
site (7×24), 4 h + 24 h (7×24), 2 h + 3 h from arrival (7×24) and 7 working days (09–12, 13–18
on working days minus holidays plus 调休).

Timed: load (2 queries per chunk), compute (pure), store (one executemany UPDATE per chunk of
the rows whose clocks changed),
alerts (one timeline event per changed target, through the real service). Results: a table on
stdout and JSON in benchmarks/results/sla-<timestamp>.json.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
RESULTS = ROOT / "benchmarks" / "results"
BENCH_DB = "aftersales_bench_sla"
SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 10, 14, 10, 0, tzinfo=SH)  # a week after National Day
MAX_ORDERS = 1_000_000
LEVELS = ("REPAIR-48H", "ONSITE-4H-24H", "BACKUP-2H-3H", "RESOLVE-7WD")


@dataclass
class RunResult:
    database: str
    orders: int
    events: int
    pauses: int
    chunk: int
    seconds: float
    orders_per_second: float
    split_seconds: dict[str, float] = field(default_factory=dict)
    pure_orders_per_second: float = 0.0
    alerts_written: int = 0
    rows_written: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    setup_seconds: float = 0.0
    load_average_before: float | None = None


def configure(database: str, var_dir: Path, args: argparse.Namespace) -> None:
    os.environ["VAR_DIR"] = str(var_dir)
    os.environ["DJANGO_SETTINGS_MODULE"] = "aftersales.settings.base"
    os.environ.pop("REDIS_URL", None)
    os.environ["LOG_LEVEL"] = "WARNING"
    os.environ["DEBUG"] = "0"  # as in production: no query log
    if database == "postgres":
        import psycopg

        dsn = f"host={args.pg_host} port={args.pg_port} user={args.pg_user} dbname=postgres connect_timeout=10"
        with psycopg.connect(dsn, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{BENCH_DB}"')
        os.environ["DATABASE_URL"] = f"postgres://{args.pg_user}@{args.pg_host}:{args.pg_port}/{BENCH_DB}"
    else:
        os.environ.pop("DATABASE_URL", None)
    sys.path.insert(0, str(SRC))
    import django

    django.setup()


def build(orders: int, seed: int) -> tuple[int, int]:
    """N open orders with timelines and clocks as of an hour ago. Returns (events, pauses)."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)

    from core.testing import build_org
    from customers.services import customer_create
    from sla import services
    from sla.models import OrderServiceLevel, ServiceLevel
    from workorders.models import TimelineEvent, WorkOrder

    rng = random.Random(seed)
    build_org()
    customers = [
        customer_create(acting_user=None, name="张三丰", phone="13800138000", address="浙江省杭州市西湖区文三路100号"),
        customer_create(acting_user=None, name="李四", phone="13900139000", address="北京市海淀区中关村大街1号"),
    ]
    levels = {level.code: level for level in ServiceLevel.objects.filter(code__in=LEVELS).select_related("calendar")}
    base = NOW - timedelta(days=21)
    work_orders: list[WorkOrder] = []
    plans: list[tuple[str, list[tuple[str, datetime, str, str]]]] = []
    pauses = 0
    for index in range(orders):
        submitted = base + timedelta(minutes=rng.randrange(0, 21 * 24 * 60 - 120))
        span = (NOW - submitted).total_seconds()
        t = submitted
        events = [("created", t, "", "submitted")]
        t += timedelta(seconds=rng.uniform(60, min(span * 0.1, 4 * 3600)))
        events.append(("accept", t, "submitted", "accepted"))
        status = "accepted"
        if rng.random() < 0.7:
            t += timedelta(seconds=rng.uniform(600, max(601, min((NOW - t).total_seconds() * 0.3, 2 * 86400))))
            events.append(("start", t, "accepted", "in_progress"))
            status = "in_progress"
            for _ in range(rng.choice((0, 1, 1, 2, 2, 3))):
                left = (NOW - t).total_seconds()
                if left < 7200:
                    break
                t += timedelta(seconds=rng.uniform(600, left * 0.3))
                events.append(("pause", t, "in_progress", "waiting"))
                pauses += 1
                status = "waiting"
                if rng.random() < 0.1:
                    break  # still waiting
                t += timedelta(seconds=rng.uniform(600, (NOW - t).total_seconds() * 0.4))
                events.append(("resume", t, "waiting", "in_progress"))
                status = "in_progress"
        customer = customers[index % 2]
        work_orders.append(
            WorkOrder(
                number=f"B-{index:07d}",
                status=status,
                service_type="repair",
                channel="api",
                customer=customer,
                applicant_name=customer.name,
                contact_phone=customer.phone,
                description="压测",
                submitted_at=submitted,
                accepted_at=events[1][1],
                unit_id=customer.unit_id,
                charge_type="free",
            )
        )
        plans.append((LEVELS[index % len(LEVELS)], events))
    WorkOrder.objects.bulk_create(work_orders, batch_size=2000)
    ids = list(WorkOrder.objects.filter(number__startswith="B-").order_by("number").values_list("pk", flat=True))
    timeline = [
        TimelineEvent(
            order_id=order_id, kind=kind, at=at, from_status=from_status, to_status=to_status, actor_label="bench"
        )
        for order_id, (_code, events) in zip(ids, plans, strict=True)
        for kind, at, from_status, to_status in events
    ]
    TimelineEvent.objects.bulk_create(timeline, batch_size=5000)
    rows = []
    for order_id, (code, _events) in zip(ids, plans, strict=True):
        level = levels[code]
        rows.append(
            OrderServiceLevel(
                order_id=order_id,
                level=level,
                calendar_code=level.calendar.code,
                response_hours=level.response_hours,
                arrival_hours=level.arrival_hours,
                resolution_hours=level.resolution_hours,
                resolution_from=level.resolution_from,
                at_risk_percent=level.at_risk_percent,
                backup_unit_on_miss=level.backup_unit_on_miss,
            )
        )
    OrderServiceLevel.objects.bulk_create(rows, batch_size=5000)
    # The clocks as the previous run (an hour ago) left them: states to compare with.
    row_ids = list(OrderServiceLevel.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(row_ids), 5000):
        result = services.sla_bulk_compute(
            services.sla_bulk_load(row_ids[start : start + 5000]), NOW - timedelta(hours=1)
        )
        services.sla_bulk_store(result)
    return len(timeline), pauses


def measure(chunk: int) -> tuple[float, dict[str, float], int, float, int]:
    from django.db import transaction
    from django.urls import get_resolver

    from sla import services
    from sla.models import OrderServiceLevel
    from workorders.choices import OPEN_STATUSES

    get_resolver().url_patterns  # noqa: B018 — warm-up: the URL conf loads once per process, not per alert
    # The setup's objects are not part of a real recompute process: keep the collector off them.
    gc.collect()
    gc.freeze()
    split = {"load": 0.0, "compute": 0.0, "store": 0.0, "alerts": 0.0}
    alerts = written = 0
    started = time.perf_counter()
    ids = list(
        OrderServiceLevel.objects.filter(order__status__in=OPEN_STATUSES).order_by("pk").values_list("pk", flat=True)
    )
    split["load"] += time.perf_counter() - started
    for start in range(0, len(ids), chunk):
        with transaction.atomic():
            t0 = time.perf_counter()
            loaded = services.sla_bulk_load(ids[start : start + chunk])
            t1 = time.perf_counter()
            result = services.sla_bulk_compute(loaded, NOW)
            t2 = time.perf_counter()
            written += services.sla_bulk_store(result)
            t3 = time.perf_counter()
            alerts += services.sla_bulk_alert(result, NOW)
            t4 = time.perf_counter()
        split["load"] += t1 - t0
        split["compute"] += t2 - t1
        split["store"] += t3 - t2
        split["alerts"] += t4 - t3
    total = time.perf_counter() - started
    return (
        total,
        {k: round(v, 2) for k, v in split.items()},
        alerts,
        len(ids) / split["compute"] if split["compute"] else 0.0,
        written,
    )


def run(database: str, args: argparse.Namespace) -> RunResult:
    with tempfile.TemporaryDirectory(prefix="bench-sla-") as var_dir:
        configure(database, Path(var_dir), args)
        load_before = os.getloadavg()[0]
        t0 = time.perf_counter()
        events, pauses = build(args.orders, args.seed)
        setup = time.perf_counter() - t0
        seconds, split, alerts, pure_rate, written = measure(args.chunk)
        from django.db.models import Count

        from sla.models import OrderServiceLevel

        statuses = dict(OrderServiceLevel.objects.values_list("status").annotate(n=Count("pk")).order_by("status"))
        return RunResult(
            database=database,
            orders=args.orders,
            events=events,
            pauses=pauses,
            chunk=args.chunk,
            seconds=round(seconds, 2),
            orders_per_second=round(args.orders / seconds, 1),
            split_seconds=split,
            pure_orders_per_second=round(pure_rate, 1),
            alerts_written=alerts,
            rows_written=written,
            statuses=statuses,
            setup_seconds=round(setup, 1),
            load_average_before=round(load_before, 2),
        )


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="./dev bench sla", description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--chunk", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=20261014)
    parser.add_argument("--pg-host", default="127.0.0.1")
    parser.add_argument("--pg-port", default="5432")
    parser.add_argument("--pg-user", default="postgres")
    args = parser.parse_args(argv)
    if not 1 <= args.orders <= MAX_ORDERS:
        parser.error(f"--orders must be 1…{MAX_ORDERS}")
    if args.pg_host not in {"127.0.0.1", "localhost", "::1"}:
        parser.error("benchmarks only talk to 127.0.0.1")
    return args


def main(argv: list[str]) -> int:
    args = parse(argv)
    result = run(args.database, args)
    print(f"SLA recompute · {result.database} · {result.orders:,} open orders · {result.events:,} events")
    print(f"  total     {result.seconds:8.2f} s   {result.orders_per_second:>10,.0f} orders/s")
    for name, seconds in result.split_seconds.items():
        print(f"  {name:<9} {seconds:8.2f} s")
    print(f"  pure compute alone: {result.pure_orders_per_second:,.0f} orders/s")
    print(f"  rows written: {result.rows_written:,} (unchanged rows are skipped)")
    print(f"  alerts written: {result.alerts_written}   statuses: {result.statuses}")
    print(f"  setup (not timed): {result.setup_seconds} s   load average before: {result.load_average_before}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    out = RESULTS / f"sla-{stamp}.json"
    payload = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count()}, "run": asdict(result)}
    out.write_text(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
    print(f"  → {out.relative_to(ROOT)}")
    return 0 if result.seconds < 10 or result.orders < 100_000 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
