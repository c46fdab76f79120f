"""The SPEC §14.2 API of maintenance plans: create, generate, occurrences; bad input → 4xx naming
the field with nothing saved; an Idempotency-Key retry creates one plan."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from maintenance.models import MaintenancePlan, Occurrence
from workorders.models import WorkOrder

pytestmark = pytest.mark.django_db


def _post(client: Any, url: str, body: dict[str, Any], **headers: Any) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json", **headers)


def _body(device_rows: list[Any], **fields: Any) -> dict[str, Any]:
    return {
        "name": "清分机季度巡检",
        "service_type": "inspection",
        "interval_months": 3,
        "starts_on": "2026-01-31",
        "devices": [d.pk for d in device_rows],
        "non_working": "keep",
        **fields,
    }


def _fields(response: Any) -> set[str]:
    return {error["field"].split(".")[-1] for error in response.json().get("errors", [])}


def test_create_generate_and_list_occurrences(today: date, api_as: Any, director: Any, devices_a: list[Any]) -> None:
    client = api_as(director)
    created = _post(client, "/api/v1/maintenance-plans", _body(devices_a[:2]))
    assert created.status_code == 201, created.content
    plan_id = created.json()["id"]
    assert set(created.json()) == {"id"}

    generated = _post(client, f"/api/v1/maintenance-plans/{plan_id}/generate", {"until": "2026-12-31"})
    assert generated.status_code == 200 and generated.json() == {"created": 8}
    again = _post(client, f"/api/v1/maintenance-plans/{plan_id}/generate", {"until": "2026-12-31"})
    assert again.json() == {"created": 0}

    listed = client.get(f"/api/v1/maintenance-plans/{plan_id}/occurrences?page_size=100").json()
    assert listed["count"] == 8
    first = listed["items"][0]
    assert {"device", "due_on", "work_order"} <= set(first)
    dues = sorted({item["due_on"] for item in listed["items"]})
    assert dues == ["2026-01-31", "2026-04-30", "2026-07-31", "2026-10-31"]  # 31 Jan + 3 months = 30 Apr
    order = WorkOrder.objects.get(pk=first["work_order"])
    assert order.service_type == "inspection" and order.device_id == first["device"]


def test_idempotency_key_creates_one_plan(today: date, api_as: Any, director: Any, devices_a: list[Any]) -> None:
    client = api_as(director)
    first = _post(client, "/api/v1/maintenance-plans", _body(devices_a), HTTP_IDEMPOTENCY_KEY="plan-1")
    second = _post(client, "/api/v1/maintenance-plans", _body(devices_a), HTTP_IDEMPOTENCY_KEY="plan-1")
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert MaintenancePlan.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"interval_months": 0}, "interval_months"),
        ({"interval_months": -1}, "interval_months"),
        ({"starts_on": "2026-02-30"}, "starts_on"),
        ({"devices": []}, "devices"),
        ({"devices": [987_654]}, "devices"),
        ({"service_type": "repair"}, "service_type"),
        ({"checklist": "no-such-list"}, "checklist"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(
    today: date, api_as: Any, director: Any, devices_a: list[Any], fields: dict[str, Any], field: str
) -> None:
    response = _post(api_as(director), "/api/v1/maintenance-plans", _body(devices_a, **fields))
    assert 400 <= response.status_code < 500, response.content
    assert field in _fields(response), response.json()
    assert response.json().get("code")
    assert MaintenancePlan.objects.count() == 0


def test_foreign_unit_device_is_refused(
    today: date, api_as: Any, station_a_user: Any, devices_a: list[Any], device_b: Any
) -> None:
    response = _post(api_as(station_a_user), "/api/v1/maintenance-plans", _body([devices_a[0], device_b]))
    assert response.status_code == 400
    assert "devices" in _fields(response)
    assert MaintenancePlan.objects.count() == 0


def test_generate_bad_until(today: date, api_as: Any, director: Any, plan: MaintenancePlan) -> None:
    client = api_as(director)
    for until in ("2026-02-30", "2099-01-01"):
        response = _post(client, f"/api/v1/maintenance-plans/{plan.pk}/generate", {"until": until})
        assert 400 <= response.status_code < 500 and "until" in _fields(response), response.content
    assert Occurrence.objects.count() == 0


def test_another_station_does_not_see_the_plan(
    today: date, api_as: Any, station_b_user: Any, plan: MaintenancePlan
) -> None:
    client = api_as(station_b_user)
    assert client.get(f"/api/v1/maintenance-plans/{plan.pk}").status_code == 404
    assert _post(client, f"/api/v1/maintenance-plans/{plan.pk}/generate", {"until": "2026-12-31"}).status_code == 404
    assert Occurrence.objects.count() == 0


def test_record_results_through_the_api(api_as: Any, technician: Any, started_order: Any, checklist: Any) -> None:
    client = api_as(technician)
    speed = checklist.items.get(label="走钞速度")
    clean = checklist.items.get(label="外观及机身清洁")
    response = _post(client, f"/api/v1/inspections/{started_order.pk}/results", {"item": speed.pk, "value": "850"})
    assert response.status_code == 200, response.content
    assert response.json()["items"][0]["out_of_limit"] is True
    bad = _post(client, f"/api/v1/inspections/{started_order.pk}/results", {"item": clean.pk, "outcome": "issue"})
    assert bad.status_code == 400 and "note" in _fields(bad)
    ok = _post(client, f"/api/v1/inspections/{started_order.pk}/results", {"item": clean.pk, "outcome": "ok"})
    assert ok.json()["count"] == 2
