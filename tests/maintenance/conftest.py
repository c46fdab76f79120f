"""Maintenance fixtures: devices of station A's and station B's customers, a quarterly plan over
station A's devices created through the real service, and orders of it worked on site."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from devices.services import device_create
from maintenance.models import ChecklistTemplate, MaintenancePlan, Occurrence
from maintenance.services import plan_create, plan_generate
from workorders.services import workorder_transition

SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> Iterator[date]:
    """Mon 2 Mar 2026 09:00 Shanghai (a working day)."""
    moment = datetime(2026, 3, 2, 9, 0, tzinfo=SH)
    monkeypatch.setattr(timezone, "now", lambda: moment)
    yield moment.date()


@pytest.fixture(autouse=True)
def _english() -> Any:
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def api_as(api_as_en: Any) -> Any:
    return api_as_en


@pytest.fixture
def devices_a(customer_a: Any, product_model: Any) -> list[Any]:
    return [
        device_create(acting_user=None, customer=customer_a, product_model=product_model, serial_number=f"QF-A-{i:03}")
        for i in range(3)
    ]


@pytest.fixture
def device_b(customer_b: Any, product_model: Any) -> Any:
    return device_create(acting_user=None, customer=customer_b, product_model=product_model, serial_number="QF-B-001")


@pytest.fixture
def checklist() -> ChecklistTemplate:
    return ChecklistTemplate.objects.get(code="cash-sorter-inspection")


@pytest.fixture
def plan(today: date, devices_a: list[Any], checklist: ChecklistTemplate, director: Any) -> MaintenancePlan:
    return plan_create(
        acting_user=director,
        name="清分机季度巡检",
        service_type="inspection",
        interval_months=3,
        starts_on=date(2026, 3, 31),
        devices=[d.pk for d in devices_a],
        checklist=checklist,
        non_working="keep",
    )


@pytest.fixture
def occurrence(plan: MaintenancePlan) -> Occurrence:
    plan_generate(plan=plan, until=date(2026, 3, 31))
    return Occurrence.objects.select_related("work_order", "device").order_by("device_id").first()  # type: ignore[return-value]


@pytest.fixture
def started_order(occurrence: Occurrence, agent: Any, director: Any, technician: Any) -> Any:
    """The first occurrence's order accepted, assigned to the technician and started on site."""
    order = occurrence.work_order
    order = workorder_transition(order=order, action="accept", acting_user=agent, data={"charge_type": "free"})
    order = workorder_transition(order=order, action="assign", acting_user=director, data={"technician": technician.pk})
    return workorder_transition(order=order, action="start", acting_user=technician)
