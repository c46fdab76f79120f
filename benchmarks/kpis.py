#!/usr/bin/env python
"""KPI benchmark (issue 16): ``./dev bench kpis [--orders 1000000] [--seconds 15] [--keep]``.

What it measures, on a fresh PostgreSQL database ``aftersales_kpibench`` (dropped and recreated,
migrated; dropped at the end unless ``--keep``):

(a) in this process: one KPI (first-time fix) over the last 365 days for the whole company, and
    every SPEC §12 figure over the same year (what ``GET /api/v1/kpis`` computes), as an HQ user
    — p50/p95 of ``--samples`` runs each, with EXPLAIN ANALYZE of the first-time-fix query;
(b) through the production server (gunicorn, production settings, 8 clients): the director's
    dashboard page (``/kpis/dashboard/``) and ``GET /api/v1/kpis`` over the last 365 days.

Every figure is read from the timeline directly (kpis.engine, ADR 0024); there is no summary
table kept incrementally yet, so the run has no second variant to compare with (docs/kpis.md).

Setup (not timed): the organisation, a template order taken through the real services
(accept → assign → check-in → start → QC → sign-off → follow-up: its timeline, clocks and repair
time) and then, in PostgreSQL itself (``INSERT … SELECT … generate_series``): N orders over the
last 400 days on the four units, 70 % repairs; for each a timeline of 6–9 events (created,
accept, assign, check_in, start, and for 85 % submit_qc, qc_pass, sign_off and for half of those
a rated follow_up; 3 % of the completed ones reopened and completed again; 2 % cancelled),
its clocks (``sla_orderservicelevel``: response 24 h, arrival 48 h) and repair times.
Results: a table on stdout and JSON in benchmarks/results/kpis-<timestamp>.json.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import intake  # the benchmarks' shared PostgreSQL helpers
import pgcopy  # fresh database, rows copied from templates in chunks

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
BENCH_DB = "aftersales_kpibench"
PASSWORD = "demo-pass-2026"
USERNAME = "bench-hq-agent"  # HQ: sees every unit (the company's figures); no second factor to type


def _say(message: str) -> None:
    print(f"  … {message}", file=sys.stderr, flush=True)


def _sql(statement: str, params: list[Any] | None = None) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        if params is None:
            cursor.execute(statement)
        else:
            cursor.execute(statement.replace("%", "%%").replace("%%s", "%s"), params)
        return int(cursor.rowcount)


def build(args: argparse.Namespace) -> dict[str, Any]:
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    call_command("migrate", verbosity=0, interactive=False)

    from core.choices import Role
    from core.models import ApiToken
    from core.testing import build_org, make_user
    from customers.services import customer_create
    from kpis.models import RepairTime
    from sla.models import OrderServiceLevel
    from workorders.choices import EventKind
    from workorders.models import WorkOrder
    from workorders.services import workorder_create, workorder_record_event, workorder_transition

    started = time.perf_counter()
    org = build_org()
    agent = make_user(Role.AGENT, org.hq, username=USERNAME, full_name="压测总部客服")
    director = make_user(Role.DIRECTOR, org.hq, username="bench-director")
    technician = make_user(Role.TECHNICIAN, org.centre, username="bench-tech")
    qc = make_user(Role.QC_INSPECTOR, org.centre, username="bench-qc")
    customer = customer_create(
        acting_user=None, name="模板客户", phone="13800138000", address="浙江省杭州市西湖区文三路100号"
    )
    order = workorder_create(
        acting_user=agent, customer=customer, service_type="repair", channel="phone", description="模板工单"
    )
    order = workorder_transition(order=order, action="accept", acting_user=agent, data={"charge_type": "free"})
    order = workorder_transition(order=order, action="assign", acting_user=director, data={"technician": technician.pk})
    workorder_record_event(order=order, kind=EventKind.CHECK_IN, acting_user=technician)
    order = workorder_transition(order=order, action="start", acting_user=technician)
    order = workorder_transition(order=order, action="submit_qc", acting_user=technician, data={"note": "更换"})
    order = workorder_transition(order=order, action="qc_pass", acting_user=qc)
    order = workorder_transition(
        order=order, action="sign_off", acting_user=None, by_customer=True, data={"signer_name": "王先生"}
    )
    sla_row = OrderServiceLevel.objects.get(order=order)
    repair_row = RepairTime.objects.get(order=order)
    token = ApiToken.issue(agent)
    now = timezone.now()
    units = [org.hq.pk, org.centre.pk, org.station_a.pk, org.station_b.pk]
    units_array = "ARRAY[" + ",".join(str(u) for u in units) + "]"
    _say("templates made; loading orders")
    with connection.cursor() as cursor:
        cursor.execute("SELECT setseed(0.16)")
    n = args.orders - 1
    # The order: r decides its fate (type, completed, reopened, cancelled), age its request time.
    source = (
        "(SELECT g, random() AS r, random() AS q, random() * interval '400 days' AS age "
        "FROM generate_series({first}, {last}) g) s"
    )
    pgcopy.clone(
        WorkOrder,
        order.pk,
        n,
        {
            "number": "'WK' || lpad(g::text, 10, '0')",
            "unit_id": f"({units_array})[1 + floor(s.q * 4)::int]",
            "service_type": "CASE WHEN s.r < 0.7 THEN 'repair' WHEN s.r < 0.85 THEN 'maintenance' "
            "ELSE 'inspection' END",
            "submitted_at": f"timestamptz '{now.isoformat()}' - s.age",
            "status": "CASE WHEN s.q * 100 - floor(s.q * 100) < 0.02 THEN 'cancelled' "
            "WHEN s.q * 10 - floor(s.q * 10) < 0.85 THEN 'completed' ELSE 'in_progress' END",
            "completion_status": "CASE WHEN s.q * 10 - floor(s.q * 10) < 0.85 THEN 'done' ELSE '' END",
            "search_text": "''",
        },
        source=source,
    )
    low, high = pgcopy.id_range("workorders_workorder")
    _say(f"orders loaded ({high - low + 1:,}); timelines")
    # Events: offsets in hours from the request, stretched per order (1 + id % 7 / 3).
    steps = [
        ("accept", 1, "submitted", "accepted", "all"),
        ("assign", 2, "accepted", "assigned", "live"),
        ("check_in", 20, "", "", "live"),
        ("start", 20.5, "assigned", "in_progress", "live"),
        ("cancel", 3, "accepted", "cancelled", "cancelled"),
        ("submit_qc", 26, "in_progress", "qc", "done"),
        ("qc_pass", 27, "qc", "awaiting_signoff", "done"),
        ("sign_off", 28, "awaiting_signoff", "completed", "done"),
        ("reopen", 200, "completed", "accepted", "reopened"),
        ("sign_off", 230, "awaiting_signoff", "completed", "reopened"),
        ("follow_up", 60, "completed", "followed_up", "rated"),
    ]
    conditions = {
        "all": "TRUE",
        "live": "o.status <> 'cancelled'",
        "cancelled": "o.status = 'cancelled'",
        "done": "o.status = 'completed'",
        "reopened": "o.status = 'completed' AND o.id % 33 = 0",
        "rated": "o.status = 'completed' AND o.id % 2 = 0",
    }
    events = 0
    for first in range(low, high + 1, pgcopy.LOAD_CHUNK):
        last = min(first + pgcopy.LOAD_CHUNK - 1, high)
        for kind, hours, before, after, when in steps:
            data = (
                "jsonb_build_object('satisfaction', CASE WHEN o.id % 10 = 0 THEN 'unsatisfied' ELSE 'satisfied' END,"
                " 'score', 3 + o.id % 3)"
                if kind == "follow_up"
                else "'{}'::jsonb"
            )
            events += _sql(
                "INSERT INTO workorders_timelineevent (order_id, kind, actor_id, actor_label, at, from_status,"
                " to_status, note, data) "
                f"SELECT o.id, %s, NULL, '', o.submitted_at + interval '1 hour' * %s * (1 + (o.id % 7) / 3.0),"
                f" %s, %s, '', {data} FROM workorders_workorder o "
                f"WHERE o.id BETWEEN %s AND %s AND o.id <> %s AND {conditions[when]}",
                [kind, hours, before, after, first, last, order.pk],
            )
    _say(f"{events:,} events; clocks and repair times")
    pgcopy.clone(
        OrderServiceLevel,
        sla_row.pk,
        high - low,
        {
            "order_id": "o.id",
            "response_due": "o.submitted_at + interval '24 hours'",
            "arrival_due": "o.submitted_at + interval '48 hours'",
            "resolution_due": "NULL",
            "response_met_at": "o.submitted_at + interval '1 hour' * (1 + (o.id % 7) / 3.0)",
            "arrival_met_at": "o.submitted_at + interval '20 hours' * (1 + (o.id % 7) / 3.0)",
            "status": "'met'",
            "nearest_deadline": "NULL",
            "next_check_at": "NULL",
        },
        source=(
            "(SELECT row_number() OVER () AS g, id, submitted_at FROM workorders_workorder "
            f"WHERE id <> {order.pk} AND id BETWEEN {{first}} + {low} AND {{last}} + {low}) o"
        ),
    )
    repairs = _sql(
        "INSERT INTO kpis_repairtime (order_id, started_at, resolved_at, from_arrival, calendar_code,"
        " business_seconds, waiting_seconds) "
        "SELECT o.id, o.submitted_at + interval '20 hours', o.submitted_at + interval '28 hours', TRUE, '24x7',"
        " 28800 * (1 + (o.id % 7) / 3.0), 0 FROM workorders_workorder o "
        f"WHERE o.status = 'completed' AND o.service_type = 'repair' AND o.id <> {order.pk}"
    )
    del repair_row
    loaded = time.perf_counter()
    _say("ANALYZE")
    _sql("ANALYZE")
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM workorders_workorder")
        orders = cursor.fetchone()[0]
    return {
        "orders": orders,
        "events": events,
        "repair_times": repairs,
        "token": token,
        "load_seconds": round(loaded - started, 2),
        "setup_seconds": round(time.perf_counter() - started, 2),
    }


def timed(samples: int, call: Any) -> dict[str, float]:
    values = []
    for _ in range(samples):
        started = time.perf_counter()
        call()
        values.append((time.perf_counter() - started) * 1000)
    values.sort()
    return {
        "samples": samples,
        "p50_ms": round(statistics.median(values), 1),
        "p95_ms": round(intake.percentile(values, 95), 1),
        "max_ms": round(values[-1], 1),
    }


def in_process(args: argparse.Namespace) -> dict[str, Any]:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from kpis import engine
    from kpis.views import dashboard_data

    user = get_user_model().objects.get(username=USERNAME)
    today = timezone.localdate()
    year = engine.Period(today - timedelta(days=364), today)
    whole = engine.Slice()
    ftf = engine.compute(user=user, period=year, slice_=whole, names=["first_time_fix_rate"])["first_time_fix_rate"]
    out: dict[str, Any] = {
        "first_time_fix_year": timed(
            args.samples, lambda: engine.compute(user=user, period=year, slice_=whole, names=["first_time_fix_rate"])
        ),
        "first_time_fix_value": [str(ftf.value), ftf.numerator, ftf.denominator],
        "all_figures_year": timed(
            max(1, args.samples // 2), lambda: engine.compute(user=user, period=year, slice_=whole)
        ),
        "dashboard_data": timed(max(1, args.samples // 2), lambda: dashboard_data(user)),
    }
    population = engine.first_time_fix_population(engine.orders_in_scope(user, whole), year)
    query = population.order_by().values("pk").query
    sql, params = query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
        out["explain_first_time_fix"] = [row[0] for row in cursor.fetchall()]
    return out


def http_get(
    port: int, headers: dict[str, str], urls: list[str], marker: bytes, clients: int, budget: intake.Budget
) -> tuple[list[tuple[float, str]], float]:
    def work(index: int, budget: intake.Budget, samples: list[tuple[float, str]]) -> None:
        rng = random.Random(index)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=intake.REQUEST_TIMEOUT)
        while budget.take():
            url = rng.choice(urls)
            started = time.perf_counter()
            try:
                connection.request("GET", url, headers=headers)
                response = connection.getresponse()
                body = response.read()
                status = str(response.status)
                if status == "200" and marker not in body:
                    status = "200-without-content"
            except (OSError, http.client.HTTPException) as error:
                status = f"error:{type(error).__name__}"
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=intake.REQUEST_TIMEOUT)
            samples.append((time.perf_counter() - started, status))
        connection.close()

    return intake.run_clients(clients, budget, work)


def through_server(args: argparse.Namespace, token: str, work: Path) -> list[dict[str, Any]]:
    from django.utils import timezone

    url = f"postgres://{args.pg_user}@{args.pg_host}:{args.pg_port}/{BENCH_DB}"
    env = intake.app_env(work / "server-var", url)
    (work / "server-var").mkdir(exist_ok=True)
    intake.run_step([intake.PY, str(ROOT / "manage.py"), "collectstatic", "--noinput", "-v", "0"], env, timeout=600)
    today = timezone.localdate()
    year = f"from={(today - timedelta(days=364)).isoformat()}&to={today.isoformat()}"
    results = []
    with intake.Server(env, args, work / "server.log", probe="/healthz") as server:
        cookie = intake.session_login(server.port, username=USERNAME, password=PASSWORD)
        runs = [
            ("director's dashboard", {"Cookie": cookie}, ["/kpis/dashboard/"], b'id="dashboard-data"'),
            ("GET /api/v1/kpis (a year)", {"Authorization": f"Bearer {token}"}, [f"/api/v1/kpis?{year}"], b'"kpis"'),
        ]
        for name, headers, urls, marker in runs:
            http_get(server.port, headers, urls, marker, 8, intake.Budget(seconds=None, requests=8))  # warm-up
            samples, elapsed = http_get(
                server.port, headers, urls, marker, args.clients, intake.Budget(seconds=args.seconds, requests=None)
            )
            result = intake.summarise(
                f"{name}, {args.clients} clients", "postgres", args.clients, samples, elapsed, "200"
            )
            results.append(asdict(result))
    log = (work / "server.log").read_text(errors="replace")
    if "Traceback" in log and results:
        results[-1]["notes"].append(f"server log has {log.count('Traceback')} tracebacks")
    return results


def parse(argv: list[str]) -> argparse.Namespace:
    cores = os.cpu_count() or 1
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=10, help="in-process runs per measurement")
    parser.add_argument("--seconds", type=float, default=15.0, help="seconds per server run")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2 * cores + 1)
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    parser.add_argument("--only", default="process,server", help="steps to run, comma-separated")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--pg-host", default="127.0.0.1")
    parser.add_argument("--pg-port", default="5432")
    parser.add_argument("--pg-user", default="postgres")
    args = parser.parse_args(argv)
    args.worker_class = "gthread"
    if not 100 <= args.orders <= 5_000_000:
        parser.error("--orders must be 100…5,000,000")
    if args.pg_host not in intake.LOCAL_HOSTS:
        parser.error("benchmarks only talk to 127.0.0.1")
    return args


def main(argv: list[str]) -> int:
    args = parse(argv)
    steps = set(args.only.split(","))
    process: dict[str, Any] = {}
    server: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="kpibench-") as var_dir:
        pgcopy.configure(args, Path(var_dir), BENCH_DB)
        try:
            data = build(args)
            if "process" in steps:
                _say("in-process figures")
                process = in_process(args)
            if "server" in steps:
                _say("through the production server")
                server = through_server(args, data.pop("token"), Path(var_dir))
        finally:
            if not args.keep:
                from django.db import connections

                connections.close_all()
                intake.drop_pg_database(args)
    data.pop("token", None)
    print(
        f"KPIs · PostgreSQL · {data['orders']:,} orders · {data['events']:,} timeline events "
        f"(setup {data['setup_seconds']} s, not timed) · read from the timeline directly"
    )
    for name in ("first_time_fix_year", "all_figures_year", "dashboard_data"):
        if name in process:
            row = process[name]
            print(f"  {name:<34} p50 {row['p50_ms']:>9.1f} ms   p95 {row['p95_ms']:>9.1f} ms  ({row['samples']} runs)")
    for row in server:
        print(f"  {row['name']:<44} p50 {row['p50_ms']:>8.1f} ms  p95 {row['p95_ms']:>8.1f} ms  {row['per_second']}/s")
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"kpis-{time.strftime('%Y%m%d-%H%M%S')}.json"
    payload = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "load": os.getloadavg()},
        "commit": intake.git_commit(),
        "variant": "timeline (no summary table)",
        "data": data,
        "in_process": process,
        "server": server,
    }
    out.write_text(json.dumps(payload, ensure_ascii=False, indent=2, default=str))
    print(f"  → {out.relative_to(ROOT)}")
    return 0 if all(row["errors"] == 0 for row in server) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
