"""/api/v1/dispatch: appointments, board, auto-assign, plans, loans; scoping by unit."""

from __future__ import annotations

import json
from typing import Any

import pytest

from core.choices import Role
from core.testing import make_user

from .conftest import DAY, at, before_day, make_order, make_profile

pytestmark = pytest.mark.django_db

BASE = "/api/v1/dispatch"


def _post(client: Any, url: str, body: dict[str, Any], **headers: Any) -> Any:
    """Messages are asserted in English (the msgids): the API follows Accept-Language."""
    headers.setdefault("HTTP_ACCEPT_LANGUAGE", "en")
    return client.post(url, data=json.dumps(body, default=str), content_type="application/json", **headers)


@pytest.fixture
def station_tech(org: Any, station_a_user: Any, category: Any) -> Any:
    user = make_user(Role.TECHNICIAN, org.station_a, username="xh_tech")
    make_profile(station_a_user, user, category, lat="30.259463", lon="120.130194")
    return user


def test_book_reschedule_and_double_booking_over_the_api(
    api_as, station_a_user, station_tech, agent, customer_a, device_a
):
    client = api_as(station_a_user)
    first, second = (make_order(agent, customer_a, device=device_a) for _ in range(2))
    body = {
        "order": first.pk,
        "technician": station_tech.pk,
        "window_start": at(9).isoformat(),
        "window_end": at(10).isoformat(),
        "content": "上门检修",
        "expected_fees": "80.5",
    }
    response = _post(client, f"{BASE}/appointments", body, HTTP_IDEMPOTENCY_KEY="k-1")
    assert response.status_code == 201, response.content
    booked = response.json()
    assert booked["expected_fees"] == "80.50"
    assert booked["window_start"] == "2026-12-15T09:00:00+08:00"
    assert _post(client, f"{BASE}/appointments", body, HTTP_IDEMPOTENCY_KEY="k-1").json()["id"] == booked["id"]

    clash = _post(client, f"{BASE}/appointments", {**body, "order": second.pk})
    assert clash.status_code == 400
    assert clash.json()["errors"][0]["field"] == "window_start"

    stale = _post(
        client,
        f"{BASE}/appointments/{booked['id']}/reschedule",
        {"version": 99, "window_start": at(14).isoformat(), "window_end": at(15).isoformat(), "reason": "改期"},
    )
    assert stale.status_code == 409
    moved = _post(
        client,
        f"{BASE}/appointments/{booked['id']}/reschedule",
        {
            "version": booked["version"],
            "window_start": at(14).isoformat(),
            "window_end": at(15).isoformat(),
            "reason": "改期",
        },
    )
    assert moved.status_code == 200
    assert moved.json()["status"] == "rescheduled"


def test_outside_shift_over_the_api_names_the_field(api_as, station_a_user, station_tech, agent, customer_a, device_a):
    order = make_order(agent, customer_a, device=device_a)
    response = _post(
        api_as(station_a_user),
        f"{BASE}/appointments",
        {
            "order": order.pk,
            "technician": station_tech.pk,
            "window_start": at(20).isoformat(),
            "window_end": at(21).isoformat(),
        },
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "window_start", "message": "The window 20:00–21:00 is outside xh_tech's shift 09:00–18:00."}
    ]


