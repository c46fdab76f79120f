"""The warranty part of the public API v1 (SPEC §14): exact names, scoping, bad input."""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.utils import timezone

from .conftest import make_device


def post(client: Any, url: str, body: dict[str, Any], **headers: Any) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json", **headers)


def test_device_warranty_answers_the_spec_fields(
    api_as: Any, agent: Any, customer_a: Any, product_model: Any, time_machine: Any
) -> None:
    time_machine.move_to(datetime.datetime(2026, 12, 3, 10, tzinfo=datetime.UTC))  # the sale is in the past
    device = make_device(customer_a, product_model, "SN-LEAP", purchased_on=datetime.date(2026, 3, 1))
    response = api_as(agent).get(f"/api/v1/devices/{device.pk}/warranty?on=2026-06-01")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["starts_on"], body["ends_on"]) == ("in_warranty", "2026-03-01", "2028-02-29")
    assert {"rule", "message", "article"} <= set(body["reasons"][0])


def test_device_warranty_of_another_stations_device_is_404(
    api_as: Any, station_b_user: Any, station_a_user: Any, device_a: Any
) -> None:
    assert api_as(station_b_user).get(f"/api/v1/devices/{device_a.pk}/warranty").status_code == 404
    assert api_as(station_a_user).get(f"/api/v1/devices/{device_a.pk}/warranty").status_code == 200
    assert api_as(station_a_user).get("/api/v1/devices/999999999/warranty").status_code == 404


def test_device_warranty_answers_any_date_past_or_future(api_as: Any, agent: Any, device_a: Any) -> None:
    """SPEC §14.1: "is it still covered on the appointment day?" — a future date is answered."""
    client = api_as(agent)
    url = f"/api/v1/devices/{device_a.pk}/warranty"
    appointment_day = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    soon = client.get(f"{url}?on={appointment_day}")
    assert soon.status_code == 200, soon.content
    ends_on = datetime.date.fromisoformat(soon.json()["ends_on"])
    assert soon.json()["status"] == "in_warranty"
    after = client.get(f"{url}?on={(ends_on + datetime.timedelta(days=1)).isoformat()}").json()
    assert (after["status"], after["ends_on"]) == ("expired", ends_on.isoformat())
    last_day = client.get(f"{url}?on={ends_on.isoformat()}").json()
    assert last_day["status"] == "in_warranty"
    before_sale = client.get(f"{url}?on={(device_a.purchased_on - datetime.timedelta(days=1)).isoformat()}")
    assert before_sale.status_code == 200 and before_sale.json()["status"] == "needs_review"
    assert client.get(f"{url}?on=2026-13-01").status_code == 422
    far = client.get(f"{url}?on=2300-01-01", HTTP_ACCEPT_LANGUAGE="en")
    assert far.status_code == 400
    assert far.json()["errors"] == [{"field": "on", "message": "Choose a date between 1990-01-01 and 2199-12-31."}]


