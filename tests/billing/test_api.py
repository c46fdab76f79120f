"""/api/v1/billing: quote build/send/confirm, bad input as 400 naming the field, settlements,
receipt PDF, review, idempotency and station scoping."""

from __future__ import annotations

import json
from typing import Any

import pytest

from billing.models import Quote, Settlement
from workorders.choices import Status
from workorders.models import WorkOrder

pytestmark = pytest.mark.django_db


def post(client: Any, url: str, body: dict[str, Any], **headers: str) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


def test_quote_through_the_api_from_build_to_phone_confirmation(
    api_as: Any, agent: Any, paid_order: Any, price_list: Any
) -> None:
    client = api_as(agent)
    base = f"/api/v1/billing/orders/{paid_order.pk}/quote"
    body = {"days": "2", "nights": 1, "travel_cost": "356.50", "parts": [{"code": "BAT-48V", "quantity": "1"}]}
    first = post(client, base, body, HTTP_IDEMPOTENCY_KEY="q-1")
    again = post(client, base, body, HTTP_IDEMPOTENCY_KEY="q-1")
    assert first.status_code == 201, first.content
    assert again.json() == first.json()
    assert Quote.objects.count() == 1
    quote = first.json()
    assert (quote["status"], quote["total"], quote["subtotal"], quote["waived"]) == (
        "draft",
        "2336.50",
        "2336.50",
        "0.00",
    )
    assert [line["amount"] for line in quote["lines"]] == ["356.50", "200.00", "100.00", "400.00", "1280.00"]

    sent = post(client, f"{base}/send", {})
    assert sent.status_code == 200 and sent.json()["status"] == "sent"
    assert client.get(base).json()["status"] == "sent"
    confirmed = post(client, f"{base}/confirm", {"confirmed_by": "张经理"})
    assert confirmed.status_code == 200, confirmed.content
    assert (confirmed.json()["status"], confirmed.json()["confirmed_by"]) == ("approved", "张经理")
    assert WorkOrder.objects.get(pk=paid_order.pk).status == Status.APPROVED


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"days": "-1"}, "days", "The value may not be negative."),
        ({"travel_cost": "1.005"}, "travel_cost", "Enter at most two decimal places."),
        ({"parts": [{"code": "BAT-48V", "quantity": "-3"}]}, "parts.0.quantity", "The value may not be negative."),
        (
            {"parts": [{"code": "X-404", "quantity": "1"}]},
            "parts.0.code",
            "Part code “X-404” is not on the price list in force.",
        ),
    ],
)
def test_bad_quote_input_answers_400_naming_the_field(
    api_as: Any, agent: Any, paid_order: Any, price_list: Any, body: dict[str, Any], field: str, message: str
) -> None:
    response = post(api_as(agent), f"/api/v1/billing/orders/{paid_order.pk}/quote", body, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json()["errors"] == [{"field": field, "message": message}]


def test_settlement_receipt_and_review_through_the_api(
    api_as: Any, agent: Any, finance: Any, paid_order: Any, station_b_user: Any
) -> None:
    client = api_as(agent)
    base = f"/api/v1/billing/orders/{paid_order.pk}"
    post(client, f"{base}/quote", {"days": "1"})
    post(client, f"{base}/quote/send", {})
    post(client, f"{base}/quote/confirm", {"confirmed_by": "张三丰"})
    bad = post(
        client,
        f"{base}/settlements",
        {"actual_charge": "250.001", "amount_paid": "250", "payment_method": "cash", "receiver": "李"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert bad.status_code == 400
    assert bad.json()["errors"] == [{"field": "actual_charge", "message": "Enter at most two decimal places."}]
    created = post(
        client,
        f"{base}/settlements",
        {"actual_charge": "250", "amount_paid": "250.00", "payment_method": "cash", "receiver": "李收款"},
        HTTP_IDEMPOTENCY_KEY="s-1",
    )
    assert created.status_code == 201, created.content
    settlement = created.json()
    assert (settlement["actual_charge"], settlement["status"]) == ("250.00", "recorded")
    assert Settlement.objects.count() == 1

    receipt = client.get(f"/api/v1/billing/settlements/{settlement['id']}/receipt.pdf")
    assert receipt.status_code == 200 and receipt.content.startswith(b"%PDF")
    outsider = api_as(station_b_user)
    assert outsider.get(f"/api/v1/billing/settlements/{settlement['id']}/receipt.pdf").status_code == 404
    assert outsider.get(f"/api/v1/billing/settlements/{settlement['id']}").status_code == 404
    assert outsider.get(f"/api/v1/billing/orders/{paid_order.pk}/quote").status_code == 404
    assert outsider.get("/api/v1/billing/settlements").json() == {"items": [], "count": 0}

    reviewed = post(api_as(finance), f"/api/v1/billing/settlements/{settlement['id']}/review", {"decision": "approve"})
    assert reviewed.status_code == 200 and reviewed.json()["status"] == "reviewed"


def test_fee_schedule_versions_through_the_api(api_as: Any, director: Any, agent: Any) -> None:
    body = {
        "effective_from": "2027-01-01",
        "rates": [{"kind": "lodging", "unit": "per_day", "amount": "-5", "customer_may_provide": True}],
    }
    refused = post(api_as(director), "/api/v1/billing/fee-schedules", body, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400
    assert refused.json()["errors"] == [{"field": "rates.0.amount", "message": "The value may not be negative."}]
    body["rates"][0]["amount"] = "220.00"
    assert post(api_as(agent), "/api/v1/billing/fee-schedules", body).status_code == 403
    created = post(api_as(director), "/api/v1/billing/fee-schedules", body)
    assert created.status_code == 201
    assert created.json()["rates"][0]["amount"] == "220.00"
    listed = api_as(agent).get("/api/v1/billing/fee-schedules").json()
    assert [s["effective_from"] for s in listed["items"]] == ["2027-01-01", "2020-01-01"]
