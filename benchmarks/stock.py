#!/usr/bin/env python
"""Stock benchmark (issue 11): ``./dev bench stock [--moves 1000000] [--parts 2000]
[--warehouses 50] [--seconds 15] [--keep]``.

What it measures (see benchmarks/README.md, "stock"), on a fresh PostgreSQL database
``aftersales_stockbench`` (dropped and recreated, migrated; dropped at the end unless ``--keep``):

1. The balance of one part × warehouse through ``parts.selectors.balance_of`` (the balance row),
   for random pairs and for the busiest pair, beside summing the ledger's entries for the same
   pair (``parts.selectors.ledger_balance_of``) in the same run. Target p95 < 5 ms.
2. The stock page ``/parts/stock/`` (50 rows, filtered by warehouse, by "nothing available", or
   both; random pages) through gunicorn with the production settings and a logged-in session,
   with 1 and with 8 clients: p50 / p95 and CPU per page (app server, PostgreSQL). Target
   p95 < 100 ms. Then, in this process, the statements of one page of each kind with EXPLAIN
   ANALYZE of each.
3. 8 threads reserving one unit and issuing it (``services.reservation_create`` then
   ``services.stock_move(kind="issue", reservation=…)``, each thread its own connection) on 8
   parts with limited stock until all is gone: moves/s, statements per move, time waiting for the
   row locks, and 0 oversold (no available below zero, on hand = the ledger's sum, units issued =
   units received). Beside it, the same workload in plain SQL on copies of the ledger tables,
   once with a locked balance row and once computing the balance by summing the ledger under a
   lock (``pg_advisory_xact_lock``) — the baseline.

Setup (not timed): the parts, warehouses and a template move are made through the services;
the other moves are copied from the template with ``INSERT … SELECT … generate_series`` in
PostgreSQL (≤ 500,000 rows per statement), their entries derived from them, and the balance rows
set from the entries' sums; one SQL check proves balance = ledger for every pair.
Results: a table on stdout and JSON in benchmarks/results/stock-<timestamp>.json.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import platform
import random
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import intake  # the benchmarks' shared server, client and CPU helpers
import pgcopy  # fresh database, rows copied from templates

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
BENCH_DB = "aftersales_stockbench"
CHUNK = 500_000  # rows per INSERT … SELECT
PASSWORD = "bench-pass-2026"
RACE_PARTS = 8


# --- data ----------------------------------------------------------------------------------------


def build(args: argparse.Namespace) -> dict[str, Any]:
    """The catalogue, warehouses and a template move through the services; the ledger copied in SQL."""
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)

    from core.choices import Role
    from core.testing import build_org, make_user
    from parts import services
    from parts.choices import WarehouseKind
    from parts.models import Part, StockMove

    started = time.perf_counter()
    org = build_org()
    clerk = make_user(Role.PARTS_CLERK, org.hq, username="bench-clerk", password=PASSWORD, full_name="压测备件员")
    units = [org.hq, org.centre, org.station_a, org.station_b]
    kinds = [WarehouseKind.HQ, WarehouseKind.CENTRE, WarehouseKind.STATION, WarehouseKind.STATION]
    warehouses = [
        services.warehouse_create(
            acting_user=clerk,
            code=f"W{i:02d}",
            name=f"压测仓库 {i:02d}",
            kind=kinds[i % 4] if i else WarehouseKind.HQ,
            unit=units[i % 4] if i else org.hq,
        )
        for i in range(args.warehouses)
    ]
    template = services.part_create(acting_user=clerk, code="P00000", name="备件 00000", uom="个")
    pgcopy.clone(Part, template.pk, args.parts - 1, {"code": "'P' || lpad(g::text, 5, '0')", "name": "'备件 ' || g"})
    pmin, pmax = pgcopy.id_range("parts_part")
    assert pmax - pmin + 1 == args.parts, "part ids are not consecutive"
    w_ids = [w.pk for w in warehouses]
    first = services.stock_move(acting_user=clerk, kind="receive", part=template, warehouse=warehouses[0], quantity=2)
    # The moves: `uniform` spread evenly over every pair (k-th move of a pair: receive 4 / issue 3
    # alternating; "low" pairs receive 3 / issue 3 and end at 0 on hand), then the busiest pair
    # (part 0 × warehouse 0) gets the rest (receive 2 / issue 1 alternating).
    pairs = args.parts * args.warehouses
    busiest = args.busiest - 1  # the template move is one of the busiest pair's
    uniform = args.moves - 1 - busiest
    w_array = "ARRAY[" + ",".join(map(str, w_ids)) + "]"
    count_of = f"({uniform // pairs} + CASE WHEN s.pair < {uniform % pairs} THEN 1 ELSE 0 END)"
    w = args.warehouses
    low = f"(s.pair > 0 AND ((s.pair / {w}) * 7 + s.pair % {w}) % 20 = 0 AND {count_of} % 2 = 0)"
    with connection.cursor() as cursor:
        cursor.execute("SELECT now()")
        now = cursor.fetchone()[0]
    copied = 0
    for label, total, columns, source in [
        (
            "uniform",
            uniform,
            {
                "part_id": f"{pmin} + s.pair / {args.warehouses}",
                "warehouse_id": f"({w_array})[1 + s.pair % {args.warehouses}]",
                "kind": "CASE WHEN s.k % 2 = 0 THEN 'receive' ELSE 'issue' END",
                "quantity": f"CASE WHEN {low} THEN 3 WHEN s.k % 2 = 0 THEN 4 ELSE 3 END",
                "at": f"timestamptz '{now.isoformat()}' - ({args.moves} - g) * interval '20 seconds'",
            },
            "(SELECT g, (g - 1) % {pairs} AS pair, (g - 1) / {pairs} AS k FROM generate_series({a}, {b}) g) s",
        ),
        (
            "busiest",
            busiest,
            {
                "kind": "CASE WHEN g % 2 = 0 THEN 'receive' ELSE 'issue' END",
                "quantity": "CASE WHEN g % 2 = 0 THEN 2 ELSE 1 END",
                "at": f"timestamptz '{now.isoformat()}' - ({busiest} - g) * interval '7 seconds'",
            },
            "generate_series({a}, {b}) g",
        ),
    ]:
        for a in range(1, total + 1, CHUNK):
            b = min(total, a + CHUNK - 1)
            last = StockMove.objects.order_by("-id").values_list("id", flat=True).first()
            pgcopy.clone(StockMove, first.pk, b - a + 1, columns, source=source.format(pairs=pairs, a=a, b=b))
            with connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO parts_stockentry (move_id, part_id, warehouse_id, on_hand, reserved, in_transit) "
                    "SELECT id, part_id, warehouse_id, CASE WHEN kind = 'issue' THEN -quantity ELSE quantity END, 0, 0 "
                    "FROM parts_stockmove WHERE id > %s",
                    [last],
                )
            copied += b - a + 1
            print(f"  {label}: {copied:,} moves copied", flush=True)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO parts_stockbalance (part_id, warehouse_id, on_hand, reserved, in_transit, updated_at) "
            "SELECT part_id, warehouse_id, sum(on_hand), sum(reserved), sum(in_transit), now() "
            "FROM parts_stockentry GROUP BY part_id, warehouse_id "
            "ON CONFLICT (part_id, warehouse_id) DO UPDATE SET on_hand = EXCLUDED.on_hand, "
            "reserved = EXCLUDED.reserved, in_transit = EXCLUDED.in_transit"
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # what autovacuum would have done after a million rows
        cursor.execute("SELECT count(*) FROM parts_stockmove")
        moves = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM parts_stockentry")
        entries = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM parts_stockbalance WHERE on_hand <= reserved")
        low_rows = cursor.fetchone()[0]
    return {
        "moves": moves,
        "entries": entries,
        "parts": args.parts,
        "warehouses": args.warehouses,
        "balance_rows": pairs,
        "busiest_pair_moves": args.busiest,
        "low_rows": low_rows,
        "ledger_mismatches": ledger_mismatches(),
        "part_ids": [pmin, pmax],
        "warehouse_ids": w_ids,
        "warehouse_codes": [w.code for w in warehouses],
        "clerk": clerk.pk,
        "setup_seconds": round(time.perf_counter() - started, 1),
    }


LEDGER_CHECK = """
SELECT count(*) FROM {balance} b
FULL JOIN (SELECT part_id, warehouse_id, sum(on_hand) AS on_hand, sum(reserved) AS reserved,
                  sum(in_transit) AS in_transit
           FROM {entry} GROUP BY part_id, warehouse_id) l USING (part_id, warehouse_id)
