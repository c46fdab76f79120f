#!/usr/bin/env python
"""Crash safety with real processes: ``./dev bench crash [--orders 10000] [--clients 8]
[--database postgres|sqlite|both] [--workers 3] [--no-pg-restart]``.

What one run does, per database (issue 10, point 4; see benchmarks/README.md):

1. A fresh database (PostgreSQL ``aftersales_bench`` or a SQLite file), migrated, with the bench
   agent, customer and device of the intake benchmark; an SMS gateway — a real HTTP server in this
   process that records every POST and, like a real gateway, treats a repeated ``Idempotency-Key``
   as the same message; gunicorn with the production settings; the outbox worker
   (``manage.py notify_worker``, short lease so a killed worker's claims come back quickly).
2. N clients create ``--orders`` work orders, each with its own ``Idempotency-Key`` and retrying on
   any connection error or 5xx with the same key and body, then accept each one (the accept queues
   the customer's ``order_accepted`` SMS); a 409 on a retried accept whose order is already
   accepted is success.
3. Meanwhile the chaos thread, at fixed shares of the progress: SIGKILLs a gunicorn worker (the
   master starts another), SIGKILLs the outbox worker and starts a new one, restarts PostgreSQL
   (``pg_ctlcluster … restart``; PostgreSQL only, when this user may), and kills both again.
4. Once the clients are done and the outbox has drained, it checks: exactly ``--orders`` orders,
   none twice (each description carries its client sequence), all accepted, every order with its
   SLA clock, every queued message sent and received by the gateway (distinct message ids =
   messages queued), and how many deliveries the gateway saw twice (a kill between the send and
   its commit makes the worker send again; the ``Idempotency-Key`` makes that the same message).

Exit status 1 when a check fails. Results: a table on stdout and JSON in benchmarks/results/.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import platform
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from intake import (
    BENCH_DB,
    PY,
    RESULTS,
    ROOT,
    SRC,
    Server,
    app_env,
    drop_pg_database,
    free_port,
    git_commit,
    pg_dsn,
    prepare_app,
    process_tree,
    recreate_pg_database,
)

REQUEST_TIMEOUT = 15.0
RETRY_FOR_SECONDS = 180.0
DRAIN_SECONDS = 300.0
MAX_ORDERS = 50_000


# --- the SMS gateway ---------------------------------------------------------------------------


class Gateway:
    """An SMS gateway on 127.0.0.1: answers 200 ``{"message_id"}`` and counts every delivery."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.deliveries: Counter[str] = Counter()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                key = self.headers.get("Idempotency-Key") or str(body.get("message_id"))
                with gateway.lock:
                    gateway.deliveries[key] += 1
                answer = json.dumps({"message_id": key}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Gateway:
        self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.shutdown()
        self.server.server_close()


# --- the outbox worker -------------------------------------------------------------------------


class OutboxWorker:
    """``manage.py notify_worker`` as its own process, killed and started again by the chaos."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env, self.log = env, log
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> None:
        handle = self.log.open("ab")
        command = [PY, str(ROOT / "manage.py"), "notify_worker", "--lease", "5", "--idle", "0.5", "--batch", "50"]
        self.process = subprocess.Popen(
            command, env=self.env, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.starts += 1

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


# --- the clients -------------------------------------------------------------------------------


class Progress:
    def __init__(self, total: int) -> None:
        self.total = total
        self.lock = threading.Lock()
        self.next_index = 0
        self.accepted = 0
        self.retries: Counter[str] = Counter()
        self.gave_up: list[str] = []

    def take(self) -> int | None:
        with self.lock:
            if self.next_index >= self.total:
                return None
            self.next_index += 1
            return self.next_index

    def share_done(self) -> float:
        with self.lock:
            return self.accepted / self.total


def request_until_answered(
    connection_box: list[http.client.HTTPConnection],
    port: int,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    headers: dict[str, str],
    progress: Progress,
) -> tuple[int, dict[str, Any]]:
    """Send until the server answers below 500 (same body and headers each time): a client's retries."""
    payload = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
    deadline = time.monotonic() + RETRY_FOR_SECONDS
    while True:
        try:
            connection_box[0].request(method, path, body=payload, headers=headers)
            response = connection_box[0].getresponse()
            data = response.read()
            if response.status < 500:
                return response.status, json.loads(data or b"{}")
            reason = str(response.status)
        except (OSError, http.client.HTTPException, json.JSONDecodeError) as error:
            reason = type(error).__name__
            connection_box[0].close()
            connection_box[0] = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
        with progress.lock:
            progress.retries[f"{method} {reason}"] += 1
        if time.monotonic() > deadline:
            raise TimeoutError(f"{method} {path}: no answer below 500 within {RETRY_FOR_SECONDS:g} s ({reason})")
        time.sleep(0.2)


def client(index: int, port: int, setup: dict[str, Any], progress: Progress, run_id: str) -> None:
    box = [http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)]
    auth = {"Authorization": f"Bearer {setup['token']}", "Content-Type": "application/json"}
    while (sequence := progress.take()) is not None:
        key = f"crash-{run_id}-{sequence}"
        body = {
            "customer": setup["customer"],
            "device": setup["device"],
            "service_type": "repair",
            "channel": "api",
            "confirm_duplicate": True,  # one bench device: every order after the first is a "possible duplicate"
            "description": f"开机无反应（崩溃测试 {run_id} 第 {sequence} 单）",
        }
        try:
            status, created = request_until_answered(
                box, port, "POST", "/api/v1/work-orders", body, {**auth, "Idempotency-Key": key}, progress
            )
            if status not in (200, 201):
                raise RuntimeError(f"create {sequence}: {status} {created}")
            path = f"/api/v1/work-orders/{created['id']}/transitions"
            status, answer = request_until_answered(box, port, "POST", path, {"action": "accept"}, auth, progress)
            if status == 409:  # a retried accept after the first one committed: look at the order
                status, order = request_until_answered(
                    box, port, "GET", f"/api/v1/work-orders/{created['id']}", None, auth, progress
                )
                if order.get("status") != "accepted":
                    raise RuntimeError(f"accept {sequence}: 409 and the order is {order.get('status')}")
            elif status != 200:
                raise RuntimeError(f"accept {sequence}: {status} {answer}")
        except (RuntimeError, TimeoutError) as error:
            with progress.lock:
                progress.gave_up.append(str(error))
            continue
        with progress.lock:
            progress.accepted += 1
    box[0].close()


