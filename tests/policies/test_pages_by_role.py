"""Every warranty console page rendered for every role: 200 where the role may, 403 where not."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from core.choices import Role
from core.testing import make_user
from policies.models import Contract, WarrantyPolicy
from policies.services import contract_create

pytestmark = pytest.mark.django_db

ALL = frozenset(Role.values)
EDIT_CONTRACTS = frozenset({Role.AGENT, Role.DIRECTOR, Role.ADMIN})
#: page → the roles that may open it (the rest get 403).
PAGES: dict[str, frozenset[str]] = {
    "/policies/": ALL,
    "/policies/{policy}/": ALL,
    "/policies/new/": frozenset({Role.DIRECTOR, Role.ADMIN}),
    "/policies/new/?from={policy}": frozenset({Role.DIRECTOR, Role.ADMIN}),
    "/policies/contracts/": ALL,
    "/policies/contracts/{contract}/": ALL,
    "/policies/contracts/new/": EDIT_CONTRACTS,
    "/policies/contracts/{contract}/edit/": EDIT_CONTRACTS,
    "/devices/{device}/": ALL,
}


@pytest.fixture
def contract(customer_a: Any, device_a: Any) -> Contract:
    return contract_create(
        acting_user=None,
        customer=customer_a,
        kind="annual_maintenance",
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
        price=Decimal("1300.00"),
        devices=[device_a],
    )


@pytest.mark.parametrize("role", sorted(Role.values))
def test_each_warranty_page_opens_for_the_roles_that_may_use_it(
    role: str, org: Any, contract: Contract, device_a: Any
) -> None:
    unit = org.station_a if role == Role.STATION else org.hq
    client = Client()
    client.force_login(make_user(role, unit))
    policy = WarrantyPolicy.objects.get(category__code="notebook")
    for page, allowed in PAGES.items():
        url = page.format(policy=policy.pk, contract=contract.pk, device=device_a.pk)
        response = client.get(url)
        assert response.status_code == (200 if role in allowed else 403), (role, url)


def test_contract_list_shows_the_waived_fee_kinds_by_name(director: Any, contract: Contract) -> None:
    from tests.policies.conftest import speak_english

    speak_english(director)
    client = Client()
    client.force_login(director)
    page = client.get("/policies/contracts/").content.decode()
    assert "Labour, Software service" in page
    assert "labour, software" not in page
