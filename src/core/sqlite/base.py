"""SQLite backend for the embedded setup: write transactions wait in line.

SQLite has one writer at a time. With ``BEGIN IMMEDIATE`` a second writer waits in SQLite's
busy handler, which sleeps and retries: under load an unlucky request can lose the race again
and again (seconds of tail latency). Here a writer first takes a blocking lock — a thread lock
within the process and a file lock across processes (web workers, the huey worker) — so writers
queue, and only then begins its transaction; the lock is released at commit or rollback.
Only transactions (``atomic`` blocks) queue; plain reads never wait.
"""

from __future__ import annotations

import fcntl
import threading
import time
from pathlib import Path
from typing import Any

from django.db.backends.sqlite3 import base
from django.db.utils import OperationalError

_process_lock = threading.Lock()


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._queue_file: Any = None
        self._holds_queue = False

    def _queue_path(self) -> Path:
        return Path(f"{self.settings_dict['NAME']}.writers.lock")

    def _queue_acquire(self) -> None:
        timeout = float(self.settings_dict.get("OPTIONS", {}).get("timeout", 30))
        if not _process_lock.acquire(timeout=timeout):
            raise OperationalError("database is locked (waited for the writers' queue)")
        try:
            if self._queue_file is None:
                self._queue_file = open(self._queue_path(), "a+b")  # noqa: SIM115 (kept open with the connection)
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.lockf(self._queue_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise OperationalError("database is locked (waited for the writers' queue)") from None
                    time.sleep(0.001)
        except BaseException:
            _process_lock.release()
            raise
        self._holds_queue = True

    def _queue_release(self) -> None:
        if self._holds_queue:
            self._holds_queue = False
            fcntl.lockf(self._queue_file, fcntl.LOCK_UN)
            _process_lock.release()

    def _start_transaction_under_autocommit(self) -> None:
        self._queue_acquire()
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
        except BaseException:
            self._queue_release()
            raise

    def _commit(self) -> None:
        try:
            super()._commit()  # type: ignore[misc]
        finally:
            self._queue_release()

    def _rollback(self) -> None:
        try:
            super()._rollback()  # type: ignore[misc]
        finally:
            self._queue_release()

    def _close(self) -> None:
        try:
            super()._close()  # type: ignore[misc]
        finally:
            self._queue_release()
            if self._queue_file is not None:
                self._queue_file.close()
                self._queue_file = None