WHERE coalesce(b.on_hand, 0) <> coalesce(l.on_hand, 0) OR coalesce(b.reserved, 0) <> coalesce(l.reserved, 0)
   OR coalesce(b.in_transit, 0) <> coalesce(l.in_transit, 0)
   OR b.on_hand < b.reserved OR b.reserved < 0 OR b.in_transit < 0
"""


def save_data(data: dict[str, Any]) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_data (data jsonb NOT NULL)")
        cursor.execute("INSERT INTO bench_data VALUES (%s)", [json.dumps(data)])


def saved_data() -> dict[str, Any]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT data FROM bench_data")
        row = cursor.fetchone()
    return row[0] if isinstance(row[0], dict) else json.loads(row[0])


def ledger_mismatches(balance: str = "parts_stockbalance", entry: str = "parts_stockentry") -> int:
    """Pairs whose balance row differs from the ledger's sums, or whose available is negative (0 expected)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(LEDGER_CHECK.format(balance=balance, entry=entry))
        return int(cursor.fetchone()[0])


# --- 1. the balance of one pair ------------------------------------------------------------------


def timed(samples: int, call: Any) -> dict[str, float]:
    latencies = []
    for i in range(samples):
        started = time.perf_counter()
        call(i)
        latencies.append((time.perf_counter() - started) * 1000)
    latencies.sort()
    return {
        "samples": samples,
        "p50_ms": round(intake.percentile(latencies, 50), 3),
        "p95_ms": round(intake.percentile(latencies, 95), 3),
        "max_ms": round(latencies[-1], 3),
    }