# --- the chaos ---------------------------------------------------------------------------------


def pg_restart_command(port: int) -> list[str] | None:
    """``pg_ctlcluster VERSION NAME restart`` for the cluster on ``port``, when there is one."""
    if shutil.which("pg_lsclusters") is None or shutil.which("pg_ctlcluster") is None:
        return None
    listing = subprocess.run(["pg_lsclusters", "-h"], capture_output=True, text=True, check=False).stdout
    for line in listing.splitlines():
        fields = line.split()
        if len(fields) >= 3 and fields[2] == str(port):
            return ["pg_ctlcluster", fields[0], fields[1], "restart"]
    return None


def chaos(
    server: Server, worker: OutboxWorker, progress: Progress, restart_pg: list[str] | None, log: list[str]
) -> None:
    assert server.process is not None
    master = server.process.pid

    def kill_web_worker() -> None:
        children = [pid for pid in process_tree(master) if pid != master]
        if children:
            os.kill(children[0], signal.SIGKILL)
            log.append(f"SIGKILL web worker {children[0]}")

    def kill_outbox_worker() -> None:
        worker.kill()
        log.append("SIGKILL outbox worker")
        time.sleep(1.0)
        worker.start()

    def restart_database() -> None:
        if restart_pg is None:
            return
        started = time.monotonic()
        finished = subprocess.run(restart_pg, capture_output=True, text=True, timeout=120, check=False)
        note = "" if finished.returncode == 0 else f" (failed: {finished.stderr.strip()[:200]})"
        log.append(f"restart PostgreSQL in {time.monotonic() - started:.1f} s{note}")

    steps = [
        (0.15, kill_web_worker),
        (0.30, kill_outbox_worker),
        (0.45, restart_database),
        (0.60, kill_web_worker),
        (0.75, kill_outbox_worker),
        (0.80, restart_database),
        (0.90, kill_web_worker),
    ]
    for share, step in steps:
        while progress.share_done() < share:
            if progress.next_index >= progress.total and threading.active_count() <= 3:
                return
            time.sleep(0.05)
        step()


# --- checks ------------------------------------------------------------------------------------


def query(target: str, args: argparse.Namespace, var_dir: Path, sql: str) -> list[tuple[Any, ...]]:
    if target == "postgres":
        import psycopg

        with psycopg.connect(pg_dsn(args, BENCH_DB)) as connection:
            return list(connection.execute(sql).fetchall())
    with contextlib.closing(sqlite3.connect(var_dir / "aftersales.sqlite3", timeout=30)) as connection:
        return list(connection.execute(sql).fetchall())


def wait_for_outbox(target: str, args: argparse.Namespace, var_dir: Path) -> int:
    """Seconds until no message is pending or sending (the worker keeps running)."""
    started = time.monotonic()
    while time.monotonic() - started < DRAIN_SECONDS:
        rows = query(
            target, args, var_dir, "SELECT count(*) FROM notify_outboxmessage WHERE status IN ('pending', 'sending')"
        )
        if rows[0][0] == 0:
            break
        time.sleep(1.0)
    return round(time.monotonic() - started)


