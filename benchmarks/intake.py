#!/usr/bin/env python
"""Work-order intake benchmark: ``./dev bench intake [--clients 8] [--seconds 20 | --requests N]
[--database postgres|sqlite|both] [--worker-class gthread|sync] [--workers N] [--threads N] [--profile N]``.

What it measures (see benchmarks/README.md):

1. The production setup — gunicorn serving ``aftersales.wsgi`` with the production settings
   (DEBUG off) on 127.0.0.1 — against a fresh PostgreSQL database ``aftersales_bench``
   (dropped and recreated each run): N concurrent keep-alive clients POST
   ``/api/v1/work-orders`` with a bearer token and a unique ``Idempotency-Key`` each.
2. In the same run, the database's own limit: as many single-row INSERTs (one transaction each)
   through psycopg from the same number of clients. The product/baseline ratio says how much of
   the database's capacity one work order costs.
3. The same intake against a fresh SQLite file (the embedded setup), counting 5xx responses and
   "database is locked" in the server log (must be zero).
4. ``--profile N``: N creations in one process through Django's test client under cProfile,
   with the SQL statements of one request — where the time of a request goes.

Everything is bounded (duration, request count, per-request timeout, process timeouts) and
speaks only to 127.0.0.1. Results: a table on stdout and JSON in benchmarks/results/.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
# The apps come first: this folder also holds scripts named like apps (sla.py, dispatch.py).
sys.path.insert(0, str(SRC))
RESULTS = ROOT / "benchmarks" / "results"
PY = sys.executable
GUNICORN = str(Path(sys.executable).parent / "gunicorn")
BENCH_DB = "aftersales_bench"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}
MAX_SECONDS = 300
MAX_REQUESTS = 200_000
REQUEST_TIMEOUT = 10.0
STARTUP_SECONDS = 180  # gunicorn imports the app in every worker: slow on a busy 2-core machine
PATH = "/api/v1/work-orders"
DESCRIPTIONS = (
    "充满电后只能跑十几公里，续航明显下降。",
    "开机无反应，电源指示灯不亮。",
    "端口频繁 up/down，日志显示 CRC 错误。",
    "清分机频繁卡币，冠字号码识别率下降。",
    "定位终端离线超过 48 小时。",
    "空调制冷效果差，室内机漏水。",
)


# --- results -----------------------------------------------------------------------------------


@dataclass
class RunResult:
    name: str
    target: str
    clients: int
    requests: int
    ok: int
    errors: int
    seconds: float
    per_second: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    mean_ms: float
    statuses: dict[str, int] = field(default_factory=dict)
    server_5xx: int = 0
    database_locked: int = 0
    rows_in_database: int | None = None
    cpu_ms_per_request: dict[str, float] = field(default_factory=dict)
    load_average_before: float | None = None
    notes: list[str] = field(default_factory=list)


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return 0.0
    index = min(len(sorted_values) - 1, max(0, round(q / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[index]


def summarise(
    name: str, target: str, clients: int, samples: list[tuple[float, str]], elapsed: float, ok_status: str
) -> RunResult:
    latencies = sorted(latency * 1000 for latency, _status in samples)
    statuses = Counter(status for _latency, status in samples)
    ok = statuses.get(ok_status, 0)
    return RunResult(
        name=name,
        target=target,
        clients=clients,
        requests=len(samples),
        ok=ok,
        errors=len(samples) - ok,
        seconds=round(elapsed, 2),
        per_second=round(ok / elapsed, 1) if elapsed else 0.0,
        p50_ms=round(percentile(latencies, 50), 1),
        p95_ms=round(percentile(latencies, 95), 1),
        p99_ms=round(percentile(latencies, 99), 1),
        max_ms=round(latencies[-1], 1) if latencies else 0.0,
        mean_ms=round(statistics.fmean(latencies), 1) if latencies else 0.0,
        statuses=dict(statuses),
        server_5xx=sum(count for status, count in statuses.items() if status.startswith("5")),
    )


# --- load generators ---------------------------------------------------------------------------


class Budget:
    """Stop after ``seconds`` or after ``requests`` in total, whichever the run was given."""

    def __init__(self, *, seconds: float | None, requests: int | None) -> None:
        self.deadline = time.perf_counter() + seconds if seconds else None
        self.remaining = requests
        self.lock = threading.Lock()

    def take(self) -> bool:
        if self.deadline is not None and time.perf_counter() >= self.deadline:
            return False
        if self.remaining is None:
            return True
        with self.lock:
            if self.remaining <= 0:
                return False
            self.remaining -= 1
            return True


def run_clients(clients: int, budget: Budget, work: Any) -> tuple[list[tuple[float, str]], float]:
    """Start ``clients`` threads calling ``work(index, budget, samples)``; return samples and wall time."""
    samples: list[tuple[float, str]] = []
    threads = [threading.Thread(target=work, args=(i, budget, samples), daemon=True) for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    hard_stop = started + MAX_SECONDS + 60
    for thread in threads:
        thread.join(timeout=max(0.1, hard_stop - time.perf_counter()))
    return samples, time.perf_counter() - started


def http_intake(
    port: int, token: str, customer: int, device: int, clients: int, budget: Budget
) -> tuple[list[tuple[float, str]], float]:
    def work(index: int, budget: Budget, samples: list[tuple[float, str]]) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
        sequence = 0
        while budget.take():
            sequence += 1
            body = json.dumps(
                {
                    "customer": customer,
                    "device": device,
                    "service_type": "repair",
                    "channel": "api",
                    "confirm_duplicate": True,  # one bench device: later orders are "possible duplicates"
                    "description": f"{DESCRIPTIONS[sequence % len(DESCRIPTIONS)]}（压测 {index}-{sequence}）",
                },
                ensure_ascii=False,
            ).encode()
            headers = {
                "Authorization": f"Bearer {token}",
                "Content-Type": "application/json",
                "Idempotency-Key": uuid.uuid4().hex,
            }
            started = time.perf_counter()
            try:
                connection.request("POST", PATH, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                status = str(response.status)
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
            except (OSError, http.client.HTTPException) as error:
                status = f"error:{type(error).__name__}"
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
            samples.append((time.perf_counter() - started, status))
        connection.close()

    return run_clients(clients, budget, work)


def baseline_inserts(connections: list[Any], budget: Budget) -> tuple[list[tuple[float, str]], float]:
    """One autocommit INSERT per request on already open psycopg connections (one per client)."""
    import psycopg

    def work(index: int, budget: Budget, samples: list[tuple[float, str]]) -> None:
        connection = connections[index]
        sequence = 0
        while budget.take():
            sequence += 1
            started = time.perf_counter()
            try:
                connection.execute(
                    "INSERT INTO bench_baseline (number, customer, description, submitted_at)"
                    " VALUES (%s, %s, %s, now())",
                    (f"B-{index}-{sequence}", "压测客户", DESCRIPTIONS[sequence % len(DESCRIPTIONS)]),
                )
                status = "ok"
            except psycopg.Error as error:
                status = f"error:{type(error).__name__}"
            samples.append((time.perf_counter() - started, status))

    return run_clients(len(connections), budget, work)


# --- CPU accounting: on a small machine the app, the database and the clients share the cores ---

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of one process (Linux /proc), 0 if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def process_tree(root: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
    tree, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, parent in parents.items() if parent in frontier]
        tree += frontier
    return tree


class CpuMeter:
    """CPU used by groups of processes (and this process) between start() and stop()."""

    def __init__(self, groups: dict[str, Any]) -> None:
        self.groups = groups  # name → callable returning the pids to count
        self.before: dict[str, dict[int, float]] = {}
        self.client_before = 0.0

    def start(self) -> None:
        self.before = {name: {pid: cpu_seconds(pid) for pid in pids()} for name, pids in self.groups.items()}
        self.client_before = time.process_time()

    def stop(self, requests: int) -> dict[str, float]:
        used = {}
        for name, pids in self.groups.items():
            start = self.before.get(name, {})
            used[name] = sum(cpu_seconds(pid) - start.get(pid, 0.0) for pid in set(pids()) | set(start))
        used["bench clients"] = time.process_time() - self.client_before
        return {name: round(seconds * 1000 / max(requests, 1), 2) for name, seconds in used.items()}


def pg_backend_pids(args: argparse.Namespace) -> list[int]:
    import psycopg

    with psycopg.connect(pg_dsn(args, "postgres")) as connection:
        rows = connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", (BENCH_DB,)
        ).fetchall()
    return [row[0] for row in rows]


# --- the server and its database ---------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def app_env(var_dir: Path, database_url: str | None) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL", "REDIS_URL"}}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "aftersales.settings.production",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "SECURE_SSL_REDIRECT": "0",  # the bench speaks plain HTTP to 127.0.0.1
            "VAR_DIR": str(var_dir),
            "PYTHONPATH": str(SRC),
            "LOG_LEVEL": "WARNING",
        }
    )
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def run_step(command: list[str], env: dict[str, str], timeout: int) -> str:
    finished = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False)
    if finished.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{finished.stdout}\n{finished.stderr}")
    return finished.stdout


def pg_dsn(args: argparse.Namespace, dbname: str) -> str:
    return f"host={args.pg_host} port={args.pg_port} user={args.pg_user} dbname={dbname} connect_timeout=10"


def recreate_pg_database(args: argparse.Namespace) -> None:
    import psycopg

    with psycopg.connect(pg_dsn(args, "postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{BENCH_DB}"')


def drop_pg_database(args: argparse.Namespace) -> None:
    import psycopg

    with psycopg.connect(pg_dsn(args, "postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')


def prepare_app(env: dict[str, str]) -> dict[str, Any]:
    """Migrate, then create a bench user with an API token, a customer and a device."""
    run_step([PY, str(ROOT / "manage.py"), "migrate", "--noinput", "-v", "0"], env, timeout=600)
    return json.loads(run_step([PY, __file__, "_setup"], env, timeout=120).strip().splitlines()[-1])


def setup_in_process() -> None:
    """(Runs inside the app's environment.) Print the token and ids as JSON."""
    import datetime

    import django

    django.setup()
    from catalog.services import product_category_create, product_model_create
    from core.choices import Role
    from core.models import ApiToken
    from core.testing import build_org, make_user
    from customers.services import customer_create
    from devices.services import device_create

    org = build_org()
    user = make_user(Role.AGENT, org.hq, username="bench-agent", full_name="压测客服")
    category = product_category_create(acting_user=None, code="EBIKE", name="电动自行车", warranty_months=12)
    model = product_model_create(acting_user=None, code="TDR-48V-LI", name="TDR 48V 锂电版", category=category)
    customer = customer_create(
        acting_user=None, name="张三丰", phone="13800138000", address="浙江省杭州市西湖区文三路100号"
    )
    device = device_create(
        acting_user=None,
        customer=customer,
        product_model=model,
        serial_number="TDR48L240300001",
        purchased_on=datetime.date.today() - datetime.timedelta(days=100),
    )
    print(json.dumps({"token": ApiToken.issue(user), "customer": customer.pk, "device": device.pk}))


class Server:
    """gunicorn with the production settings on 127.0.0.1, stopped however the run ends."""

    def __init__(
        self, env: dict[str, str], args: argparse.Namespace, log: Path, probe: str = "/api/v1/openapi.json"
    ) -> None:
        self.env, self.args, self.log, self.probe = env, args, log, probe
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        command = [
            GUNICORN,
            "aftersales.wsgi",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(self.args.workers),
            "--worker-class",
            self.args.worker_class,
            "--timeout",
            "30",
            "--graceful-timeout",
            "5",
            "--log-level",
            "warning",
            "--keep-alive",
            "30",
        ]
        if self.args.worker_class == "gthread":
            command += ["--threads", str(self.args.threads)]
        # Load jieba's dictionary when a worker starts, not in its first request (about a second of
        # CPU per worker): a cold-start cost, not part of the steady state this bench measures.
        config = self.log.with_suffix(".conf.py")
        config.write_text("def post_worker_init(worker):\n    import jieba\n\n    jieba.initialize()\n")
        command += ["--config", str(config)]
        handle = self.log.open("wb")
        self.process = subprocess.Popen(
            command, env=self.env, cwd=SRC, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited; see {self.log}:\n{self.log.read_text()[-3000:]}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                # Up when the probe answers 200. The OpenAPI schema is built by the first request:
                # seconds of CPU on a busy machine, hence the timeout (a shorter one retries forever).
                probe = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
                probe.request("GET", self.probe)
                if probe.getresponse().status == 200:
                    probe.close()
                    return self
            time.sleep(0.2)
        self.__exit__(None, None, None)
        raise SystemExit(f"gunicorn did not answer within {STARTUP_SECONDS} s; see {self.log}")

    def __exit__(self, *exc: Any) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)


def count_pg_orders(args: argparse.Namespace) -> int:
    import psycopg

    with psycopg.connect(pg_dsn(args, BENCH_DB)) as connection:
        row = connection.execute("SELECT count(*) FROM workorders_workorder").fetchone()
        return int(row[0]) if row else 0


def count_sqlite_orders(var_dir: Path) -> int:
    with contextlib.closing(sqlite3.connect(var_dir / "aftersales.sqlite3", timeout=30)) as connection:
        return int(connection.execute("SELECT count(*) FROM workorders_workorder").fetchone()[0])


def intake_run(
    name: str, target: str, env: dict[str, str], args: argparse.Namespace, setup: dict[str, Any], log: Path
) -> tuple[RunResult, int]:
    with Server(env, args, log) as server:
        # Warm every worker thread (imports, URL resolver, DB connections): some seconds and at
        # least three requests per server thread, whichever is more.
        threads = args.workers * (args.threads if args.worker_class == "gthread" else 1)
        warm = Budget(seconds=None, requests=3 * threads)
        warm_samples, _ = http_intake(
            server.port, setup["token"], setup["customer"], setup["device"], args.clients, warm
        )
        warm = Budget(seconds=args.warmup, requests=None)
        warm_samples += http_intake(
            server.port, setup["token"], setup["customer"], setup["device"], args.clients, warm
        )[0]
        assert server.process is not None
        master = server.process.pid
        groups: dict[str, Any] = {"app server": lambda: process_tree(master)}
        if target == "postgres":
            groups["PostgreSQL"] = lambda: pg_backend_pids(args)
        meter = CpuMeter(groups)
        load = os.getloadavg()[0]
        meter.start()
        budget = Budget(seconds=args.seconds, requests=args.requests)
        samples, elapsed = http_intake(
            server.port, setup["token"], setup["customer"], setup["device"], args.clients, budget
        )
        cpu = meter.stop(len(samples))
    result = summarise(name, target, args.clients, samples, elapsed, "201")
    result.cpu_ms_per_request = cpu
    result.load_average_before = round(load, 2)
    text = log.read_text(errors="replace")
    result.database_locked = text.count("database is locked")
    warm_errors = sum(1 for _latency, status in warm_samples if status != "201")
    result.notes.append(f"warm-up: {len(warm_samples)} requests ({warm_errors} not 201), not counted")
    if "Traceback" in text:
        result.notes.append(f"server log has {text.count('Traceback')} tracebacks: {log}")
    return result, len(warm_samples) - warm_errors


# --- profiling ---------------------------------------------------------------------------------


def profile_in_process(count: int) -> None:
    """(Runs inside the app's environment.) Where the time of one creation goes.

    Creations go through Django's test client (the whole middleware and API stack, no HTTP
    server). Reported: wall and CPU time per request, time waiting for SQL, the statements of one
    request, inclusive time in the main pieces of the service, and cProfile's top functions.
    """
    import cProfile
    import io
    import pstats

    import django

    django.setup()
    from django.contrib.auth.models import PermissionsMixin
    from django.db import connection
    from django.test import Client

    import core.api
    import core.changelog
    import workorders.api
    import workorders.services
    from workorders.models import WorkOrder

    setup = json.loads(os.environ["BENCH_SETUP"])
    client = Client(HTTP_AUTHORIZATION=f"Bearer {setup['token']}")
    payload = {"customer": setup["customer"], "device": setup["device"], "service_type": "repair", "channel": "api"}

    def create(i: int) -> None:
        body = json.dumps({**payload, "description": f"{DESCRIPTIONS[i % len(DESCRIPTIONS)]}（剖析 {i}）"})
        response = client.post(PATH, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=uuid.uuid4().hex)
        assert response.status_code == 201, response.content

    pieces: Counter[str] = Counter()

    def measure(owner: Any, name: str, label: str) -> None:
        original = getattr(owner, name)

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                pieces[label] += time.perf_counter() - started

        setattr(owner, name, wrapper)

    measure(core.api, "idempotent_create", "idempotent_create (whole create incl. the pieces below)")
    measure(core.api.TokenAuth, "authenticate", "bearer token lookup")
    measure(workorders.services, "workorder_create", "workorder_create service")
    measure(workorders.services, "next_number", "numbering (own connection + commit)")
    measure(workorders.services, "search_document", "search text (jieba + pinyin)")
    measure(WorkOrder, "full_clean", "WorkOrder.full_clean (FK + unique checks)")
    measure(core.changelog, "_record", "change log entry")
    measure(PermissionsMixin, "has_perm", "permission checks")
    measure(workorders.api, "summary", "response body (summary)")

    for i in range(20):
        create(i)  # warm: imports, jieba dictionary, connection
    pieces.clear()
    statements: list[tuple[float, str]] = []

    def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            statements.append((time.perf_counter() - started, sql))

    with connection.execute_wrapper(record):
        create(10_000)
    one_request = list(statements)
    statements.clear()
    pieces.clear()
    cpu_started = time.process_time()
    started = time.perf_counter()
    with connection.execute_wrapper(record):
        for i in range(count):
            create(20_000 + i)
    wall = (time.perf_counter() - started) / count
    cpu = (time.process_time() - cpu_started) / count
    sql_wait = sum(seconds for seconds, _sql in statements) / count
    timings = {label: seconds / count for label, seconds in pieces.items()}
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    for i in range(count):
        create(40_000 + i)
    profiler.disable()
    profiled = (time.perf_counter() - started) / count

    print(f"{count} creations in one process (test client, no HTTP server):")
    print(f"  {wall * 1000:.2f} ms per request, {cpu * 1000:.2f} ms CPU in the app process")
    print(f"  waiting for SQL on the default connection (driver + round trips): {sql_wait * 1000:.2f} ms")
    print("  inclusive time in the main pieces, per request:")
    for label, seconds in sorted(timings.items(), key=lambda item: -item[1]):
        print(f"    {seconds * 1000:7.2f} ms  {label}")
    print(f"{len(one_request)} SQL statements on the default connection in one request:")
    for seconds, sql in one_request:
        print(f"  {seconds * 1000:6.2f} ms  {sql[:140]}")
    print(f"under cProfile: {profiled * 1000:.2f} ms per request; own time by package (share of the total):")
    by_package: Counter[str] = Counter()
    stats = pstats.Stats(profiler)
    for (filename, _line, _name), row in stats.stats.items():  # type: ignore[attr-defined]
        by_package[package_of(filename)] += row[2]
    total = sum(by_package.values()) or 1.0
    for package, seconds in by_package.most_common(12):
        print(f"  {seconds / total:6.1%}  {package}")
    what_if(create, count, record, statements)
    for sort in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(sort).print_stats(30)
        print(f"--- top functions by {sort} ---")
        print("\n".join(line for line in out.getvalue().splitlines()[6:] if line.strip()))


def package_of(filename: str) -> str:
    """Group profiler rows: the app's own code, Django's ORM, the rest of Django, each library."""
    if "site-packages/" in filename:
        parts = filename.split("site-packages/", 1)[1].split("/")
        if parts[0] == "django" and len(parts) > 1 and parts[1] == "db":
            return "django.db (ORM, SQL compiler)"
        return parts[0].removesuffix(".py")
    if filename.startswith(str(SRC)):
        return "app code (src/" + filename[len(str(SRC)) + 1 :].split("/", 1)[0] + ")"
    if filename.startswith("~") or filename.startswith("<"):
        return "builtins (C: sockets, hashing, str, dict …)"
    return "Python standard library"


def what_if(create: Any, count: int, record: Any, statements: list[tuple[float, str]]) -> None:
    """Measure proposed service changes, applied cumulatively inside this measuring process only
    (monkeypatches; the code base is unchanged): how much CPU and how many statements each saves."""
    from django.contrib.auth.models import PermissionsMixin
    from django.db import connection
    from django.utils import timezone

    import workorders.services

    def measure(label: str) -> None:
        statements.clear()
        cpu_started, started = time.process_time(), time.perf_counter()
        with connection.execute_wrapper(record):
            for i in range(count):
                create(60_000 + i)
        wall = (time.perf_counter() - started) / count * 1000
        cpu = (time.process_time() - cpu_started) / count * 1000
        print(f"  {wall:7.2f} ms  {cpu:6.2f} ms CPU  {len(statements) / count:5.1f} statements  {label}")

    print("what if (cumulative; wall and app-process CPU per request; statements on the default connection):")
    measure("as is")

    original_has_perm = PermissionsMixin.has_perm
    cache: dict[tuple[int, str], bool] = {}

    def cached_has_perm(self: Any, perm: str, obj: Any = None) -> bool:
        if obj is not None or not self.pk:
            return original_has_perm(self, perm, obj)
        key = (self.pk, perm)
        if key not in cache:
            cache[key] = original_has_perm(self, perm, obj)
        return cache[key]

    PermissionsMixin.has_perm = cached_has_perm  # type: ignore[method-assign]
    measure("+ role permissions cached in the process (not re-read from the database per request)")

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("CREATE SEQUENCE IF NOT EXISTS bench_wo_number START 900000")  # clear of today's numbers

        def sequence_number(kind: str, *, width: int = 4) -> str:
            with connection.cursor() as cursor:
                cursor.execute("SELECT nextval('bench_wo_number')")
                value = cursor.fetchone()[0]
            return f"{kind}-{timezone.localdate():%Y%m%d}-{value:0{width}d}"

        workorders.services.next_number = sequence_number  # type: ignore[attr-defined]
        measure("+ numbers from a PostgreSQL sequence on the request's connection (no 2nd connection, no 2nd commit)")


# --- main --------------------------------------------------------------------------------------


def table(results: list[RunResult]) -> str:
    header = ("run", "clients", "ok", "errors", "per s", "p50 ms", "p95 ms", "p99 ms", "max ms", "5xx", "locked")
    rows = [
        (
            r.name,
            str(r.clients),
            str(r.ok),
            str(r.errors),
            f"{r.per_second:.1f}",
            f"{r.p50_ms:.1f}",
            f"{r.p95_ms:.1f}",
            f"{r.p99_ms:.1f}",
            f"{r.max_ms:.1f}",
            str(r.server_5xx) if r.target != "psycopg" else "-",
            str(r.database_locked) if r.target == "sqlite" else "-",
        )
        for r in results
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(cell.rjust(widths[i]) if i else cell.ljust(widths[i]) for i, cell in enumerate(row))
        for row in [header, *rows]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def parse_args(argv: list[str]) -> argparse.Namespace:
    cores = os.cpu_count() or 1
    parser = argparse.ArgumentParser(prog="./dev bench intake", description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8)
    bound = parser.add_mutually_exclusive_group()
    bound.add_argument("--seconds", type=float, default=None, help="measure for this long (default 20)")
    bound.add_argument("--requests", type=int, default=None, help="measure this many requests in total")
    parser.add_argument("--database", choices=["postgres", "sqlite", "both"], default="both")
    parser.add_argument("--workers", type=int, default=2 * cores + 1)
    parser.add_argument("--worker-class", choices=["gthread", "sync"], default="gthread")
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of unmeasured warm-up per server")
    parser.add_argument("--pg-host", default="127.0.0.1")
    parser.add_argument("--pg-port", type=int, default=5432)
    parser.add_argument("--pg-user", default="postgres")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="also profile N creations in-process")
    parser.add_argument("--keep", action="store_true", help="keep the bench database and files afterwards")
    args = parser.parse_args(argv)
    if args.seconds is None and args.requests is None:
        args.seconds = 20.0
    if not 1 <= args.clients <= 64:
        parser.error("--clients must be from 1 to 64")
    if args.seconds is not None and not 0 < args.seconds <= MAX_SECONDS:
        parser.error(f"--seconds must be from 0 to {MAX_SECONDS}")
    if args.requests is not None and not 0 < args.requests <= MAX_REQUESTS:
        parser.error(f"--requests must be from 1 to {MAX_REQUESTS}")
    if args.pg_host not in LOCAL_HOSTS:
        parser.error("the benchmark only talks to this machine (--pg-host 127.0.0.1)")
    if not 0 <= args.warmup <= 30:
        parser.error("--warmup must be from 0 to 30 seconds")
    return args


def main(argv: list[str]) -> int:
    if argv[:1] == ["_setup"]:
        setup_in_process()
        return 0
    if argv[:1] == ["_profile"]:
        profile_in_process(int(argv[1]))
        return 0
    args = parse_args(argv)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    work = Path(tempfile.mkdtemp(prefix="intake-bench-"))
    results: list[RunResult] = []
    profile_text = ""
    bound = f"{args.seconds:g} s" if args.seconds else f"{args.requests} requests"
    server_config = (
        f"gunicorn {args.workers} × {args.worker_class}"
        + (f" ({args.threads} threads)" if args.worker_class == "gthread" else "")
        + f" on {os.cpu_count()} cores"
    )
    print(f"intake benchmark: {args.clients} clients, {bound} per run, {server_config}", flush=True)
    try:
        if args.database in {"postgres", "both"}:
            print(f"PostgreSQL: recreating {BENCH_DB}, migrating …", flush=True)
            recreate_pg_database(args)
            url = f"postgres://{args.pg_user}@{args.pg_host}:{args.pg_port}/{BENCH_DB}"
            env = app_env(work / "pg-var", url)
            (work / "pg-var").mkdir()
            setup = prepare_app(env)
            print("PostgreSQL: intake through gunicorn …", flush=True)
            product, warm_ok = intake_run("intake (PostgreSQL)", "postgres", env, args, setup, work / "pg-server.log")
            product.rows_in_database = count_pg_orders(args) - warm_ok
            results.append(product)
            print("PostgreSQL: baseline single-row INSERTs through psycopg …", flush=True)
            import psycopg

            with psycopg.connect(pg_dsn(args, BENCH_DB), autocommit=True) as connection:
                connection.execute(
                    "CREATE TABLE bench_baseline (id bigserial PRIMARY KEY, number text NOT NULL,"
                    " customer text NOT NULL, description text NOT NULL, submitted_at timestamptz NOT NULL)"
                )
            connections = [psycopg.connect(pg_dsn(args, BENCH_DB), autocommit=True) for _client in range(args.clients)]
            try:
                meter = CpuMeter({"PostgreSQL": lambda: pg_backend_pids(args)})
                load = os.getloadavg()[0]
                meter.start()
                baseline_samples, elapsed = baseline_inserts(
                    connections, Budget(seconds=None, requests=max(product.ok, 1))
                )
                cpu = meter.stop(len(baseline_samples))
            finally:
                for connection in connections:
                    connection.close()
            baseline = summarise("baseline INSERT (psycopg)", "psycopg", args.clients, baseline_samples, elapsed, "ok")
            baseline.cpu_ms_per_request = cpu
            baseline.load_average_before = round(load, 2)
            baseline.notes.append("one autocommit INSERT per request, same client count and request count")
            results.append(baseline)
            if args.profile:
                print(f"PostgreSQL: profiling {args.profile} creations in one process …", flush=True)
                profile_env = {**env, "BENCH_SETUP": json.dumps(setup)}
                try:
                    profile_text = run_step([PY, __file__, "_profile", str(args.profile)], profile_env, timeout=600)
                except (SystemExit, subprocess.TimeoutExpired) as error:
                    profile_text = f"profiling failed: {error}"
        if args.database in {"sqlite", "both"}:
            print("SQLite: fresh file, migrating …", flush=True)
            (work / "sqlite-var").mkdir()
            env = app_env(work / "sqlite-var", None)
            setup = prepare_app(env)
            print("SQLite: intake through gunicorn …", flush=True)
            product, warm_ok = intake_run("intake (SQLite)", "sqlite", env, args, setup, work / "sqlite-server.log")
            product.rows_in_database = count_sqlite_orders(work / "sqlite-var") - warm_ok
            results.append(product)
    finally:
        if args.database in {"postgres", "both"} and not args.keep:
            with contextlib.suppress(Exception):
                drop_pg_database(args)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    print()
    print(table(results))
    by_name = {r.target: r for r in results}
    summary: dict[str, Any] = {}
    if "postgres" in by_name and "psycopg" in by_name and by_name["psycopg"].per_second:
        ratio = by_name["postgres"].per_second / by_name["psycopg"].per_second
        summary["product_over_baseline"] = round(ratio, 3)
        print(f"\nproduct / baseline (PostgreSQL): {ratio:.1%} of the database's single-row insert rate")
    if "postgres" in by_name:
        pg = by_name["postgres"]
        met = pg.per_second >= 200 and pg.p99_ms < 200 and pg.errors == 0
        summary["target_met"] = met
        print(f"target ≥ 200 orders/s with p99 < 200 ms on PostgreSQL: {'met' if met else 'NOT met'}")
    print("\nCPU per request (ms) — the cores are shared by the app, the database and the clients:")
    for result in results:
        parts = ", ".join(f"{name} {ms:.2f}" for name, ms in result.cpu_ms_per_request.items())
        print(f"  {result.name}: {parts}  (1-min load average before: {result.load_average_before})")
    for result in results:
        for note in result.notes:
            print(f"  {result.name}: {note}")
        if result.rows_in_database is not None and result.rows_in_database != result.ok:
            print(f"  {result.name}: {result.rows_in_database} orders in the database vs {result.ok} × 201")
    if profile_text:
        print("\n" + profile_text)

    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"intake-{stamp}.json"
    out.write_text(
        json.dumps(
            {
                "benchmark": "intake",
                "at": datetime.now().astimezone().isoformat(timespec="seconds"),
                "config": {
                    "clients": args.clients,
                    "seconds": args.seconds,
                    "requests": args.requests,
                    "server": server_config,
                    "workers": args.workers,
                    "worker_class": args.worker_class,
                    "threads": args.threads if args.worker_class == "gthread" else 1,
                    "warmup_seconds": args.warmup,
                },
                "machine": {
                    "cpus": os.cpu_count(),
                    "python": platform.python_version(),
                    "platform": platform.platform(),
                },
                "commit": git_commit(),
                "results": [asdict(r) for r in results],
                "summary": summary,
                "profile": profile_text or None,
            },
            ensure_ascii=False,
            indent=2,
        )
        + "\n"
    )
    print(f"\nresults: {out.relative_to(ROOT)}")
    return 0


def _cookies(response: http.client.HTTPResponse) -> dict[str, str]:
    jar = {}
    for header in response.msg.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        jar[name.strip()] = rest.split(";", 1)[0]
    return jar


def session_login(port: int, *, username: str, password: str) -> str:
    """A session cookie header, from the real login form (CSRF token and all)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    connection.request("GET", "/login/")
    response = connection.getresponse()
    body = response.read().decode()
    jar = _cookies(response)
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if not match or "csrftoken" not in jar:
        raise SystemExit(f"login page without a CSRF token ({response.status})")
    form = urllib.parse.urlencode({"username": username, "password": password, "csrfmiddlewaretoken": match.group(1)})
    connection.request(
        "POST",
        "/login/",
        body=form,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"csrftoken={jar['csrftoken']}"},
    )
    response = connection.getresponse()
    response.read()
    jar.update(_cookies(response))
    connection.close()
    if response.status != 302 or "sessionid" not in jar:
        raise SystemExit(f"login failed: {response.status}")
    return "; ".join(f"{k}={v}" for k, v in jar.items())


def git_commit() -> str | None:
    with contextlib.suppress(Exception):
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=10, check=True
        ).stdout.strip()
    return None


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