def measure_balances(data: dict[str, Any], samples: int) -> dict[str, Any]:
    from parts.models import Part, Warehouse
    from parts.selectors import balance_of, ledger_balance_of

    parts = Part.objects.in_bulk()
    warehouses = Warehouse.objects.in_bulk()
    rng = random.Random(7)
    pmin, pmax = data["part_ids"]
    random_pairs = [
        (parts[rng.randint(pmin, pmax)], warehouses[rng.choice(data["warehouse_ids"])]) for _ in range(samples)
    ]
    busiest = (parts[pmin], warehouses[data["warehouse_ids"][0]])
    mismatched = sum(
        balance_of(part=p, warehouse=w) != ledger_balance_of(part=p, warehouse=w) for p, w in random_pairs[:200]
    )
    mismatched += balance_of(part=busiest[0], warehouse=busiest[1]) != ledger_balance_of(
        part=busiest[0], warehouse=busiest[1]
    )
    for p, w in random_pairs[:50]:  # warm the connection and the caches
        balance_of(part=p, warehouse=w)
        ledger_balance_of(part=p, warehouse=w)
    result: dict[str, Any] = {"values_differ": mismatched}
    for label, pairs in (("random pairs", random_pairs), ("busiest pair", [busiest] * samples)):
        row = timed(samples, lambda i, pairs=pairs: balance_of(part=pairs[i][0], warehouse=pairs[i][1]))
        ledger = timed(samples, lambda i, pairs=pairs: ledger_balance_of(part=pairs[i][0], warehouse=pairs[i][1]))
        result[label] = {
            "balance_row": row,
            "ledger_sum": ledger,
            "p95_ratio_ledger_over_row": round(ledger["p95_ms"] / row["p95_ms"], 2) if row["p95_ms"] else None,
        }
    result["target_met"] = all(result[k]["balance_row"]["p95_ms"] < 5 for k in ("random pairs", "busiest pair"))
    return result


# --- 2. the stock page through gunicorn --------------------------------------------------------


def page_urls(data: dict[str, Any], per_page: int = 50) -> dict[str, list[str]]:
    """The page mix: one warehouse (random page of its 2,000 rows), nothing available (random page
    of all warehouses), both filters."""
    codes = data["warehouse_codes"]
    pages = max(1, data["parts"] // per_page)
    low_pages = max(1, data["low_rows"] // per_page)
    rng = random.Random(11)
    return {
        "warehouse": [f"/parts/stock/?warehouse={rng.choice(codes)}&page={rng.randint(1, pages)}" for _ in range(200)],
        "low": [f"/parts/stock/?low=1&page={rng.randint(1, low_pages)}" for _ in range(200)],
        "warehouse+low": [f"/parts/stock/?warehouse={rng.choice(codes)}&low=1" for _ in range(200)],
    }


def http_pages(
    port: int, cookie: str, urls: list[str], clients: int, budget: intake.Budget
) -> tuple[list[tuple[float, str]], float]:
    def work(index: int, budget: intake.Budget, samples: list[tuple[float, str]]) -> None:
        rng = random.Random(index)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=intake.REQUEST_TIMEOUT)
        while budget.take():
            url = rng.choice(urls)
            started = time.perf_counter()
            try:
                connection.request("GET", url, headers={"Cookie": cookie})
                response = connection.getresponse()
                body = response.read()
                status = str(response.status)
                if status == "200" and b'id="stock-table"' not in body:
                    status = "200-without-table"
            except (OSError, http.client.HTTPException) as error:
                status = f"error:{type(error).__name__}"
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=intake.REQUEST_TIMEOUT)
            samples.append((time.perf_counter() - started, status))
        connection.close()

    return intake.run_clients(clients, budget, work)


