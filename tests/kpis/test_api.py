"""``GET /api/v1/kpis`` exactly as SPEC §14.2, and every bad parameter refused naming it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from core.choices import Role
from core.testing import make_user
from tests.kpis.conftest import SH

NAMES = {
    "response_in_time_rate",
    "onsite_in_time_rate",
    "first_time_fix_rate",
    "repeat_repair_rate",
    "satisfaction_rate",
    "complaint_rate",
    "commitment_fulfilment_rate",
    "device_availability",
    "mttr_hours",
    "mean_score",
}


@pytest.fixture
def done(flow: Any) -> Any:
    at = datetime(2026, 3, 2, 9, tzinfo=SH)
    order = flow(when=at).accept(at).assign().start().finish().follow_up("satisfied", 4).order
    return order


@pytest.mark.django_db
def test_shape(api_as: Any, director: Any, done: Any) -> None:
    response = api_as(director).get("/api/v1/kpis?from=2026-03-01&to=2026-03-31")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["from"] == "2026-03-01" and body["to"] == "2026-03-31"
    assert set(body["kpis"]) == NAMES
    assert body["kpis"]["first_time_fix_rate"] == {"value": 1.0, "numerator": 1, "denominator": 1}
    assert body["kpis"]["satisfaction_rate"] == {"value": 1.0, "numerator": 1, "denominator": 1}
    assert body["kpis"]["mean_score"] == {"value": 4.0, "count": 1}
    assert set(body["kpis"]["mttr_hours"]) == {"value", "count"}
    assert body["kpis"]["complaint_rate"] == {"value": 0.0, "numerator": 0, "denominator": 1}
    assert body["kpis"]["device_availability"] == {"value": None, "numerator": 0, "denominator": 0}
    assert body["definitions"]["first_time_fix_rate"]["numerator"]


@pytest.mark.django_db
def test_slices(api_as: Any, director: Any, done: Any, product_model: Any, org: Any, technician: Any) -> None:
    client = api_as(director)
    by_unit = client.get(f"/api/v1/kpis?from=2026-03-01&to=2026-03-31&unit={done.unit_id}").json()
    assert by_unit["kpis"]["first_time_fix_rate"]["denominator"] == 1
    other = client.get(f"/api/v1/kpis?from=2026-03-01&to=2026-03-31&unit={org.station_b.pk}").json()
    assert other["kpis"]["first_time_fix_rate"]["denominator"] == 0
    assert other["kpis"]["first_time_fix_rate"]["value"] is None
    mine = client.get(f"/api/v1/kpis?from=2026-03-01&to=2026-03-31&technician={technician.pk}").json()
    assert mine["kpis"]["first_time_fix_rate"]["denominator"] == 1
    model = client.get(f"/api/v1/kpis?from=2026-03-01&to=2026-03-31&product_model={product_model.code}").json()
    assert model["kpis"]["first_time_fix_rate"]["denominator"] == 0  # the order names no device or model


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("from=2026-03-31&to=2026-03-01", "from"),
        ("from=2026-02-30&to=2026-03-01", "from"),
        ("from=2026-03-01&to=2026-13-01", "to"),
        ("from=yesterday&to=2026-03-01", "from"),
        ("from=2026-03-01", "to"),
        ("from=2026-03-01&to=2026-03-31&unit=999999", "unit"),
        ("from=2026-03-01&to=2026-03-31&unit=abc", "unit"),
        ("from=2026-03-01&to=2026-03-31&technician=999999", "technician"),
        ("from=2026-03-01&to=2026-03-31&product_model=NOPE", "product_model"),
        ("from=2026-03-01&to=2026-03-31&service_type=magic", "service_type"),
        ("from=2026-03-01&to=2026-03-31&customer=999999", "customer"),
    ],
)
def test_bad_input_names_the_parameter(api_as: Any, director: Any, query: str, field: str) -> None:
    response = api_as(director).get(f"/api/v1/kpis?{query}")
    assert response.status_code == 400, response.content
    body = response.json()
    assert [e["field"] for e in body["errors"]] == [field], body


@pytest.mark.django_db
def test_a_foreign_unit_is_refused(api_as: Any, station_a_user: Any, org: Any) -> None:
    response = api_as(station_a_user).get(f"/api/v1/kpis?from=2026-03-01&to=2026-03-31&unit={org.station_b.pk}")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "unit"


@pytest.mark.django_db
def test_a_station_sees_its_own_figures(api_as: Any, station_a_user: Any, station_b_user: Any, done: Any) -> None:
    a = api_as(station_a_user).get("/api/v1/kpis?from=2026-03-01&to=2026-03-31").json()
    b = api_as(station_b_user).get("/api/v1/kpis?from=2026-03-01&to=2026-03-31").json()
    assert a["kpis"]["first_time_fix_rate"]["denominator"] == 1
    assert b["kpis"]["first_time_fix_rate"]["denominator"] == 0


@pytest.mark.django_db
def test_roles_without_kpis_are_refused(api_as: Any, org: Any) -> None:
    finance = make_user(Role.FINANCE, org.hq, username="fin")
    assert api_as(finance).get("/api/v1/kpis?from=2026-03-01&to=2026-03-31").status_code == 403
