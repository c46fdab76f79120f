"""Human numbers (WO-20261122-0001): unique under concurrency, restarting each local day."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from core.models import NumberSequence
from core.numbering import next_number
from workorders import services
from workorders.models import WorkOrder


def at(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
    """Freeze ``timezone.now()`` (and so ``timezone.localdate()``) at ``moment``."""
    monkeypatch.setattr(timezone, "now", lambda: moment)


SHANGHAI_22ND_MORNING = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


@pytest.mark.django_db
def test_numbers_count_up_within_a_day(monkeypatch):
    at(monkeypatch, SHANGHAI_22ND_MORNING)
    assert [next_number("WO") for _ in range(3)] == ["WO-20261122-0001", "WO-20261122-0002", "WO-20261122-0003"]


@pytest.mark.django_db
def test_numbers_restart_each_day_and_each_day_keeps_its_own_counter(monkeypatch):
    at(monkeypatch, SHANGHAI_22ND_MORNING)
    assert next_number("WO") == "WO-20261122-0001"
    assert next_number("WO") == "WO-20261122-0002"

    at(monkeypatch, datetime(2026, 11, 23, 2, 0, tzinfo=UTC))
    assert next_number("WO") == "WO-20261123-0001"

    at(monkeypatch, SHANGHAI_22ND_MORNING)
    assert next_number("WO") == "WO-20261122-0003"
    assert set(NumberSequence.objects.values_list("prefix", "last_value")) == {
        ("WO-20261122", 3),
        ("WO-20261123", 1),
    }


@pytest.mark.django_db
def test_the_day_is_the_local_day_not_utc(monkeypatch, settings):
    settings.TIME_ZONE = "Asia/Shanghai"
    at(monkeypatch, datetime(2026, 11, 22, 16, 30, tzinfo=UTC))  # 00:30 on the 23rd in Shanghai
    assert next_number("WO") == "WO-20261123-0001"


@pytest.mark.django_db
def test_each_kind_has_its_own_counter(monkeypatch):
    at(monkeypatch, SHANGHAI_22ND_MORNING)
    assert next_number("WO") == "WO-20261122-0001"
    assert next_number("CB") == "CB-20261122-0001"
    assert next_number("WO") == "WO-20261122-0002"


@pytest.mark.django_db
def test_orders_created_on_another_day_start_again_at_one(monkeypatch, agent, customer_a):
    def create() -> WorkOrder:
        return services.workorder_create(
            acting_user=agent, customer=customer_a, service_type="repair", channel="phone", description="无法启动"
        )

    at(monkeypatch, SHANGHAI_22ND_MORNING)
    first, second = create(), create()
    at(monkeypatch, datetime(2026, 11, 23, 2, 0, tzinfo=UTC))
    next_day = create()

    assert (first.number, second.number, next_day.number) == (
        "WO-20261122-0001",
        "WO-20261122-0002",
        "WO-20261123-0001",
    )


@pytest.mark.django_db(transaction=True)
def test_eight_orders_created_at_once_get_eight_distinct_numbers(agent, customer_a):
    count = 8
    barrier = threading.Barrier(count)
    numbers: list[str] = []
    failures: list[BaseException] = []

    def create() -> None:
        try:
            barrier.wait(timeout=10)
            order = services.workorder_create(
                acting_user=agent, customer=customer_a, service_type="repair", channel="api", description="并发报修"
            )
            numbers.append(order.number)
        except BaseException as error:  # reported below with the numbers
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=create) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []
    assert len(numbers) == count and len(set(numbers)) == count
    prefix = numbers[0].rsplit("-", 1)[0]
    assert sorted(numbers) == [f"{prefix}-{n:04d}" for n in range(1, count + 1)]
    assert WorkOrder.objects.count() == count


@pytest.mark.django_db(transaction=True)
def test_concurrent_counters_on_a_fresh_day_do_not_collide():
    """The first number of a day races on creating the counter row itself."""
    count = 8
    barrier = threading.Barrier(count)
    numbers: list[str] = []
    failures: list[Any] = []

    def take() -> None:
        try:
            barrier.wait(timeout=10)
            numbers.append(next_number("RACE"))
        except BaseException as error:
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=take) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert failures == []
    assert len(set(numbers)) == count
    assert sorted(int(number.rsplit("-", 1)[1]) for number in numbers) == list(range(1, count + 1))