def measure_page(args: argparse.Namespace, data: dict[str, Any], work: Path) -> list[dict[str, Any]]:
    url = f"postgres://{args.pg_user}@{args.pg_host}:{args.pg_port}/{BENCH_DB}"
    env = intake.app_env(work / "server-var", url)
    (work / "server-var").mkdir(exist_ok=True)
    # As a deploy does: the pages name hashed static files (ManifestStaticFilesStorage).
    intake.run_step([intake.PY, str(ROOT / "manage.py"), "collectstatic", "--noinput", "-v", "0"], env, timeout=600)
    urls = page_urls(data)
    mixed = [u for group in urls.values() for u in group]
    results = []
    with intake.Server(env, args, work / "server.log", probe="/healthz") as server:
        cookie = intake.session_login(server.port, username="bench-clerk", password=PASSWORD)
        threads = args.workers * args.threads
        http_pages(server.port, cookie, mixed, 8, intake.Budget(seconds=None, requests=4 * threads))
        http_pages(server.port, cookie, mixed, 8, intake.Budget(seconds=args.warmup, requests=None))
        assert server.process is not None
        master = server.process.pid
        for clients in (1, 8):
            meter = intake.CpuMeter(
                {"app server": lambda: intake.process_tree(master), "PostgreSQL": lambda: intake.pg_backend_pids(args)}
            )
            load = os.getloadavg()[0]
            meter.start()
            samples, elapsed = http_pages(
                server.port, cookie, mixed, clients, intake.Budget(seconds=args.seconds, requests=None)
            )
            cpu = meter.stop(len(samples))
            result = intake.summarise(f"stock page, {clients} client(s)", "postgres", clients, samples, elapsed, "200")
            result.cpu_ms_per_request = cpu
            result.load_average_before = round(load, 2)
            row = asdict(result)
            served = cpu.get("app server", 0) + cpu.get("PostgreSQL", 0)
            row["cpu_ms_per_page"] = round(served, 2)
            row["ceiling_pages_per_second"] = round((os.cpu_count() or 1) * 1000 / served, 1) if served else None
            results.append(row)
    log = (work / "server.log").read_text(errors="replace")
    if "Traceback" in log:
        results[-1]["notes"].append(f"server log has {log.count('Traceback')} tracebacks")
    return results