def checks(target: str, args: argparse.Namespace, var_dir: Path, run_id: str, gateway: Gateway) -> dict[str, Any]:
    def one(sql: str) -> Any:
        return query(target, args, var_dir, sql)[0][0]

    orders = one("SELECT count(*) FROM workorders_workorder")
    distinct = one("SELECT count(DISTINCT description) FROM workorders_workorder")
    accepted = one("SELECT count(*) FROM workorders_workorder WHERE status = 'accepted'")
    without_clock = one(
        "SELECT count(*) FROM workorders_workorder o WHERE NOT EXISTS "
        "(SELECT 1 FROM sla_orderservicelevel s WHERE s.order_id = o.id)"
    )
    statuses = dict(query(target, args, var_dir, "SELECT status, count(*) FROM notify_outboxmessage GROUP BY status"))
    # The message UUID is the Idempotency-Key (a uuid column on PostgreSQL, 32 hex digits on SQLite).
    sms_keys = {
        uuid.UUID(str(row[0])).hex
        for row in query(target, args, var_dir, "SELECT uuid FROM notify_outboxmessage WHERE channel = 'sms'")
    }
    with gateway.lock:
        received: dict[str, int] = Counter()
        for key, count in gateway.deliveries.items():
            received[uuid.UUID(key).hex] += count
    missing = len(sms_keys - received.keys())
    unexpected = len(received.keys() - sms_keys)
    return {
        "orders": orders,
        "distinct_orders": distinct,
        "accepted": accepted,
        "orders_without_sla_clock": without_clock,
        "outbox_by_status": statuses,
        "sms_queued": len(sms_keys),
        "sms_received_distinct": len(received),
        "sms_not_received": missing,
        "sms_received_not_queued": unexpected,
        "deliveries_in_total": sum(received.values()),
        "messages_delivered_more_than_once": sum(1 for count in received.values() if count > 1),
    }


def verdict(result: dict[str, Any], expected: int) -> list[str]:
    problems = []
    if result["orders"] != expected:
        problems.append(f"{result['orders']} orders, expected {expected}")
    if result["distinct_orders"] != result["orders"]:
        problems.append(f"{result['orders'] - result['distinct_orders']} orders created twice")
    if result["accepted"] != expected:
        problems.append(f"{result['accepted']} accepted, expected {expected}")
    if result["orders_without_sla_clock"]:
        problems.append(f"{result['orders_without_sla_clock']} orders without an SLA clock")
    unfinished = {k: v for k, v in result["outbox_by_status"].items() if k not in {"sent", "cancelled"}}
    if unfinished:
        problems.append(f"outbox not delivered: {unfinished}")
    if result["sms_queued"] != expected:
        problems.append(f"{result['sms_queued']} SMS queued, expected one per order ({expected})")
    if result["sms_not_received"] or result["sms_received_not_queued"]:
        problems.append(
            f"gateway: {result['sms_not_received']} queued messages never received, "
            f"{result['sms_received_not_queued']} received that were never queued"
        )
    if result["client_gave_up"]:
        problems.append(f"clients gave up on {len(result['client_gave_up'])} orders: {result['client_gave_up'][:3]}")
    return problems


# --- one run -----------------------------------------------------------------------------------


def crash_run(target: str, args: argparse.Namespace, work: Path) -> dict[str, Any]:
    var_dir = work / f"{target}-var"
    var_dir.mkdir()
    url = None
    if target == "postgres":
        recreate_pg_database(args)
        url = f"postgres://{args.pg_user}@{args.pg_host}:{args.pg_port}/{BENCH_DB}"
    env = app_env(var_dir, url)
    print(f"{target}: migrating …", flush=True)
    setup = prepare_app(env)
    run_id = datetime.now().strftime("%H%M%S")
    restart = pg_restart_command(args.pg_port) if target == "postgres" and args.pg_restart else None
    chaos_log: list[str] = []
    if target == "postgres" and args.pg_restart and restart is None:
        chaos_log.append("PostgreSQL not restarted: no pg_ctlcluster for its port on this machine")
    with Gateway() as gateway:
        env = {
            **env,
            "NOTIFY_SMS_URL": gateway.url,
            "NOTIFY_KICK_ON_COMMIT": "0",  # only the outbox worker sends: the process being killed
            "NOTIFY_BACKOFF_SECONDS": "1",
            "NOTIFY_BACKOFF_MAX_SECONDS": "5",
            "NOTIFY_MAX_ATTEMPTS": "100",
            "NOTIFY_HTTP_TIMEOUT": "5",
        }
        server_args = argparse.Namespace(workers=args.workers, worker_class="gthread", threads=4)
        worker = OutboxWorker(env, work / f"{target}-worker.log")
        with Server(env, server_args, work / f"{target}-server.log") as server:
            worker.start()
            progress = Progress(args.orders)
            threads = [
                threading.Thread(target=client, args=(i, server.port, setup, progress, run_id), daemon=True)
                for i in range(args.clients)
            ]
            started = time.monotonic()
            print(
                f"{target}: {args.clients} clients creating and accepting {args.orders} orders, with kills …",
                flush=True,
            )
            for thread in threads:
                thread.start()
            chaos_thread = threading.Thread(
                target=chaos, args=(server, worker, progress, restart, chaos_log), daemon=True
            )
            chaos_thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.monotonic() - started
            chaos_thread.join(timeout=5)
            print(f"{target}: clients done in {elapsed:.0f} s; waiting for the outbox …", flush=True)
            drained = wait_for_outbox(target, args, var_dir)
            time.sleep(1.0)
            worker.stop()
        server_log = (work / f"{target}-server.log").read_text(errors="replace")
        result = checks(target, args, var_dir, run_id, gateway)
    result.update(
        {
            "target": target,
            "clients": args.clients,
            "seconds": round(elapsed, 1),
            "orders_per_second": round(args.orders / elapsed, 1) if elapsed else None,
            "outbox_drained_after_seconds": drained,
            "chaos": chaos_log,
            "outbox_worker_starts": worker.starts,
            "client_retries": dict(progress.retries),
            "client_gave_up": progress.gave_up,
            "server_tracebacks": server_log.count("Traceback"),
        }
    )
    result["problems"] = verdict(result, args.orders)
    return result


