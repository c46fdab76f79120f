"""Billing fixtures: a paid repair accepted for customer A (station A), the seed's price list,
and users of finance and purchasing."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from billing.services import PartPriceSpec, part_price_list_create
from core.choices import Role
from core.testing import make_user
from tests.conftest import speak_english  # noqa: F401  (this app's modules import it from here)
from workorders import services as wo
from workorders.choices import Channel, ChargeType, ServiceType

PRICE_LIST_DATE = datetime.date(2020, 1, 1)


@pytest.fixture
def finance(org: Any) -> Any:
    return make_user(Role.FINANCE, org.hq, username="finance")


@pytest.fixture
def parts_clerk(org: Any) -> Any:
    return make_user(Role.PARTS_CLERK, org.hq, username="parts")


@pytest.fixture
def price_list(db: Any) -> Any:
    return part_price_list_create(
        acting_user=None,
        effective_from=PRICE_LIST_DATE,
        prices=[
            PartPriceSpec("BAT-48V", "48V 锂电池", Decimal("1280.00"), "块"),
            PartPriceSpec("BRK-PAD", "刹车片", Decimal("45.50"), "副"),
        ],
    )


def make_paid_order(user: Any, customer: Any, device: Any = None) -> Any:
    order = wo.workorder_create(
        acting_user=user,
        customer=customer,
        device=device,
        service_type=ServiceType.REPAIR,
        channel=Channel.PHONE,
        description="电机异响，过保维修，需上门",
    )
    return wo.workorder_transition(
        order=order, action="accept", acting_user=user, data={"charge_type": ChargeType.PAID}
    )


@pytest.fixture
def old_device(customer_a: Any, product_model: Any) -> Any:
    """Bought in 2020 with a 24-month warranty: long out of warranty."""
    from devices.services import device_create

    return device_create(
        acting_user=None,
        customer=customer_a,
        product_model=product_model,
        serial_number="SN-OLD-2020",
        purchased_on=datetime.date(2020, 3, 1),
    )


@pytest.fixture
def paid_order(agent: Any, customer_a: Any, old_device: Any) -> Any:
    """An out-of-warranty repair of customer A (station A), accepted as paid work."""
    return make_paid_order(agent, customer_a, old_device)


@pytest.fixture(autouse=True)
def _english() -> Any:
    """Messages are asserted in English (the msgids); the zh-hans catalogue is filled centrally."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def api_as(api_as_en: Any) -> Any:
    return api_as_en  # this app's API tests assert English msgids: its API users chose English