def profile_page(data: dict[str, Any], count: int) -> dict[str, Any]:
    """In this process (Django's test client, no HTTP server): statements of one page of each kind,
    EXPLAIN ANALYZE of each SELECT, and CPU per page in the app."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(pk=data["clerk"]))
    urls = {kind: group[0] for kind, group in page_urls(data).items()}
    report: dict[str, Any] = {}
    captured: list[tuple[float, str, Any]] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            captured.append((time.perf_counter() - started, sql, params))

    for kind, url in urls.items():
        for _ in range(3):
            assert client.get(url).status_code == 200
        captured.clear()
        with connection.execute_wrapper(record):
            client.get(url)
        cpu_started, started = time.process_time(), time.perf_counter()
        for _ in range(count):
            client.get(url)
        wall = (time.perf_counter() - started) / count * 1000
        cpu = (time.process_time() - cpu_started) / count * 1000
        statements = []
        for seconds, sql, params in list(captured):
            entry: dict[str, Any] = {"ms": round(seconds * 1000, 2), "sql": sql[:400]}
            if sql.lstrip().upper().startswith("SELECT"):
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
                    entry["plan"] = [row[0] for row in cursor.fetchall()]
            statements.append(entry)
        report[kind] = {
            "url": url,
            "statements": len(statements),
            "app_ms_per_page": round(wall, 2),
            "app_cpu_ms_per_page": round(cpu, 2),
            "queries": statements,
        }
    return report


# --- 3. the race: 8 clients reserving and issuing limited stock -----------------------------------


class Stock:
    """The parts still in stock, shared by the racing threads (a refusal marks a part sold out)."""

    def __init__(self, parts: list[int], seconds: float) -> None:
        self.parts = list(parts)
        self.lock = threading.Lock()
        self.deadline = time.perf_counter() + seconds

    def pick(self, rng: random.Random) -> int | None:
        with self.lock:
            if not self.parts or time.perf_counter() > self.deadline:
                return None
            return rng.choice(self.parts)

    def sold_out(self, part: int) -> None:
        with self.lock:
            if part in self.parts:
                self.parts.remove(part)


def race(clients: int, seconds: float, parts: list[int], cycle: Any, finish: Any = None) -> dict[str, Any]:
    """``clients`` threads calling ``cycle(index, part, counters)`` (reserve one unit, issue it) until
    every part is sold out; ``cycle`` returns False when the reservation was refused. Statements
    are counted without BEGIN / COMMIT (Django's and psycopg's transactions send them alike)."""
    stock = Stock(parts, seconds)
    totals = {"moves": 0, "refused": 0, "statements": 0, "lock_wait": 0.0, "errors": 0}
    latencies: list[float] = []
    guard = threading.Lock()
    barrier = threading.Barrier(clients)
    failures: list[str] = []

    def run(index: int) -> None:
        rng = random.Random(index)
        counters = {"moves": 0, "refused": 0, "statements": 0, "lock_wait": 0.0, "errors": 0}
        mine: list[float] = []
        try:
            barrier.wait(timeout=30)
            while (part := stock.pick(rng)) is not None:
                started = time.perf_counter()
                try:
                    ok = cycle(index, part, counters)
                except Exception as error:  # counted and shown
                    counters["errors"] += 1
                    if len(failures) < 5:
                        failures.append(f"{type(error).__name__}: {error}")
                    continue
                if ok:
                    mine.append((time.perf_counter() - started) * 1000 / 2)
                else:
                    counters["refused"] += 1
                    stock.sold_out(part)
        finally:
            if finish is not None:
                finish()
            with guard:
                for key, value in counters.items():
                    totals[key] += value
                latencies.extend(mine)

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    elapsed = time.perf_counter() - started
    latencies.sort()
    moves = totals["moves"]
    return {
        "clients": clients,
        "seconds": round(elapsed, 2),
        "moves": moves,
        "moves_per_second": round(moves / elapsed, 1) if elapsed else 0.0,
        "refused_reservations": totals["refused"],
        "errors": totals["errors"],
        "failures": failures,
        "statements_per_move": round(totals["statements"] / moves, 2) if moves else None,
        "lock_wait_ms_per_move": round(totals["lock_wait"] * 1000 / moves, 2) if moves else None,
        "move_p50_ms": round(intake.percentile(latencies, 50), 2),
        "move_p95_ms": round(intake.percentile(latencies, 95), 2),
        "sold_out": not stock.parts,
    }


def race_setup(args: argparse.Namespace, data: dict[str, Any]) -> None:
    """Fresh parts with limited stock at W00, received through the service, and one open order
    per client to reserve for (new each run, so a kept database can race again)."""
    from django.contrib.auth import get_user_model

    from customers.services import customer_create
    from parts import services
    from parts.models import Part, Warehouse
    from workorders.services import workorder_create

    clerk = get_user_model().objects.get(pk=data["clerk"])
    warehouse = Warehouse.objects.get(pk=data["warehouse_ids"][0])
    run = Part.objects.filter(code__startswith="RACE-", code__endswith="-0").count()
    race_parts = [
        services.part_create(acting_user=clerk, code=f"RACE-{run}-{i}", name=f"抢购备件 {run}-{i}")
        for i in range(RACE_PARTS)
    ]
    for part in race_parts:
        services.stock_move(acting_user=clerk, kind="receive", part=part, warehouse=warehouse, quantity=args.race_stock)
    customer = customer_create(
        acting_user=None, name="压测客户", phone="13800138000", address="浙江省杭州市西湖区文三路100号"
    )
    orders = [
        workorder_create(
            acting_user=None, customer=customer, service_type="repair", channel="phone", description=f"压测工单 {i}"
        ).pk
        for i in range(args.clients)
    ]
    data.update({"race_parts": [p.pk for p in race_parts], "race_warehouse": warehouse.pk, "orders": orders})


def race_services(args: argparse.Namespace, data: dict[str, Any]) -> dict[str, Any]:
    """Through the real service functions, one Django connection per thread."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from parts import services
    from parts.exceptions import StockShortage
    from parts.models import Part, Warehouse
    from workorders.models import WorkOrder

    local = threading.local()

    def cycle(index: int, part_id: int, counters: dict[str, Any]) -> bool:
        if not hasattr(local, "user"):
            local.user = get_user_model().objects.get(pk=data["clerk"])
            local.user.has_perm("parts.add_stockmove")  # load the permissions once, as a warm process has
            local.order = WorkOrder.objects.get(pk=data["orders"][index])
            local.warehouse = Warehouse.objects.get(pk=data["race_warehouse"])
            local.parts = Part.objects.in_bulk(data["race_parts"])

            def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
                started = time.perf_counter()
                try:
                    return execute(sql, params, many, context)
                finally:
                    counters["statements"] += 1
                    if "FOR UPDATE" in sql:
                        counters["lock_wait"] += time.perf_counter() - started

            local.wrapper = connection.execute_wrapper(record)
            local.wrapper.__enter__()
        part = local.parts[part_id]
        try:
            reservation = services.reservation_create(
                acting_user=local.user, part=part, warehouse=local.warehouse, quantity=1, work_order=local.order
            )
        except StockShortage:
            return False
        counters["moves"] += 1
        services.stock_move(
            acting_user=local.user,
            kind="issue",
            part=part,
            warehouse=local.warehouse,
            quantity=1,
            reservation=reservation,
        )
        counters["moves"] += 1
        return True

    def finish() -> None:
        if hasattr(local, "wrapper"):
            local.wrapper.__exit__(None, None, None)
        connection.close()

    result = race(args.clients, args.race_seconds, data["race_parts"], cycle, finish)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(on_hand), 0), coalesce(sum(reserved), 0), count(*) FILTER (WHERE on_hand < reserved "
            "OR on_hand < 0) FROM parts_stockbalance WHERE part_id = ANY(%s) AND warehouse_id = %s",
            [data["race_parts"], data["race_warehouse"]],
        )
        on_hand, reserved, negative = cursor.fetchone()
        cursor.execute(
            "SELECT coalesce(sum(quantity), 0) FROM parts_stockmove WHERE kind = 'issue' AND part_id = ANY(%s)",
            [data["race_parts"]],
        )
        issued = cursor.fetchone()[0]
    received = args.race_stock * RACE_PARTS
    result.update(
        {
            "path": "services (balance row, FOR UPDATE)",
            "received": received,
            "issued": int(issued),
            "left_on_hand": int(on_hand),
            "left_reserved": int(reserved),
            "negative_available_rows": int(negative),
            "ledger_mismatches": ledger_mismatches(),
        }
    )
    result["oversold"] = max(0, int(issued) - received) + int(negative) + int(issued + on_hand != received)
    return result


