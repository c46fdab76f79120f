"""Scoping through the API: role and unit decide which work orders a user sees and acts on.

HQ sees every unit; a service centre sees itself and its stations; a station only itself. An
order outside the user's units answers 404, exactly like one that does not exist.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from core.choices import Role
from core.testing import make_user
from workorders import services
from workorders.models import WorkOrder
from workorders.selectors import workorders_visible_to

API = "/api/v1"


def create(user: Any, customer: Any, description: str) -> WorkOrder:
    return services.workorder_create(
        acting_user=user, customer=customer, service_type="repair", channel="phone", description=description
    )


@pytest.fixture
def order_a(agent: Any, customer_a: Any) -> WorkOrder:
    """An order of station A (西湖区)."""
    return create(agent, customer_a, "电动车无法启动")


@pytest.fixture
def order_b(agent: Any, customer_b: Any) -> WorkOrder:
    """An order of station B (海淀区)."""
    return create(agent, customer_b, "点钞机卡钞")


def listed(client: Any, query: str = "") -> list[int]:
    response = client.get(f"{API}/work-orders?page_size=100{query}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] == len(body["items"])
    return sorted(item["id"] for item in body["items"])


def post(client: Any, path: str, body: dict[str, Any]) -> Any:
    return client.post(API + path, data=json.dumps(body), content_type="application/json")


def test_orders_belong_to_the_station_serving_the_customer(order_a, order_b):
    assert order_a.unit.code == "HZ-XH" and order_b.unit.code == "BJ-HD"


# --- a station sees only its own ----------------------------------------------------------------


def test_a_station_lists_only_its_own_orders(api_as, station_b_user, order_a, order_b):
    client = api_as(station_b_user)
    assert listed(client) == [order_b.pk]
    assert listed(client, f"&q={order_a.number}") == []
    assert listed(client, f"&customer={order_a.customer_id}") == []
    assert listed(client, f"&unit={order_a.unit_id}") == []


def test_another_stations_order_is_404_like_a_missing_one(api_as, station_b_user, order_a):
    client = api_as(station_b_user)
    foreign = client.get(f"{API}/work-orders/{order_a.pk}")
    missing = client.get(f"{API}/work-orders/999999")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()


def test_a_station_cannot_transition_another_stations_order(api_as, station_b_user, order_a):
    response = post(api_as(station_b_user), f"/work-orders/{order_a.pk}/transitions", {"action": "accept"})

    assert response.status_code == 404
    order_a.refresh_from_db()
    assert order_a.status == "submitted" and order_a.events.count() == 1


def test_a_station_cannot_patch_another_stations_order(api_as, station_b_user, order_a):
    response = api_as(station_b_user).patch(
        f"{API}/work-orders/{order_a.pk}",
        data=json.dumps({"version": 1, "description": "篡改"}),
        content_type="application/json",
    )
    assert response.status_code == 404
    order_a.refresh_from_db()
    assert order_a.description == "电动车无法启动" and order_a.version == 1


def test_a_station_cannot_comment_record_materials_or_attach_on_another_stations_order(api_as, station_b_user, order_a):
    client = api_as(station_b_user)
    comment = post(client, f"/work-orders/{order_a.pk}/comments", {"note": "看看"})
    material = post(
        client, f"/work-orders/{order_a.pk}/materials", {"name": "控制器", "quantity": "1", "unit_price": "1"}
    )
    upload = SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 16, content_type="image/png")
    attachment = client.post(f"{API}/work-orders/{order_a.pk}/attachments", {"file": upload})

    assert (comment.status_code, material.status_code, attachment.status_code) == (404, 404, 404)
    assert order_a.events.count() == 1
    assert not order_a.materials.exists() and not order_a.attachments.exists()


def test_a_station_cannot_download_another_stations_attachment(api_as, agent, station_b_user, order_a):
    upload = SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 16, content_type="image/png")
    attachment = services.workorder_add_attachment(order=order_a, upload=upload, acting_user=agent)
    response = api_as(station_b_user).get(f"{API}/work-orders/{order_a.pk}/attachments/{attachment.pk}")
    assert response.status_code == 404


def test_a_station_cannot_file_an_order_for_another_stations_customer(api_as, station_b_user, customer_a):
    body = {"customer": customer_a.pk, "service_type": "repair", "channel": "phone", "description": "x"}
    response = post(api_as(station_b_user), "/work-orders", body)
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"customer"}
    assert not WorkOrder.objects.exists()


def test_station_a_sees_its_order_and_not_station_bs(api_as, station_a_user, order_a, order_b):
    client = api_as(station_a_user)
    assert listed(client) == [order_a.pk]
    assert client.get(f"{API}/work-orders/{order_b.pk}").status_code == 404


# --- centres and HQ -----------------------------------------------------------------------------


def test_a_centre_sees_its_stations_orders_only(api_as, dispatcher, order_a, order_b):
    """The dispatcher belongs to 杭州服务中心, the parent of station A; station B is under HQ."""
    client = api_as(dispatcher)
    assert listed(client) == [order_a.pk]
    assert client.get(f"{API}/work-orders/{order_a.pk}").status_code == 200
    assert client.get(f"{API}/work-orders/{order_b.pk}").status_code == 404


def test_a_centre_acts_on_its_stations_orders(api_as, dispatcher, technician, agent, order_a):
    services.workorder_transition(order=order_a, action="accept", acting_user=agent, data={"charge_type": "free"})
    response = post(
        api_as(dispatcher),
        f"/work-orders/{order_a.pk}/transitions",
        {"action": "assign", "technician": technician.pk},
    )
    assert response.status_code == 200, response.content
    assert response.json()["technician"]["id"] == technician.pk


def test_hq_sees_every_units_orders(api_as, agent, director, order_a, order_b):
    for user in (agent, director):
        client = api_as(user)
        assert listed(client) == sorted([order_a.pk, order_b.pk])
        assert client.get(f"{API}/work-orders/{order_b.pk}").status_code == 200


def test_a_superuser_sees_everything(api_as, org, order_a, order_b):
    admin = make_user(Role.ADMIN, org.station_b, username="root")
    assert listed(api_as(admin)) == sorted([order_a.pk, order_b.pk])


def test_a_user_without_a_unit_sees_nothing(api_as, order_a):
    stray = get_user_model().objects.create_user(username="stray", password="x-2026-pass")
    client = api_as(stray)
    assert listed(client) == []
    assert client.get(f"{API}/work-orders/{order_a.pk}").status_code == 404


# --- the role still decides what may be done on a visible order --------------------------------


def test_a_technician_cannot_accept_a_visible_order(api_as, technician, order_a):
    response = post(api_as(technician), f"/work-orders/{order_a.pk}/transitions", {"action": "accept"})

    assert response.status_code == 403
    assert response.json()["detail"] and response.json()["errors"] == []
    order_a.refresh_from_db()
    assert order_a.status == "submitted"


def test_a_qc_inspector_cannot_register_or_edit_orders(api_as, qc_inspector, customer_a, order_a):
    client = api_as(qc_inspector)
    body = {"customer": customer_a.pk, "service_type": "repair", "channel": "phone", "description": "x"}
    assert post(client, "/work-orders", body).status_code == 403
    patch = client.patch(
        f"{API}/work-orders/{order_a.pk}",
        data=json.dumps({"version": 1, "description": "改"}),
        content_type="application/json",
    )
    assert patch.status_code == 403


# --- the selector itself --------------------------------------------------------------------------


def test_the_selector_applies_the_same_rule(agent, dispatcher, station_a_user, station_b_user, order_a, order_b):
    def visible(user: Any) -> set[int]:
        return set(workorders_visible_to(user).values_list("pk", flat=True))

    assert visible(agent) == {order_a.pk, order_b.pk}
    assert visible(dispatcher) == {order_a.pk}
    assert visible(station_a_user) == {order_a.pk}
    assert visible(station_b_user) == {order_b.pk}


def test_a_user_without_a_role_sees_nothing_even_in_their_own_unit(org, customer_a, device_a, api_as):
    from core.testing import make_user

    roleless = make_user("no-role", org.station_a, username="roleless")
    roleless.groups.clear()
    client = api_as(roleless)
    assert client.get("/api/v1/customers").json()["count"] == 0
    assert client.get("/api/v1/devices").json()["count"] == 0
    assert client.get("/api/v1/work-orders").json()["count"] == 0


def test_devices_move_with_their_owner_to_the_unit_now_serving_them(
    director, station_a_user, station_b_user, customer_a, device_a
):
    from customers.services import customer_update
    from devices.selectors import devices_visible_to

    customer_update(customer=customer_a, acting_user=director, changes={"address": "北京市海淀区中关村大街2号"})
    assert not devices_visible_to(station_a_user).filter(pk=device_a.pk).exists()
    assert devices_visible_to(station_b_user).filter(pk=device_a.pk).exists()
    device_a.refresh_from_db()
    assert device_a.unit.code == "BJ-HD"
