from __future__ import annotations

import datetime
import json

import pytest
from django.utils import timezone

from devices.models import Device
from workorders.services import workorder_create

URL = "/api/v1/devices"
TODAY = timezone.localdate()


def post(client, url, body, **headers):
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


def patch(client, url, body):
    return client.patch(url, json.dumps(body), content_type="application/json")


def fields(response):
    return {error["field"] for error in response.json()["errors"]}


def payload(owner, **overrides):
    return {
        "customer": owner.pk,
        "product_model": "TDR-2000",
        "serial_number": "SN-NEW-1",
        "purchased_on": "2026-01-10",
        **overrides,
    }


def test_create_returns_201_with_id_and_qr_url(api_as, agent, customer_a, product_model):
    response = post(
        api_as(agent),
        URL,
        payload(
            customer_a,
            accepted_on="2026-01-15",
            installed_on="2026-01-12",
            invoice_number="INV-9",
            firmware_version="1.2.3",
        ),
    )
    assert response.status_code == 201
    body = response.json()
    device = Device.objects.get(pk=body["id"])
    assert body["qr_url"].endswith(f"/s/d/{device.qr_token}/")
    assert (body["purchased_on"], body["accepted_on"], body["installed_on"]) == (
        "2026-01-10",
        "2026-01-15",
        "2026-01-12",
    )
    assert body["product_model"]["code"] == "TDR-2000" and body["customer"]["id"] == customer_a.pk
    assert body["work_orders"] == []


def test_purchase_date_may_be_null_but_is_required(api_as, agent, customer_a, product_model):
    client = api_as(agent)
    missing = post(client, URL, {k: v for k, v in payload(customer_a).items() if k != "purchased_on"})
    assert missing.status_code == 422 and "purchased_on" in fields(missing)
    unknown = post(client, URL, payload(customer_a, purchased_on=None))
    assert unknown.status_code == 201 and unknown.json()["purchased_on"] is None


def test_idempotency_key_replays_the_same_device(api_as, agent, customer_a, product_model):
    client = api_as(agent)
    first = post(client, URL, payload(customer_a), HTTP_IDEMPOTENCY_KEY="dev-1")
    second = post(client, URL, payload(customer_a), HTTP_IDEMPOTENCY_KEY="dev-1")
    assert first.status_code == second.status_code == 201 and first.json()["id"] == second.json()["id"]
    assert Device.objects.count() == 1


def test_duplicate_serial_is_refused_naming_serial_number(api_as, agent, customer_a, device_a):
    response = post(api_as(agent), URL, payload(customer_a, serial_number="SN-A-0001"))
    assert response.status_code in (400, 409) and fields(response) == {"serial_number"}
    assert Device.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "field", "status"),
    [
        ({"customer": 999999}, "customer", 400),
        ({"customer": "abc"}, "customer", 422),
        ({"customer": 0}, "customer", 400),
        ({"customer": 10**30}, "customer", 400),
        ({"product_model": "NOPE"}, "product_model", 400),
        ({"serial_number": ""}, "serial_number", 400),
        ({"purchased_on": "2026-02-30"}, "purchased_on", 422),
        ({"purchased_on": str(TODAY + datetime.timedelta(days=1))}, "purchased_on", 400),
        ({"installed_on": "2026-01-01"}, "installed_on", 400),
        ({"accepted_on": "2026-01-09"}, "accepted_on", 400),
        ({"accepted_on": str(TODAY + datetime.timedelta(days=3))}, "accepted_on", 400),
        ({"serial_number": "x" * 65}, "serial_number", 422),
    ],
    ids=[
        "unknown-customer",
        "customer-text",
        "customer-zero",
        "customer-huge",
        "unknown-model",
        "empty-serial",
        "impossible-date",
        "future-purchase",
        "install-before-purchase",
        "acceptance-before-purchase",
        "future-acceptance",
        "serial-too-long",
    ],
)
def test_bad_input_is_4xx_naming_the_field(api_as, agent, customer_a, product_model, overrides, field, status):
    response = post(api_as(agent), URL, payload(customer_a, **overrides))
    assert response.status_code == status, response.json()
    assert field in fields(response)
    assert not Device.objects.exists()


def test_malformed_json_is_4xx(api_as, agent, customer_a, product_model):
    response = api_as(agent).post(URL, '{"customer": ', content_type="application/json")
    assert 400 <= response.status_code < 500


