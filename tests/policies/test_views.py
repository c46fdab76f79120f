"""Console pages: policies (versions), contracts, the warranty card on the order page."""

from __future__ import annotations

import datetime
from typing import Any

from django.test import Client
from django.utils import timezone

from policies.models import Contract, WarrantyPolicy
from policies.services import contract_create
from workorders.services import workorder_create, workorder_transition


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_director_adds_a_policy_version_from_the_console(director: Any) -> None:
    phone = WarrantyPolicy.objects.get(category__code="phone")
    client = login(director)
    assert client.get("/policies/").status_code == 200
    page = client.get(f"/policies/{phone.pk}/")
    assert page.status_code == 200
    assert "电池" in page.content.decode()
    form = client.get(f"/policies/new/?from={phone.pk}")
    assert form.status_code == 200
    data = {name: value for name, value in form.context["form"].initial.items() if value is not None}
    data.update({"effective_from": "2026-11-01", "category": phone.category_id, "repair_warranty_days": 90})
    data["excluded_causes"] = ["water", "drop"]
    for name in ("extend_for_repair_time", "restart_on_exchange", "repeat_same_fault_consecutive"):
        if not data.get(name):
            data.pop(name, None)
    response = client.post("/policies/new/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    new = WarrantyPolicy.objects.get(category__code="phone", effective_from=datetime.date(2026, 11, 1))
    assert (new.revision, new.repair_warranty_days, new.parts_months, new.excluded_causes) == (
        2,
        90,
        6,
        ["drop", "water"],
    )


def test_agent_may_not_add_policies_but_sees_them(agent: Any) -> None:
    client = login(agent)
    assert client.get("/policies/").status_code == 200
    assert client.get("/policies/new/").status_code == 403


def test_agent_creates_and_edits_a_contract(agent: Any, device_a: Any) -> None:
    client = login(agent)
    response = client.post(
        "/policies/contracts/new/",
        {
            "kind": "annual_maintenance",
            "customer": device_a.customer_id,
            "devices": [device_a.pk],
            "starts_on": "2026-01-01",
            "ends_on": "2026-12-31",
            "price": "1300.00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    contract = Contract.objects.get()
    assert contract.waived_fee_kinds == ["labour", "software"]
    assert client.get(f"/policies/contracts/{contract.pk}/").status_code == 200
    edit = client.post(
        f"/policies/contracts/{contract.pk}/edit/",
        {
            "version": 1,
            "kind": "annual_maintenance",
            "devices": [device_a.pk],
            "starts_on": "2026-01-01",
            "ends_on": "2026-12-31",
            "price": "1400.00",
            "waived_fee_kinds": ["labour", "software", "travel"],
            "is_active": "on",
        },
    )
    assert edit.status_code == 302, edit.content.decode()[:2000]
    contract.refresh_from_db()
    assert (str(contract.price), contract.waived_fee_kinds, contract.version) == (
        "1400.00",
        ["labour", "software", "travel"],
        2,
    )


def test_station_cannot_open_another_stations_contract(station_b_user: Any, station_a_user: Any, device_a: Any) -> None:
    contract = contract_create(
        acting_user=None,
        customer=device_a.customer,
        kind="service_package",
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
        waived_fee_kinds=["travel"],
    )
    assert login(station_b_user).get(f"/policies/contracts/{contract.pk}/").status_code == 404
    assert contract.number not in login(station_b_user).get("/policies/contracts/").content.decode()
    assert login(station_a_user).get(f"/policies/contracts/{contract.pk}/").status_code == 200


def test_order_page_shows_the_warranty_decision_with_articles(agent: Any, recent_device: Any) -> None:
    order = workorder_create(
        acting_user=agent,
        customer=recent_device.customer,
        device=recent_device,
        service_type="return",
        channel="phone",
        description="买了五天就坏了",
        applicant_name="张三丰",
        contact_phone="13800138000",
    )
    workorder_transition(order=order, action="accept", acting_user=agent)
    page = login(agent).get(f"/work-orders/{order.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="warranty-panel"' in html
    assert "第九条" in html
    assert 'data-coverage="free"' in html


def test_device_page_shows_its_warranty(agent: Any, device_a: Any) -> None:
    html = login(agent).get(f"/devices/{device_a.pk}/").content.decode()
    assert 'id="device-warranty"' in html
    assert timezone.localdate().year > 2000
