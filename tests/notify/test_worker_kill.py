"""A real ``notify_worker`` process is killed (SIGKILL) in the middle of a batch sent to a slow
provider; after a restart every message has arrived exactly once at the provider."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.db import connection

from notify.choices import OutboxStatus
from notify.models import OutboxMessage
from notify.recipients import Recipient
from notify.reference import install_reference_data
from notify.services import notification_enqueue
from tests.notify.conftest import Receiver

ROOT = Path(__file__).resolve().parents[2]
MESSAGES = 10
DEADLINE_SECONDS = 20


def database_url_for_worker() -> str:
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


def start_worker(tmp_path: Path, receiver: Receiver, log: Any) -> subprocess.Popen[Any]:
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "TEST_DATABASE_URL"}}
    env.update(
        DJANGO_SETTINGS_MODULE="tests.notify.worker_settings",
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
        VAR_DIR=str(tmp_path),
        DATABASE_URL=database_url_for_worker(),
        NOTIFY_SMS_URL=receiver.url,
        DEBUG="0",
    )
    return subprocess.Popen(
        [sys.executable, "manage.py", "notify_worker", "--batch", str(MESSAGES), "--lease", "2", "--idle", "0.2"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def wait_for(condition: Any, worker: subprocess.Popen[Any]) -> bool:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return True
        if worker.poll() is not None:
            return False
        time.sleep(0.05)
    return False


def statuses() -> dict[str, int]:
    counts: dict[str, int] = {}
    for status in OutboxMessage.objects.values_list("status", flat=True):
        counts[status] = counts.get(status, 0) + 1
    return counts


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_batch_loses_nothing_and_sends_nothing_twice(
    tmp_path: Path, receiver: Receiver, settings: Any
) -> None:
    settings.NOTIFY_KICK_ON_COMMIT = False
    install_reference_data()
    for number in range(MESSAGES):
        notification_enqueue(
            template_key="order_progress",
            recipient=Recipient(kind="address", name=f"客户{number}", phone=f"1390000{number:04d}"),
            context={"order_number": f"WO-{number}", "progress": "维修中"},
            order_id=None,
            customer_id=None,
            dedupe_key=f"kill-test:{number}",
        )
    expected = {str(key) for key in OutboxMessage.objects.values_list("uuid", flat=True)}
    assert len(expected) == MESSAGES
    receiver.delay = 0.3  # a slow provider: the kill lands while a request is in flight
    log_path = tmp_path / "worker.log"

    with log_path.open("w") as log:
        first = start_worker(tmp_path, receiver, log)
        try:
            assert wait_for(lambda: len(receiver.requests) >= 4, first), log_path.read_text()
            first.send_signal(signal.SIGKILL)
            first.wait(timeout=10)
        finally:
            if first.poll() is None:
                first.kill()
        mid_batch = statuses()
        # Killed mid-batch: some sent, the rest still claimed by the dead worker (nothing lost).
        assert mid_batch.get(OutboxStatus.SENDING, 0) >= 1, mid_batch
        assert mid_batch.get(OutboxStatus.SENT, 0) >= 3, mid_batch
        assert sum(mid_batch.values()) == MESSAGES

        second = start_worker(tmp_path, receiver, log)
        try:
            assert wait_for(lambda: statuses() == {OutboxStatus.SENT: MESSAGES}, second), (
                statuses(),
                log_path.read_text(),
            )
        finally:
            second.terminate()
            second.wait(timeout=10)

    # Every message arrived exactly once: the provider accepted each key once ...
    assert set(receiver.accepted) == expected
    # ... and a message that was on the wire when the worker died was re-sent with the same key
    # and answered as a repeat (at most the one in flight), not delivered a second time.
    requests_per_key: dict[str, int] = {}
    for request in receiver.requests:
        key = request["headers"]["Idempotency-Key"]
        requests_per_key[key] = requests_per_key.get(key, 0) + 1
    assert set(requests_per_key) == expected
    assert sum(requests_per_key.values()) - MESSAGES == len(receiver.replays) <= 1
    stored = dict(OutboxMessage.objects.values_list("uuid", "provider_message_id"))
    assert {str(key): value for key, value in stored.items()} == receiver.accepted
