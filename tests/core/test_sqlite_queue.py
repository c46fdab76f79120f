"""The embedded SQLite backend makes write transactions wait in line (core/sqlite/base.py).

These tests build their own connections to a temporary SQLite file, so they test the backend
itself whichever database the suite runs on.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from django.db import connections
from django.db.utils import OperationalError

from aftersales.settings.base import database_from_url
from core.sqlite.base import DatabaseWrapper


def connect(path: Path, timeout: float = 5) -> DatabaseWrapper:
    config = database_from_url(f"sqlite:///{path}")
    config["OPTIONS"]["timeout"] = timeout
    settings = connections.configure_settings({"default": config})["default"]
    wrapper = DatabaseWrapper(settings, alias="queue")
    wrapper.ensure_connection()
    return wrapper


def test_a_second_writer_waits_for_the_first_to_commit(tmp_path: Path) -> None:
    path = tmp_path / "queue.sqlite3"
    setup = connect(path)
    setup.cursor().execute("CREATE TABLE moves (n INTEGER)")
    setup.close()
    started, times, errors = threading.Event(), {}, []

    def writer_one() -> None:
        first = connect(path)
        try:
            first._start_transaction_under_autocommit()
            first.cursor().execute("INSERT INTO moves VALUES (1)")
            started.set()
            time.sleep(0.3)
            times["first_commit"] = time.monotonic()
            first.commit()
        except BaseException as error:  # surfaced by the assertion below
            errors.append(error)
        finally:
            first.close()

    def writer_two() -> None:
        second = connect(path)
        try:
            started.wait(5)
            second._start_transaction_under_autocommit()
            times["second_begin"] = time.monotonic()
            second.cursor().execute("INSERT INTO moves VALUES (2)")
            second.commit()
        except BaseException as error:
            errors.append(error)
        finally:
            second.close()

    threads = [threading.Thread(target=writer_one), threading.Thread(target=writer_two)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert errors == []
    assert times["second_begin"] >= times["first_commit"]
    check = connect(path)
    assert check.cursor().execute("SELECT count(*) FROM moves").fetchone()[0] == 2
    check.close()


def test_a_writer_that_waits_too_long_is_told_the_database_is_locked(tmp_path: Path) -> None:
    path = tmp_path / "queue.sqlite3"
    holder = connect(path)
    holder._start_transaction_under_autocommit()
    failure: list[BaseException] = []

    def wait() -> None:
        waiter = connect(path, timeout=0.2)
        try:
            waiter._start_transaction_under_autocommit()
        except OperationalError as error:
            failure.append(error)
        finally:
            waiter.close()

    thread = threading.Thread(target=wait)
    thread.start()
    thread.join(5)
    holder.rollback()
    assert failure and "database is locked" in str(failure[0])
    # The queue is free again once the holder has finished.
    holder._start_transaction_under_autocommit()
    holder.rollback()
    holder.close()


def test_the_queue_is_released_when_a_connection_closes_mid_transaction(tmp_path: Path) -> None:
    path = tmp_path / "queue.sqlite3"
    first, second = connect(path, timeout=1), connect(path, timeout=1)
    first._start_transaction_under_autocommit()
    first.close()
    second._start_transaction_under_autocommit()  # would time out if the queue were still held
    second.rollback()
    second.close()


@pytest.fixture(autouse=True)
def _own_connections_allowed(django_db_blocker):  # type: ignore[no-untyped-def]
    """These tests open their own connections to a temporary file, not the test database."""
    with django_db_blocker.unblock():
        yield