BENCH_TABLES = """
DROP TABLE IF EXISTS bench_move, bench_entry, bench_balance;
CREATE TABLE bench_move (LIKE parts_stockmove INCLUDING ALL);
CREATE TABLE bench_entry (LIKE parts_stockentry INCLUDING ALL);
CREATE TABLE bench_balance (LIKE parts_stockbalance INCLUDING ALL);
"""


def race_sql(args: argparse.Namespace, data: dict[str, Any], *, ledger: bool) -> dict[str, Any]:
    """The same reserve-then-issue cycles in plain SQL on copies of the ledger tables (their
    indexes and checks, no foreign keys), one psycopg connection per thread: with a locked balance
    row (``ledger=False``), or summing the ledger under an advisory lock (the baseline)."""
    import psycopg

    dsn = intake.pg_dsn(args, BENCH_DB)
    parts, wh = data["race_parts"], data["race_warehouse"]
    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute(BENCH_TABLES)
        for part in parts:
            move = admin.execute(
                "INSERT INTO bench_move (kind, part_id, warehouse_id, quantity, note, at) "
                "VALUES ('receive', %s, %s, %s, '', now()) RETURNING id",
                (part, wh, args.race_stock),
            ).fetchone()[0]
            admin.execute(
                "INSERT INTO bench_entry (move_id, part_id, warehouse_id, on_hand, reserved, in_transit) "
                "VALUES (%s, %s, %s, %s, 0, 0)",
                (move, part, wh, args.race_stock),
            )
            admin.execute(
                "INSERT INTO bench_balance (part_id, warehouse_id, on_hand, reserved, in_transit, updated_at) "
                "VALUES (%s, %s, %s, 0, 0, now())",
                (part, wh, args.race_stock),
            )
    connections = [psycopg.connect(dsn) for _ in range(args.clients)]

    def move(connection: Any, counters: dict[str, Any], part: int, kind: str, on_hand: int, reserved: int) -> bool:
        """One move in its own transaction: lock, read the balance, check, write."""
        with connection.transaction():
            started = time.perf_counter()
            if ledger:
                connection.execute("SELECT pg_advisory_xact_lock(%s, %s)", (part, wh))
                counters["lock_wait"] += time.perf_counter() - started
                have, held = connection.execute(
                    "SELECT coalesce(sum(on_hand), 0), coalesce(sum(reserved), 0) FROM bench_entry "
                    "WHERE part_id = %s AND warehouse_id = %s",
                    (part, wh),
                ).fetchone()
            else:
                have, held = connection.execute(
                    "SELECT on_hand, reserved FROM bench_balance WHERE part_id = %s AND warehouse_id = %s FOR UPDATE",
                    (part, wh),
                ).fetchone()
                counters["lock_wait"] += time.perf_counter() - started
            counters["statements"] += 2
            if have + on_hand - (held + reserved) < 0 or held + reserved < 0:
                return False
            move_id = connection.execute(
                "INSERT INTO bench_move (kind, part_id, warehouse_id, quantity, note, at) "
                "VALUES (%s, %s, %s, 1, '', now()) RETURNING id",
                (kind, part, wh),
            ).fetchone()[0]
            connection.execute(
                "INSERT INTO bench_entry (move_id, part_id, warehouse_id, on_hand, reserved, in_transit) "
                "VALUES (%s, %s, %s, %s, %s, 0)",
                (move_id, part, wh, on_hand, reserved),
            )
            counters["statements"] += 2
            if not ledger:
                connection.execute(
                    "UPDATE bench_balance SET on_hand = on_hand + %s, reserved = reserved + %s, updated_at = now() "
                    "WHERE part_id = %s AND warehouse_id = %s",
                    (on_hand, reserved, part, wh),
                )
                counters["statements"] += 1
        counters["moves"] += 1
        return True

    def cycle(index: int, part: int, counters: dict[str, Any]) -> bool:
        connection = connections[index]
        if not move(connection, counters, part, "reserve", 0, 1):
            return False
        if not move(connection, counters, part, "issue", -1, -1):
            raise RuntimeError("a reserved unit could not be issued")
        return True

    try:
        result = race(args.clients, args.race_seconds, parts, cycle)
    finally:
        for connection in connections:
            connection.close()
    with psycopg.connect(dsn, autocommit=True) as admin:
        sums = admin.execute("SELECT part_id, sum(on_hand), sum(reserved) FROM bench_entry GROUP BY part_id").fetchall()
        issued = admin.execute("SELECT coalesce(sum(quantity), 0) FROM bench_move WHERE kind = 'issue'").fetchone()[0]
        if not ledger:
            mismatches = admin.execute(LEDGER_CHECK.format(balance="bench_balance", entry="bench_entry")).fetchone()[0]
    received = args.race_stock * RACE_PARTS
    on_hand = sum(int(row[1]) for row in sums)
    negative = sum(1 for row in sums if row[1] < row[2] or row[1] < 0)
    result.update(
        {
            "path": "SQL, ledger sum under an advisory lock (baseline)" if ledger else "SQL, balance row FOR UPDATE",
            "received": received,
            "issued": int(issued),
            "left_on_hand": on_hand,
            "negative_available_rows": negative,
        }
    )
    if not ledger:
        result["ledger_mismatches"] = int(mismatches)
    result["oversold"] = max(0, int(issued) - received) + negative + int(issued + on_hand != received)
    return result


