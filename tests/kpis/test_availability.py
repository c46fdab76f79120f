"""Device availability per contracted device: downtime from fault report to resolution, planned
maintenance excluded, devices under 97 % flagged."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest

from devices.services import device_create
from kpis import engine
from kpis.availability import device_rows
from policies.services import contract_create
from tests.kpis.conftest import SH

MARCH = engine.Period(date(2026, 3, 1), date(2026, 3, 31))


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=SH)


@pytest.mark.django_db
def test_availability_per_contracted_device(
    flow: Any, director: Any, customer_a: Any, device_a: Any, product_model: Any, clock: Any
) -> None:
    device_b = device_create(
        acting_user=None,
        customer=customer_a,
        product_model=product_model,
        serial_number="SN-A-0002",
        purchased_on=date(2025, 6, 1),
    )
    uncontracted = device_create(
        acting_user=None,
        customer=customer_a,
        product_model=product_model,
        serial_number="SN-A-0003",
        purchased_on=date(2025, 6, 1),
    )
    contract_create(
        acting_user=None,
        customer=customer_a,
        kind="annual_maintenance",
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
        devices=[device_a, device_b],
    )
    # device A: down 12 h (09:00 → 21:00); its planned maintenance (5 h) is not downtime.
    flow(device=device_a, when=at(10, 9)).accept().assign().start().finish(at(10, 21))
    flow(device=device_a, service_type="maintenance", when=at(12, 9)).accept().assign().start().finish(at(12, 14))
    # device B: down 48 h, with a cancelled request that never counts.
    flow(device=device_b, when=at(14, 9)).accept().assign().start().finish(at(16, 9))
    flow(device=device_b, when=at(20, 9)).accept().cancel(at(22, 9))
    flow(device=uncontracted, when=at(20, 9)).accept().assign().start().finish(at(25, 9))
    clock.set(datetime(2026, 4, 2, 9, tzinfo=SH))
    rows = {row["device"].serial_number: row for row in device_rows(user=director, period=MARCH, slice_=engine.Slice())}
    assert set(rows) == {"SN-A-0001", "SN-A-0002"}
    assert rows["SN-A-0001"]["scheduled_hours"] == Decimal("744.00")
    assert rows["SN-A-0001"]["down_hours"] == Decimal("12.00") and not rows["SN-A-0001"]["flagged"]
    assert rows["SN-A-0002"]["down_hours"] == Decimal("48.00") and rows["SN-A-0002"]["flagged"]
    figure = engine.compute(user=director, period=MARCH, slice_=engine.Slice(), names=["device_availability"])[
        "device_availability"
    ]
    assert figure.denominator == Decimal("1488.00")
    assert figure.value == (Decimal(1) - Decimal(60) / Decimal(1488)).quantize(Decimal("0.0001"))
    assert [f["serial_number"] for f in figure.flagged] == ["SN-A-0002"]
