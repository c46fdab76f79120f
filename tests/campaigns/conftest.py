"""Campaign fixtures: a small fleet of cash sorters whose versions, serials, units and
installation dates make every filter of the population tell (the hand-computed sets are in
test_population.py), and an order driven to completion through the real work-order services."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from catalog.services import product_model_create
from devices.services import device_create
from workorders.services import workorder_transition


@pytest.fixture(autouse=True)
def _english() -> Any:
    """Messages are asserted by their English msgids (zh-hans is the project default)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def api_as(api_as_en: Any) -> Any:
    return api_as_en  # this app's API tests assert English msgids


@pytest.fixture
def sorter(category: Any) -> Any:
    return product_model_create(acting_user=None, code="JL-2000", name="JL-2000 A 类清分机", category=category)


#: serial → (model: "S" sorter | "O" other, customer "a" | "b", firmware, installed_on, active)
FLEET: dict[str, tuple[str, str, str, date | None, bool]] = {
    "SN-001": ("S", "a", "V1.9", date(2025, 1, 10), True),
    "SN-002": ("S", "a", "V1.10", date(2025, 3, 1), True),
    "SN-003": ("S", "a", "2.0", date(2025, 6, 1), True),
    "SN-004": ("S", "b", "GT800_V1.9.5", date(2025, 2, 1), True),
    "SN-005": ("S", "b", "V3.2.18（2019 版人民币）", None, True),
    "SN-006": ("S", "b", "", date(2025, 4, 1), True),
    "SN-007": ("S", "a", "BIOS 1.12.0", date(2024, 12, 1), True),
    "SN-008": ("O", "a", "1.0", date(2025, 1, 1), True),
    "SN-009": ("S", "a", "1.2", date(2025, 1, 1), False),
}


@pytest.fixture
def fleet(sorter: Any, product_model: Any, customer_a: Any, customer_b: Any) -> dict[str, Any]:
    devices = {}
    for serial, (model, owner, firmware, installed, active) in FLEET.items():
        devices[serial] = device_create(
            acting_user=None,
            customer=customer_a if owner == "a" else customer_b,
            product_model=sorter if model == "S" else product_model,
            serial_number=serial,
            firmware_version=firmware,
            installed_on=installed,
            is_active=active,
        )
    return devices


@pytest.fixture
def complete_order(agent: Any, director: Any, technician: Any, qc_inspector: Any) -> Callable[[Any], Any]:
    """Drive a campaign's order through acceptance, work, QC and the customer's sign-off."""

    def run(order: Any) -> Any:
        order = workorder_transition(order=order, action="accept", acting_user=agent, data={"charge_type": "free"})
        order = workorder_transition(
            order=order, action="assign", acting_user=director, data={"technician": technician.pk}
        )
        order = workorder_transition(order=order, action="start", acting_user=technician)
        order = workorder_transition(order=order, action="submit_qc", acting_user=technician, data={"note": "已升级"})
        order = workorder_transition(order=order, action="qc_pass", acting_user=qc_inspector)
        return workorder_transition(order=order, action="sign_off", acting_user=agent, data={"signer_name": "李经理"})

    return run


@pytest.fixture
def clock_days(monkeypatch: pytest.MonkeyPatch) -> Callable[[int], None]:
    """Move today (timezone.localdate and now) ``days`` on."""
    from datetime import timedelta

    from django.utils import timezone

    real_now = timezone.now

    def move(days: int) -> None:
        moment = real_now() + timedelta(days=days)
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return move
