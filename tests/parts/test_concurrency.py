"""Many threads reserving and issuing the last units at once never oversell: each move locks its
balance rows (SELECT … FOR UPDATE on PostgreSQL; SQLite's write lock, ADR 0005). Runs on the
database of the suite (SQLite by default, PostgreSQL with TEST_DATABASE_URL)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from parts import services
from parts.exceptions import StockShortage
from parts.models import StockMove
from parts.selectors import balance_of, ledger_balance_of

THREADS = 8


def _race(count: int, work: Any) -> tuple[list[Any], list[BaseException]]:
    barrier = threading.Barrier(count)
    done: list[Any] = []
    failures: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            done.append(work(index))
        except StockShortage as refused:
            done.append(refused)
        except BaseException as error:  # reported by the test
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return done, failures


@pytest.mark.django_db(transaction=True)
def test_threads_reserving_the_last_units_never_oversell(part, wh_a, order_a):
    services.stock_move(acting_user=None, kind="receive", part=part, warehouse=wh_a, quantity=5)

    done, failures = _race(
        THREADS,
        lambda i: services.reservation_create(
            acting_user=None, part=part, warehouse=wh_a, quantity=1, work_order=order_a
        ),
    )

    assert failures == []
    reserved = [r for r in done if not isinstance(r, StockShortage)]
    refused = [r for r in done if isinstance(r, StockShortage)]
    assert (len(reserved), len(refused)) == (5, THREADS - 5)
    assert balance_of(part=part, warehouse=wh_a) == (5, 5, 0) == ledger_balance_of(part=part, warehouse=wh_a)


@pytest.mark.django_db(transaction=True)
def test_threads_issuing_and_reserving_the_last_units_never_oversell(part, wh_a, order_a):
    services.stock_move(acting_user=None, kind="receive", part=part, warehouse=wh_a, quantity=6)

    def issue_or_reserve(index: int) -> Any:
        if index % 2:
            return services.stock_move(
                acting_user=None, kind="issue", part=part, warehouse=wh_a, quantity=2, work_order=order_a
            )
        return services.reservation_create(acting_user=None, part=part, warehouse=wh_a, quantity=2, work_order=order_a)

    done, failures = _race(THREADS, issue_or_reserve)

    assert failures == []
    succeeded = [r for r in done if not isinstance(r, StockShortage)]
    assert len(succeeded) == 3  # 6 units, 2 each
    on_hand, reserved, _in_transit = balance_of(part=part, warehouse=wh_a)
    assert on_hand - reserved == 0 and on_hand >= 0
    assert (on_hand, reserved, 0) == ledger_balance_of(part=part, warehouse=wh_a)
    issued = sum(m.quantity for m in StockMove.objects.filter(kind="issue"))
    assert issued + reserved == 6