# --- main ----------------------------------------------------------------------------------------


def parse(argv: list[str]) -> argparse.Namespace:
    cores = os.cpu_count() or 1
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--moves", type=int, default=1_000_000)
    parser.add_argument("--parts", type=int, default=2_000)
    parser.add_argument("--warehouses", type=int, default=50)
    parser.add_argument("--busiest", type=int, default=20_000, help="moves of the busiest pair (part 0 × W00)")
    parser.add_argument("--samples", type=int, default=2_000, help="balance reads per kind")
    parser.add_argument("--seconds", type=float, default=15.0, help="seconds per stock-page run")
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--clients", type=int, default=8, help="racing clients")
    parser.add_argument("--race-stock", type=int, default=100, help=f"units of each of the {RACE_PARTS} race parts")
    parser.add_argument("--race-seconds", type=float, default=60.0)
    parser.add_argument("--profile", type=int, default=30, help="pages per kind profiled in-process (0: none)")
    parser.add_argument("--workers", type=int, default=2 * cores + 1)
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="measure a database kept by --keep (no setup)")
    parser.add_argument("--only", default="balances,page,race", help="steps to run, comma-separated")
    parser.add_argument("--pg-host", default="127.0.0.1")
    parser.add_argument("--pg-port", type=int, default=5432)
    parser.add_argument("--pg-user", default="postgres")
    args = parser.parse_args(argv)
    args.worker_class = "gthread"
    if not 100 <= args.moves <= 5_000_000:
        parser.error("--moves must be 100…5,000,000")
    if not 1 <= args.busiest < args.moves - args.parts * args.warehouses:
        parser.error("--busiest must leave at least one move per pair")
    if args.parts < 50 or not 2 <= args.warehouses <= 200:
        parser.error("--parts ≥ 50, --warehouses 2…200")
    if not 1 <= args.clients <= 32:
        parser.error("--clients must be 1…32")
    if args.pg_host not in intake.LOCAL_HOSTS:
        parser.error("benchmarks only talk to 127.0.0.1")
    return args


def ms(row: dict[str, Any]) -> str:
    return f"{row['p50_ms']:.2f} / {row['p95_ms']:.2f}"


def report(out: dict[str, Any]) -> None:
    data, balances, pages, races = out["data"], out.get("balances"), out.get("pages"), out.get("race")
    print(
        f"\nStock · PostgreSQL · {data['moves']:,} moves ({data['entries']:,} entries) · {data['parts']:,} parts × "
        f"{data['warehouses']} warehouses · busiest pair {data['busiest_pair_moves']:,} moves "
        f"(setup {data['setup_seconds']} s, not timed; balance ≠ ledger: {data['ledger_mismatches']})"
    )
    if balances:
        report_balances(balances)
    if pages:
        report_pages(pages, out.get("profile", {}))
    if races:
        report_race(races)