def test_other_station_cannot_register_for_a_foreign_customer(api_as, station_b_user, customer_a, product_model):
    response = post(api_as(station_b_user), URL, payload(customer_a))
    assert response.status_code == 400 and fields(response) == {"customer"}
    assert "张三丰" not in response.content.decode()
    assert not Device.objects.exists()


def test_list_filters_and_search(api_as, agent, device_a, customer_a, customer_b):
    client = api_as(agent)
    assert client.get(URL, {"q": "zsf"}).json()["count"] == 1
    assert client.get(URL, {"customer": customer_a.pk}).json()["count"] == 1
    assert client.get(URL, {"customer": customer_b.pk}).json()["count"] == 0
    assert client.get(URL, {"product_model": "TDR-2000"}).json()["count"] == 1
    assert client.get(URL, {"product_model": "NOPE"}).json() == {"items": [], "count": 0}
    assert client.get(URL, {"customer": "x"}).status_code == 422


def test_detail_has_the_work_order_history(api_as, agent, device_a, customer_a):
    order = workorder_create(
        acting_user=agent,
        customer=customer_a,
        device=device_a,
        service_type="repair",
        channel="phone",
        description="异响",
    )
    body = api_as(agent).get(f"{URL}/{device_a.pk}").json()
    assert body["work_orders"] == [
        {
            "id": order.pk,
            "number": order.number,
            "status": "submitted",
            "service_type": "repair",
            "submitted_at": timezone.localtime(order.submitted_at).isoformat(),
        }
    ]
    assert body["work_orders"][0]["submitted_at"].endswith("+08:00")


def test_patch_with_version_and_stale_version(api_as, agent, device_a):
    client = api_as(agent)
    ok = patch(client, f"{URL}/{device_a.pk}", {"version": 1, "firmware_version": "2.0", "location": None})
    assert ok.status_code == 200 and (ok.json()["firmware_version"], ok.json()["version"]) == ("2.0", 2)
    stale = patch(client, f"{URL}/{device_a.pk}", {"version": 1, "firmware_version": "3.0"})
    assert stale.status_code == 409 and "version" in fields(stale)
    assert Device.objects.get(pk=device_a.pk).firmware_version == "2.0"


def test_patch_bad_dates_and_unknown_model(api_as, agent, device_a):
    client = api_as(agent)
    before_purchase = (device_a.purchased_on - datetime.timedelta(days=28)).isoformat()
    early = patch(client, f"{URL}/{device_a.pk}", {"version": 1, "accepted_on": before_purchase})
    assert early.status_code == 400 and fields(early) == {"accepted_on"}
    model = patch(client, f"{URL}/{device_a.pk}", {"version": 1, "product_model": "NOPE"})
    assert model.status_code == 400 and fields(model) == {"product_model"}


def test_patch_to_a_foreign_customer_is_400(api_as, station_a_user, device_a, customer_b):
    response = patch(api_as(station_a_user), f"{URL}/{device_a.pk}", {"version": 1, "customer": customer_b.pk})
    assert response.status_code == 400 and fields(response) == {"customer"}


def test_other_station_cannot_see_the_device(api_as, station_b_user, device_a):
    client = api_as(station_b_user)
    assert client.get(f"{URL}/{device_a.pk}").status_code == 404
    assert patch(client, f"{URL}/{device_a.pk}", {"version": 1, "location": "x"}).status_code == 404
    assert client.get(URL).json() == {"items": [], "count": 0}
    assert client.get(f"{URL}/99999999999999999999999").status_code in (404, 422)


def test_idempotency_key_reused_with_another_body_is_refused(api_as, agent, customer_a, product_model):
    client = api_as(agent)
    assert post(client, URL, payload(customer_a), HTTP_IDEMPOTENCY_KEY="dev-2").status_code == 201
    other = post(client, URL, payload(customer_a, serial_number="SN-OTHER"), HTTP_IDEMPOTENCY_KEY="dev-2")
    assert other.status_code == 422
    assert Device.objects.count() == 1


def test_refused_creation_does_not_burn_the_idempotency_key(api_as, agent, customer_a, product_model):
    client = api_as(agent)
    refused = post(client, URL, payload(customer_a, product_model="NOPE"), HTTP_IDEMPOTENCY_KEY="dev-3")
    assert refused.status_code == 400
    fixed = post(client, URL, payload(customer_a), HTTP_IDEMPOTENCY_KEY="dev-3")
    assert fixed.status_code == 201 and Device.objects.count() == 1