def test_auto_assign_over_the_api(api_as, station_a_user, station_tech, agent, customer_a, device_a):
    order = make_order(agent, customer_a, device=device_a)
    response = _post(
        api_as(station_a_user), f"{BASE}/work-orders/{order.pk}/auto-assign", {"day": DAY.isoformat(), "apply": True}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["choice"] == station_tech.pk and body["applied"] is True
    chosen = next(c for c in body["candidates"] if c["technician"] == station_tech.pk)
    assert chosen["reasons"][0] == "has the skills"


def test_plan_lifecycle_over_the_api(api_as, director, station_a_user, station_tech, agent, customer_a, device_a, org):
    for _ in range(3):
        make_order(agent, customer_a, device=device_a)
    station = api_as(station_a_user)
    with before_day():
        proposed = _post(station, f"{BASE}/plans", {"day": DAY.isoformat(), "time_limit": 0.5})
    assert proposed.status_code == 201, proposed.content
    plan = proposed.json()
    assert plan["unit"]["id"] == org.station_a.pk
    assert len(plan["routes"]) == 1 and len(plan["routes"][0]["visits"]) == 3
    assert _post(station, f"{BASE}/plans/{plan['id']}/approve", {}).status_code == 403
    approved = _post(api_as(director), f"{BASE}/plans/{plan['id']}/approve", {"version": plan["version"]})
    assert approved.json()["status"] == "approved"
    applied = _post(station, f"{BASE}/plans/{plan['id']}/apply", {})
    assert applied.status_code == 200 and applied.json()["status"] == "applied"
    assert _post(station, f"{BASE}/plans/{plan['id']}/apply", {}).json()["status"] == "applied"


def test_a_station_cannot_see_another_stations_board_plans_or_technicians(
    api_as, station_a_user, station_b_user, station_tech, org
):
    station_a = api_as(station_a_user)
    with before_day():
        plan = _post(station_a, f"{BASE}/plans", {"day": DAY.isoformat(), "time_limit": 0.5}).json()
    station_b = api_as(station_b_user)

    assert station_b.get(f"{BASE}/plans/{plan['id']}").status_code == 404
    assert station_b.get(f"{BASE}/plans").json()["count"] == 0
    assert station_b.get(f"{BASE}/technicians").json()["count"] == 0
    assert station_a.get(f"{BASE}/technicians").json()["count"] == 1
    board = station_b.get(
        f"{BASE}/board", {"day": DAY.isoformat(), "unit": org.station_a.pk}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert board.status_code == 400
    assert board.json()["errors"] == [{"field": "unit", "message": "Unknown unit."}]
    own = station_a.get(f"{BASE}/board", {"day": DAY.isoformat(), "days": 7})
    assert own.status_code == 200
    assert [row["technician"]["id"] for row in own.json()["technicians"]] == [station_tech.pk]
    assert len(own.json()["days"]) == 7


def test_loans_over_the_api(api_as, org, category):
    b_dispatcher = make_user(Role.DISPATCHER, org.station_b, username="b_dispatcher")
    centre_dispatcher = make_user(Role.DISPATCHER, org.centre, username="centre_dispatcher")
    lent = make_user(Role.TECHNICIAN, org.centre, username="lent")
    make_profile(centre_dispatcher, lent, category, lat="39.95", lon="116.29")
    from django.utils import timezone

    today = timezone.localdate().isoformat()
    response = _post(
        api_as(b_dispatcher),
        f"{BASE}/loans",
        {"technician": lent.pk, "to_unit": org.station_b.pk, "starts_on": today, "ends_on": today, "reason": "支援"},
    )
    assert response.status_code == 201, response.content
    loan = response.json()
    assert _post(api_as(b_dispatcher), f"{BASE}/loans/{loan['id']}/decide", {"approve": True}).status_code == 403
    decided = _post(api_as(centre_dispatcher), f"{BASE}/loans/{loan['id']}/decide", {"approve": True})
    assert decided.status_code == 200 and decided.json()["status"] == "approved"


def test_the_technicians_list_costs_the_same_queries_for_one_or_four(api_as, dispatcher, category, org):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from core.choices import Role
    from core.testing import make_user
    from dispatch import services

    from .conftest import make_profile

    client = api_as(dispatcher)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/api/v1/dispatch/technicians", {"day": "2026-12-15"})
        assert response.status_code == 200
        return len(queries.captured_queries)

    first = make_user(Role.TECHNICIAN, org.centre, username="t0")
    services.certificate_add(
        acting_user=dispatcher,
        profile=make_profile(dispatcher, first, category, lat="30.25", lon="120.13"),
        name="上岗证",
        number="A-0",
    )
    count()  # warm: the calendars are cached per process on first use
    one = count()
    for index in range(1, 4):
        technician = make_user(Role.TECHNICIAN, org.centre, username=f"t{index}")
        services.certificate_add(
            acting_user=dispatcher,
            profile=make_profile(dispatcher, technician, category, lat="30.25", lon="120.13"),
            name="上岗证",
            number=f"A-{index}",
        )
    assert count() == one
