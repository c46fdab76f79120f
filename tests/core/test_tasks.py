"""Background jobs: the idempotency purge, in-process (immediate mode) and through a real worker."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.db import connection
from django.utils import timezone
from huey.contrib.djhuey import HUEY
from huey.storage import SqliteStorage

from core.models import IdempotencyRecord
from core.tasks import purge_idempotency_records

ROOT = Path(__file__).resolve().parents[2]
WORKER_DEADLINE_SECONDS = 20


def make_record(key: str, *, age: timedelta) -> IdempotencyRecord:
    record = IdempotencyRecord.objects.create(
        key=key, scope="workorders.create", request_hash="0" * 64, status_code=201, response={"id": 1}
    )
    IdempotencyRecord.objects.filter(pk=record.pk).update(created_at=timezone.now() - age)
    return record


def remaining_keys() -> set[str]:
    return set(IdempotencyRecord.objects.values_list("key", flat=True))


@pytest.mark.django_db
def test_purge_deletes_records_older_than_a_week_and_keeps_newer_ones() -> None:
    make_record("eight-days", age=timedelta(days=8))
    make_record("just-over-a-week", age=timedelta(days=7, minutes=1))
    make_record("just-under-a-week", age=timedelta(days=6, hours=23))
    make_record("fresh", age=timedelta(0))
    assert HUEY.immediate, "settings.test runs jobs in-process"

    purge_idempotency_records()

    assert remaining_keys() == {"just-under-a-week", "fresh"}


@pytest.mark.django_db
def test_purge_reports_how_many_it_deleted_and_is_idempotent() -> None:
    make_record("old", age=timedelta(days=30))
    make_record("new", age=timedelta(hours=1))

    first = purge_idempotency_records.call_local()
    second = purge_idempotency_records.call_local()

    assert (first, second) == (1, 0)
    assert remaining_keys() == {"new"}


def test_purge_is_scheduled_once_a_day_at_a_quiet_hour_in_china() -> None:
    """huey's crontab counts in UTC: 19:17 UTC is 03:17 Asia/Shanghai."""
    day = datetime(2026, 3, 2)
    schedule = purge_idempotency_records.s()
    due = [day + timedelta(minutes=m) for m in range(24 * 60) if schedule.validate_datetime(day + timedelta(minutes=m))]

    assert due == [datetime(2026, 3, 2, 19, 17)]


def database_url_for_worker() -> str:
    """The URL of the database this test runs on (the test database, with any xdist suffix)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    if connection.vendor == "postgresql":
        credentials = quote(db["USER"] or "", safe="")
        if db.get("PASSWORD"):
            credentials += ":" + quote(db["PASSWORD"], safe="")
        host = db.get("HOST") or "localhost"
        port = f":{db['PORT']}" if db.get("PORT") else ""
        return f"postgres://{credentials}@{host}{port}/{quote(db['NAME'], safe='')}"
    pytest.skip(f"no worker URL for the {connection.vendor} backend")


def worker_environment(var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "TEST_DATABASE_URL", "HUEY_WORKERS"}}
    env.update(
        DJANGO_SETTINGS_MODULE="aftersales.settings.base",
        PYTHONPATH=str(ROOT / "src"),
        VAR_DIR=str(var_dir),
        DATABASE_URL=database_url_for_worker(),
        HUEY_IMMEDIATE="0",
        DEBUG="0",
    )
    return env


def stop(worker: subprocess.Popen[Any]) -> None:
    if worker.poll() is None:
        worker.terminate()
        try:
            worker.wait(timeout=10)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=10)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_real_run_huey_worker_runs_the_purge_enqueued_by_another_process(tmp_path: Path) -> None:
    """Not immediate mode: the job goes through a SQLite huey store on disk to a separate consumer."""
    make_record("old", age=timedelta(days=8))
    make_record("new", age=timedelta(days=1))
    var_dir = tmp_path / "var"
    var_dir.mkdir()
    store = SqliteStorage(HUEY.name, filename=str(var_dir / "huey.sqlite3"))
    store.enqueue(HUEY.serialize_task(purge_idempotency_records.s()), None)
    assert store.queue_size() == 1
    log_path = tmp_path / "worker.log"

    with log_path.open("w") as log:
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "run_huey", "--workers", "1", "--max-delay", "0.5"],
            cwd=ROOT,
            env=worker_environment(var_dir),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + WORKER_DEADLINE_SECONDS
            while "old" in remaining_keys() and worker.poll() is None and time.monotonic() < deadline:
                time.sleep(0.2)
        finally:
            stop(worker)

    output = log_path.read_text()
    assert remaining_keys() == {"new"}, output
    assert store.queue_size() == 0
    assert "core.tasks.purge_idempotency_records" in output
