"""Quality feedback (质量问题反馈): fault statistics by model, cause, part and batch in SQL; an early
warning by an exact Poisson rate test against the model's own baseline, with its p-value; the quality
issue record linked to the warning."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from devices.services import device_create
from followup.models import QualityWarning
from followup.quality import (
    fault_statistics,
    poisson_upper_tail,
    quality_issue_from_warning,
    quality_warning_scan,
    rate_test,
)
from workorders.services import workorder_add_material, workorder_create, workorder_transition

pytestmark = pytest.mark.django_db


def test_the_poisson_tail_is_exact() -> None:
    assert poisson_upper_tail(0, 2.0) == 1.0
    assert poisson_upper_tail(1, 1.0) == pytest.approx(1 - math.exp(-1))
    assert poisson_upper_tail(3, 1.0) == pytest.approx(1 - math.exp(-1) * (1 + 1 + 0.5))
    # At its baseline rate a model does not warn; five times the rate does.
    assert not rate_test(observed=3, baseline_failures=18, baseline_device_days=18_000, device_days=3_000).warn
    assert rate_test(observed=15, baseline_failures=18, baseline_device_days=18_000, device_days=3_000).warn


@pytest.fixture
def fleet(customer_a: Any, product_model: Any) -> list[Any]:
    return [
        device_create(
            acting_user=None, customer=customer_a, product_model=product_model, serial_number=f"B2603-{i:04d}"
        )
        for i in range(20)
    ]


def _quality_failure(agent: Any, director: Any, customer: Any, device: Any) -> Any:
    order = workorder_create(
        acting_user=agent,
        customer=customer,
        device=device,
        service_type="repair",
        channel="phone",
        description="控制器烧毁",
    )
    order = workorder_transition(order=order, action="accept", acting_user=agent, data={"charge_type": "free"})
    order = workorder_transition(order=order, action="start", acting_user=director)
    order = workorder_transition(
        order=order,
        action="diagnose",
        acting_user=director,
        data={"fault_cause": "quality", "diagnosis": "控制器 MOS 管击穿"},
    )
    workorder_add_material(
        order=order, acting_user=director, name="控制器", quantity=Decimal("1"), unit_price=Decimal("180.00")
    )
    return order


def test_a_burst_of_failures_raises_one_warning_with_its_test_and_the_issue_links_to_it(
    fleet: list[Any], agent: Any, director: Any, customer_a: Any, product_model: Any
) -> None:
    for device in fleet[:5]:
        _quality_failure(agent, director, customer_a, device)
    today = timezone.localdate()
    stats = fault_statistics(user=director, start=today, end=today, by="model")
    assert stats == [{"key": product_model.code, "count": 5}]
    assert fault_statistics(user=director, start=today, end=today, by="cause") == [{"key": "quality", "count": 5}]
    assert fault_statistics(user=director, start=today, end=today, by="batch") == [{"key": "B2603-", "count": 5}]
    assert fault_statistics(user=director, start=today, end=today, by="part") == [{"key": "控制器", "count": 5}]
    assert quality_warning_scan(today=today) == 1
    assert quality_warning_scan(today=today) == 0  # once per model and window
    warning = QualityWarning.objects.get()
    assert warning.observed == 5 and warning.devices_in_service == 20 and warning.p_value < 0.01
    assert warning.test == "poisson_upper_tail"
    issue = quality_issue_from_warning(warning=warning, acting_user=director, route="purchasing", is_major=True)
    assert issue.warning == warning and sorted(issue.affected_devices) == sorted(d.pk for d in fleet[:5])
    assert "p = " in issue.evidence
    assert quality_issue_from_warning(warning=warning, acting_user=director).pk == issue.pk


def test_two_failures_do_not_warn(fleet: list[Any], agent: Any, director: Any, customer_a: Any) -> None:
    for device in fleet[:2]:
        _quality_failure(agent, director, customer_a, device)
    assert quality_warning_scan() == 0


def test_the_dashboard_shows_the_statistics_and_the_warning(
    fleet: list[Any], agent: Any, director: Any, customer_a: Any, product_model: Any
) -> None:
    from django.test import Client

    for device in fleet[:4]:
        _quality_failure(agent, director, customer_a, device)
    quality_warning_scan()
    client = Client()
    client.force_login(director)
    page = client.get("/aftercare/quality/").content.decode()
    assert 'id="stats-batch"' in page and "B2603-" in page
    assert 'id="quality-warnings"' in page and product_model.code in page and "No warning." not in page