def report_balances(balances: dict[str, Any]) -> None:
    print("\n1. balance of one part × warehouse (p50 / p95 ms)   balance row      ledger sum     ledger/row p95")
    for kind in ("random pairs", "busiest pair"):
        row = balances[kind]
        print(
            f"   {kind:<47} {ms(row['balance_row']):>13}  {ms(row['ledger_sum']):>13}  "
            f"{row['p95_ratio_ledger_over_row']:>8}×"
        )
    print(
        f"   target p95 < 5 ms: {'met' if balances['target_met'] else 'NOT met'}; "
        f"values differ: {balances['values_differ']}"
    )


def report_pages(pages: list[dict[str, Any]], profile: dict[str, Any]) -> None:
    print(
        "\n2. stock page through gunicorn        pages/s   p50 ms   p95 ms   non-200   "
        "CPU ms/page (app + PG)   ceiling/s"
    )
    for row in pages:
        cpu = row["cpu_ms_per_request"]
        print(
            f"   {row['name']:<34} {row['per_second']:>7.1f}  {row['p50_ms']:>7.1f}  {row['p95_ms']:>7.1f}  "
            f"{row['errors']:>8}   {cpu.get('app server', 0):.1f} + {cpu.get('PostgreSQL', 0):.1f}"
            f"{'':>12}{row['ceiling_pages_per_second']}"
        )
    for kind, prof in profile.items():
        print(
            f"   in-process {kind:<14} {prof['statements']} statements, {prof['app_ms_per_page']} ms, "
            f"{prof['app_cpu_ms_per_page']} ms CPU per page"
        )


def report_race(races: list[dict[str, Any]]) -> None:
    print(
        "\n3. 8 clients reserving + issuing      moves/s  stmts/move  lock wait ms/move  p95 ms  oversold  vs baseline"
    )
    base = races[-1]["moves_per_second"] or 1
    for row in races:
        print(
            f"   {row['path'][:34]:<34} {row['moves_per_second']:>8.1f}  {row['statements_per_move']!s:>10}  "
            f"{row['lock_wait_ms_per_move']!s:>17}  {row['move_p95_ms']:>6.1f}  {row['oversold']:>8}  "
            f"{row['moves_per_second'] / base:>9.2f}×"
        )


def main(argv: list[str]) -> int:
    args = parse(argv)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    work = Path(tempfile.mkdtemp(prefix="stockbench-"))
    os.environ["ALLOWED_HOSTS"] = "127.0.0.1,localhost,testserver"
    out: dict[str, Any] = {"benchmark": "stock", "config": {k: v for k, v in vars(args).items() if k != "keep"}}
    try:
        (work / "var").mkdir()
        pgcopy.configure(args, work / "var", BENCH_DB, recreate=not args.reuse)
        if args.reuse:
            from django.core.management import call_command

            call_command("migrate", verbosity=0, interactive=False)  # a kept database, newer code
            out["data"] = data = saved_data()
            data["ledger_mismatches"] = ledger_mismatches()
            print(f"reusing {BENCH_DB}: {data['moves']:,} moves", flush=True)
        else:
            print(f"building {args.moves:,} moves on {BENCH_DB} …", flush=True)
            out["data"] = data = build(args)
            save_data(data)
        steps = set(args.only.split(","))
        if "balances" in steps:
            print("1. balance reads …", flush=True)
            out["balances"] = measure_balances(data, args.samples)
        if "page" in steps:
            print("2. the stock page through gunicorn …", flush=True)
            out["pages"] = measure_page(args, data, work)
            if args.profile:
                out["profile"] = profile_page(data, args.profile)
        if "race" in steps:
            print("3. the race …", flush=True)
            race_setup(args, data)
            out["race"] = [
                race_services(args, data),
                race_sql(args, data, ledger=False),
                race_sql(args, data, ledger=True),
            ]
    finally:
        from django.db import connections

        connections.close_all()
        if not (args.keep or args.reuse):  # a reused database stays for the next --reuse
            with contextlib.suppress(Exception):
                intake.drop_pg_database(args)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    report(out)
    out["machine"] = {"python": platform.python_version(), "cpus": os.cpu_count(), "load": os.getloadavg()}
    out["commit"] = intake.git_commit()
    out["at"] = datetime.now().astimezone().isoformat(timespec="seconds")
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"stock-{stamp}.json"
    path.write_text(json.dumps(out, ensure_ascii=False, indent=2, default=str) + "\n")
    print(f"\n  → {path.relative_to(ROOT)}")
    ok = (
        data["ledger_mismatches"] == 0
        and out.get("balances", {}).get("values_differ", 0) == 0
        and all(r["oversold"] == 0 and r["errors"] == 0 for r in out.get("race", []))
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