def report(result: dict[str, Any]) -> bool:
    """Print one database's figures and checks; True when every check passed."""
    print(
        f"== {result['target']}: {result['orders']} orders in {result['seconds']} s ({result['orders_per_second']}/s)"
    )
    for line in result["chaos"]:
        print(f"   chaos: {line}")
    print(f"   retries by the clients: {result['client_retries'] or 'none'}")
    print(
        f"   orders {result['orders']} (distinct {result['distinct_orders']}), accepted {result['accepted']}, "
        f"without SLA clock {result['orders_without_sla_clock']}"
    )
    print(
        f"   outbox {result['outbox_by_status']}; SMS queued {result['sms_queued']}, received "
        f"{result['sms_received_distinct']} distinct in {result['deliveries_in_total']} deliveries "
        f"({result['messages_delivered_more_than_once']} sent again after a kill, same Idempotency-Key); "
        f"drained {result['outbox_drained_after_seconds']} s after the clients"
    )
    print(f"   server tracebacks in the log: {result['server_tracebacks']}")
    if result["problems"]:
        for problem in result["problems"]:
            print(f"   FAILED: {problem}", flush=True)
        return False
    print("   all checks passed", flush=True)
    return True


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="./dev bench crash", description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--database", choices=["postgres", "sqlite", "both"], default="both")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (4 threads each)")
    parser.add_argument("--no-pg-restart", dest="pg_restart", action="store_false", help="do not restart PostgreSQL")
    parser.add_argument("--pg-host", default="127.0.0.1")
    parser.add_argument("--pg-port", type=int, default=5432)
    parser.add_argument("--pg-user", default="postgres")
    parser.add_argument("--keep", action="store_true", help="keep the bench database and files afterwards")
    args = parser.parse_args(argv)
    if not 10 <= args.orders <= MAX_ORDERS:
        parser.error(f"--orders must be from 10 to {MAX_ORDERS}")
    if not 1 <= args.clients <= 64:
        parser.error("--clients must be from 1 to 64")
    if args.workers < 2:
        parser.error("--workers must be at least 2 (one is killed while the others serve)")
    if args.pg_host not in {"127.0.0.1", "localhost", "::1"}:
        parser.error("the benchmark only talks to this machine (--pg-host 127.0.0.1)")
    return args


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="crash-bench-"))
    targets = ["postgres", "sqlite"] if args.database == "both" else [args.database]
    results = []
    passed: list[bool] = []
    try:
        for target in targets:
            results.append(crash_run(target, args, work))
            print()
            passed.append(report(results[-1]))  # at once: a later run may be interrupted
    finally:
        if "postgres" in targets and not args.keep:
            with contextlib.suppress(Exception):
                drop_pg_database(args)
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"files kept in {work}")
    failed = not all(passed)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"crash-{datetime.now().strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(
        json.dumps(
            {
                "benchmark": "crash",
                "at": datetime.now().astimezone().isoformat(timespec="seconds"),
                "config": {"orders": args.orders, "clients": args.clients, "workers": args.workers},
                "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
                "commit": git_commit(),
                "results": results,
            },
            ensure_ascii=False,
            indent=2,
        )
        + "\n"
    )
    print(f"\nresults: {out.relative_to(ROOT)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.path.insert(0, str(SRC))
    sys.exit(main(sys.argv[1:]))
