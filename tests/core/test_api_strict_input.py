"""Request bodies are strict (core.api_schemas.StrictIn, docs/api.md): a boolean is not a number,
a number is not a date, an id is a JSON integer. Each refusal is a 422 naming the field, and
nothing is saved. Query strings are still parsed from their text, but a date there is YYYY-MM-DD.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from billing.models import FeeSchedule
from core.models import ApiToken
from devices.models import Device
from policies.models import Contract
from workorders.models import WorkOrder

API = "/api/v1"


def bearer(user: Any) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(user)}")


def post(client: Client, path: str, body: Any) -> Any:
    return client.post(API + path, data=json.dumps(body), content_type="application/json")


def assert_refused(response: Any, field: str) -> None:
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "invalid_input"
    assert field in {item["field"] for item in body["errors"]}, body
    assert field in body["detail"]


def fee_schedule(**rate: Any) -> dict[str, Any]:
    return {
        "effective_from": "2027-01-01",
        "rates": [{"kind": "labour", "unit": "per_hour", "amount": "80.00", **rate}],
    }


def new_order(customer: Any, **fields: Any) -> dict[str, Any]:
    return {"customer": customer.pk, "service_type": "repair", "description": "开机无显示", **fields}


# --- money and numbers -----------------------------------------------------------------------


@pytest.mark.parametrize("amount", [False, True], ids=["false", "true"])
def test_a_boolean_is_not_a_fee(director: Any, amount: bool) -> None:
    response = post(bearer(director), "/billing/fee-schedules", fee_schedule(amount=amount))

    assert_refused(response, "rates.0.amount")
    assert not FeeSchedule.objects.filter(effective_from="2027-01-01").exists()


def test_a_boolean_is_not_a_price(agent: Any, customer_a: Any) -> None:
    body = {"kind": "extended_warranty", "customer": customer_a.pk, "starts_on": "2027-01-01", "price": False}
    response = post(bearer(agent), "/warranty/contracts", body)

    assert_refused(response, "price")
    assert not Contract.objects.exists()


def test_a_number_is_not_a_yes_or_no(agent: Any, customer_a: Any) -> None:
    response = post(bearer(agent), "/work-orders", new_order(customer_a, urgent=1))

    assert_refused(response, "urgent")
    assert not WorkOrder.objects.exists()


def test_money_is_still_taken_as_a_string_or_a_number(director: Any) -> None:
    as_text = post(bearer(director), "/billing/fee-schedules", fee_schedule(amount="80.50"))
    as_number = post(
        bearer(director), "/billing/fee-schedules", {**fee_schedule(amount=90), "effective_from": "2027-02-01"}
    )

    assert (as_text.status_code, as_number.status_code) == (201, 201), (as_text.content, as_number.content)
    assert [as_text.json()["rates"][0]["amount"], as_number.json()["rates"][0]["amount"]] == ["80.50", "90.00"]


# --- dates and moments ---------------------------------------------------------------------


@pytest.mark.parametrize("value", [0, 20270101, True, "0"], ids=["zero", "a-number", "true", "zero-as-text"])
def test_a_number_is_not_a_date(director: Any, value: Any) -> None:
    before = FeeSchedule.objects.count()
    response = post(bearer(director), "/billing/fee-schedules", {**fee_schedule(), "effective_from": value})

    assert_refused(response, "effective_from")
    assert FeeSchedule.objects.count() == before


def test_a_number_is_not_a_moment(dispatcher: Any) -> None:
    body = {"order": 1, "technician": 1, "window_start": 0, "window_end": "2027-01-04T10:00:00+08:00"}
    response = post(bearer(dispatcher), "/dispatch/appointments", body)

    assert_refused(response, "window_start")


@pytest.mark.parametrize("path", ["/dispatch/appointments?day=0", "/work-orders?submitted_from=0"])
def test_a_date_in_a_query_is_yyyy_mm_dd(dispatcher: Any, path: str) -> None:
    response = bearer(dispatcher).get(API + path)

    assert_refused(response, path.rsplit("?", 1)[1].split("=")[0])


def test_a_query_string_is_still_parsed_from_its_text(dispatcher: Any) -> None:
    response = bearer(dispatcher).get(f"{API}/dispatch/appointments?day=2027-01-04&page=1&page_size=5")

    assert response.status_code == 200, response.content
    assert response.json() == {"items": [], "count": 0}


# --- ids -----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [True, "1", 1.5], ids=["true", "text", "fraction"])
def test_an_id_is_a_json_integer(agent: Any, customer_a: Any, value: Any) -> None:
    response = post(bearer(agent), "/work-orders", {**new_order(customer_a), "customer": value})

    assert_refused(response, "customer")
    assert not WorkOrder.objects.exists()


def test_a_whole_number_written_with_a_fraction_is_that_integer(agent: Any, customer_a: Any) -> None:
    """JSON Schema's ``integer`` includes ``1.0`` (the OpenAPI document promises no more than that)."""
    response = post(bearer(agent), "/work-orders", {**new_order(customer_a), "customer": float(customer_a.pk)})

    assert response.status_code == 201, response.content
    assert WorkOrder.objects.get().customer_id == customer_a.pk


def test_true_is_not_a_device_owner(agent: Any, customer_a: Any, product_model: Any) -> None:
    body = {"customer": True, "product_model": product_model.code, "serial_number": "SN-X", "purchased_on": None}
    response = post(bearer(agent), "/devices", body)

    assert_refused(response, "customer")
    assert not Device.objects.filter(serial_number="SN-X").exists()
