"""Annual-maintenance contracts: the expiring-soon list with coverage and a renewal quote, and the
contract's inspection plan over every device it covers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from maintenance.models import MaintenancePlan, Occurrence
from maintenance.services import plan_from_contract, plan_generate, renewal_quote
from policies.services import contract_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def contract(today: date, customer_a: Any, devices_a: list[Any]) -> Any:
    return contract_create(
        acting_user=None,
        customer=customer_a,
        kind="annual_maintenance",
        starts_on=date(2025, 4, 1),
        ends_on=date(2026, 3, 31),
        price=Decimal("3900.00"),
        devices=devices_a[:2],
    )


def test_renewal_quote_counts_the_covered_devices(contract: Any) -> None:
    quote = renewal_quote(contract)
    assert (quote.devices, quote.per_device, quote.total) == (2, Decimal("1300.00"), Decimal("2600.00"))
    assert (quote.starts_on, quote.ends_on) == (date(2026, 4, 1), date(2027, 3, 31))


def test_plan_from_the_contract_covers_its_devices_once(contract: Any, director: Any, devices_a: list[Any]) -> None:
    plan = plan_from_contract(contract=contract, acting_user=director)
    assert plan_from_contract(contract=contract, acting_user=director).pk == plan.pk
    assert (plan.starts_on, plan.ends_on, plan.interval_months) == (date(2025, 7, 1), date(2026, 3, 31), 3)
    assert plan_generate(plan=plan, until=date(2026, 12, 31)) == 2 * 3  # 1 Jul, 1 Oct 2025, 1 Jan 2026
    assert {o.device_id for o in Occurrence.objects.filter(plan=plan)} == {d.pk for d in devices_a[:2]}


def test_only_annual_maintenance_contracts_get_a_plan(today: date, customer_a: Any, director: Any) -> None:
    warranty = contract_create(
        acting_user=None, customer=customer_a, kind="extended_warranty", starts_on=date(2026, 1, 1), extends_months=12
    )
    with pytest.raises(ValidationError) as refused:
        plan_from_contract(contract=warranty, acting_user=director)
    assert "contract" in refused.value.message_dict
    assert MaintenancePlan.objects.count() == 0


def test_contracts_page_lists_the_expiring_one_and_makes_its_plan(contract: Any, director: Any) -> None:
    client = Client()
    client.force_login(director)
    page = client.get("/maintenance/contracts/").content.decode()
    assert contract.number in page and "2600.00" in page
    response = client.post(f"/maintenance/contracts/{contract.pk}/plan/")
    assert response.status_code == 302
    assert MaintenancePlan.objects.filter(contract=contract).count() == 1