def test_decision_within_seven_days_offers_return(api_as: Any, agent: Any, recent_device: Any) -> None:
    response = post(
        api_as(agent),
        "/api/v1/warranty/decisions",
        {
            "device": recent_device.pk,
            "on": timezone.localdate().isoformat(),
            "request": "return",
            "fault_cause": "quality",
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["coverage"] == "free"
    assert body["remedies"] == ["return", "exchange", "repair"]
    assert any(r["rule"] == "return_window" and r["article"] == "第九条" for r in body["reasons"])


def test_decision_for_water_damage_is_paid(api_as: Any, agent: Any, device_a: Any) -> None:
    response = post(
        api_as(agent),
        "/api/v1/warranty/decisions",
        {"device": device_a.pk, "on": timezone.localdate().isoformat(), "request": "repair", "fault_cause": "water"},
    )
    body = response.json()
    assert (body["coverage"], body["remedies"]) == ("paid", ["repair"])


def test_decision_bad_input_is_4xx_naming_the_field(
    api_as: Any, agent: Any, station_b_user: Any, device_a: Any
) -> None:
    client = api_as(agent)
    bad_cause = post(
        client, "/api/v1/warranty/decisions", {"device": device_a.pk, "on": "2026-06-01", "fault_cause": "x"}
    )
    assert bad_cause.status_code == 422
    assert bad_cause.json()["errors"][0]["field"] == "fault_cause"
    bad_request = post(client, "/api/v1/warranty/decisions", {"device": device_a.pk, "request": "refund"})
    assert bad_request.json()["errors"][0]["field"] == "request"
    assert post(client, "/api/v1/warranty/decisions", {"device": 0}).status_code == 422
    foreign = post(api_as(station_b_user), "/api/v1/warranty/decisions", {"device": device_a.pk, "on": "2026-06-01"})
    assert foreign.status_code == 404
    day_before_sale = (device_a.purchased_on - datetime.timedelta(days=28)).isoformat()
    before_sale = post(client, "/api/v1/warranty/decisions", {"device": device_a.pk, "on": day_before_sale})
    assert before_sale.status_code == 200
    assert before_sale.json()["coverage"] == "needs_review"


def test_decision_without_proof_needs_review(api_as: Any, agent: Any, customer_a: Any, cash_sorter_model: Any) -> None:
    device = make_device(customer_a, cash_sorter_model, "QF-NOPROOF")
    body = post(api_as(agent), "/api/v1/warranty/decisions", {"device": device.pk, "on": "2026-06-01"}).json()
    assert body["coverage"] == "needs_review"
    assert body["reasons"][-1]["rule"] == "no_proof_of_start"


def test_policy_versions_are_created_not_edited(api_as: Any, director: Any, agent: Any) -> None:
    client = api_as(director)
    body = {"category": "phone", "effective_from": "2026-07-01", "repair_warranty_days": 60}
    response = post(client, "/api/v1/warranty/policies", body, HTTP_IDEMPOTENCY_KEY="p-1")
    assert response.status_code == 201, response.content
    created = response.json()
    assert (created["revision"], created["unit_months"], created["parts"], created["repair_warranty_days"]) == (
        2,
        12,
        ["电池"],
        60,
    )
    again = post(client, "/api/v1/warranty/policies", body, HTTP_IDEMPOTENCY_KEY="p-1")
    assert again.json()["id"] == created["id"]
    listed = client.get("/api/v1/warranty/policies?category=phone").json()
    assert listed["count"] == 2
    assert post(api_as(agent), "/api/v1/warranty/policies", body).status_code == 403
    unknown = post(client, "/api/v1/warranty/policies", {"category": "nope", "effective_from": "2026-07-01"})
    assert (unknown.status_code, unknown.json()["errors"][0]["field"]) == (400, "category")


def test_contract_crud_and_scoping(api_as: Any, agent: Any, station_b_user: Any, device_a: Any) -> None:
    client = api_as(agent)
    response = post(
        client,
        "/api/v1/warranty/contracts",
        {
            "kind": "annual_maintenance",
            "customer": device_a.customer_id,
            "devices": [device_a.pk],
            "starts_on": "2026-01-01",
            "extends_months": 12,
            "price": "1300.00",
        },
    )
    assert response.status_code == 201, response.content
    contract = response.json()
    assert (contract["ends_on"], contract["price"], contract["waived_fee_kinds"]) == (
        "2026-12-31",
        "1300.00",
        ["labour", "software"],
    )
    url = f"/api/v1/warranty/contracts/{contract['id']}"
    assert api_as(station_b_user).get(url).status_code == 404
    assert api_as(station_b_user).get("/api/v1/warranty/contracts").json()["count"] == 0
    patched = client.patch(
        url, data=json.dumps({"version": 1, "waived_fee_kinds": ["labour"]}), content_type="application/json"
    )
    assert patched.status_code == 200, patched.content
    assert patched.json()["waived_fee_kinds"] == ["labour"]
    stale = client.patch(url, data=json.dumps({"version": 1, "note": "x"}), content_type="application/json")
    assert stale.status_code == 409


def test_contract_bad_input(api_as: Any, agent: Any, customer_b: Any, device_a: Any) -> None:
    client = api_as(agent)
    base = {"kind": "service_package", "customer": device_a.customer_id, "starts_on": "2026-01-01"}
    assert post(client, "/api/v1/warranty/contracts", base).json()["errors"][0]["field"] == "ends_on"
    price = post(client, "/api/v1/warranty/contracts", {**base, "ends_on": "2026-12-31", "price": "1.234"})
    assert price.status_code == 422
    other = post(client, "/api/v1/warranty/contracts", {**base, "ends_on": "2026-12-31", "customer": customer_b.pk})
    assert other.status_code == 201  # HQ agent sees every customer
    foreign_device = post(
        client,
        "/api/v1/warranty/contracts",
        {**base, "ends_on": "2026-12-31", "customer": customer_b.pk, "devices": [device_a.pk]},
    )
    assert (foreign_device.status_code, foreign_device.json()["errors"][0]["field"]) == (400, "devices")
