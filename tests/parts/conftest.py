"""Fixtures for parts: a parts clerk at HQ, warehouses of station A, station B and HQ, a part,
an open order of station A's area."""

from __future__ import annotations

from typing import Any

import pytest

from core.choices import Role
from core.testing import make_user
from parts import services
from parts.choices import WarehouseKind


@pytest.fixture(autouse=True)
def _english() -> Any:
    """Messages are asserted by their English msgids (zh-hans is the project default)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def api_as(api_as_en: Any) -> Any:
    return api_as_en  # this app's API tests assert English msgids: its API users chose English


@pytest.fixture
def clerk(org: Any) -> Any:
    return make_user(Role.PARTS_CLERK, org.hq, username="parts")


@pytest.fixture
def part(db: Any, product_model: Any) -> Any:
    return services.part_create(
        acting_user=None, code="BAT-48V", name="48V 锂电池", uom="块", product_models=[product_model.code]
    )


@pytest.fixture
def other_part(db: Any) -> Any:
    return services.part_create(acting_user=None, code="BRK-PAD", name="刹车片", uom="副")


@pytest.fixture
def wh_a(org: Any) -> Any:
    return services.warehouse_create(
        acting_user=None, code="XH-01", name="西湖站备件库", kind=WarehouseKind.STATION, unit=org.station_a
    )


@pytest.fixture
def wh_a2(org: Any) -> Any:
    return services.warehouse_create(
        acting_user=None, code="XH-02", name="西湖站二号库", kind=WarehouseKind.STATION, unit=org.station_a
    )


@pytest.fixture
def wh_b(org: Any) -> Any:
    return services.warehouse_create(
        acting_user=None, code="HD-01", name="海淀站备件库", kind=WarehouseKind.STATION, unit=org.station_b
    )


@pytest.fixture
def wh_hq(org: Any) -> Any:
    return services.warehouse_create(
        acting_user=None, code="HQ-01", name="总部中心库", kind=WarehouseKind.HQ, unit=org.hq
    )


@pytest.fixture
def stocked(part: Any, wh_a: Any) -> Any:
    """Ten batteries on hand at station A."""
    services.stock_move(acting_user=None, kind="receive", part=part, warehouse=wh_a, quantity=10, note="入库")
    return wh_a


@pytest.fixture
def order_a(agent: Any, customer_a: Any) -> Any:
    from workorders.services import workorder_create

    return workorder_create(
        acting_user=agent, customer=customer_a, service_type="repair", channel="phone", description="电池不充电"
    )


@pytest.fixture
def stock_a(stocked: Any, part: Any) -> Any:
    """The matrix's row of station A: its battery balance."""
    from parts.models import StockBalance

    return StockBalance.objects.get(part=part, warehouse=stocked)


@pytest.fixture
def reservation_a(stocked: Any, part: Any, order_a: Any) -> Any:
    return services.reservation_create(acting_user=None, part=part, warehouse=stocked, quantity=2, work_order=order_a)
