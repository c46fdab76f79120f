"""The SLA pages and API: service levels for directors, the at-risk dashboard scoped to the
user's units, the work-order list's SLA filter, sort and column, the order's deadlines."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sla.models import OrderServiceLevel, ServiceLevel
from sla.services import sla_scan

from .conftest import Clock

pytestmark = pytest.mark.django_db

API = "/api/v1"
H = timedelta(hours=1)


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post_json(client: Client, path: str, body: Any, **extra: Any) -> Any:
    return client.post(path, data=json.dumps(body), content_type="application/json", **extra)


@pytest.fixture
def breached_pair(make_order: Any, customer_a: Any, customer_b: Any, clock: Clock) -> tuple[Any, Any]:
    """One breached order of station A, one of station B (arrival missed by an hour)."""
    order_a, order_b = make_order(customer_a), make_order(customer_b)
    sla_scan(now=clock.moment + 49 * H)
    return order_a, order_b


# --- API ---------------------------------------------------------------------------------------


def test_api_lists_the_shipped_levels_lowest_rank_first(api_as: Any, agent: Any) -> None:
    body = api_as(agent).get(f"{API}/service-levels?page_size=100").json()
    codes = [item["code"] for item in body["items"]]
    assert codes[0] == "BACKUP-2H-3H" and codes[-1] == "REPLY-24H"
    assert body["count"] == ServiceLevel.objects.count()
    backup = body["items"][0]
    assert backup["targets"] == {"response_hours": "1.00", "arrival_hours": "2.00", "resolution_hours": "3.00"}
    assert backup["resolution_from"] == "arrival" and backup["backup_unit_on_miss"] is True
    assert backup["conditions"]["customer_tags"] == ["备用机承诺"]


def test_api_creates_a_level_once_per_idempotency_key(api_as: Any, director: Any) -> None:
    client = api_as(director)
    body = {
        "code": "gold",
        "name": "金牌服务",
        "calendar": "standard",
        "customer_tags": ["金牌"],
        "arrival_hours": "8",
        "resolution_hours": 16.5,
    }
    first = post_json(client, f"{API}/service-levels", body, HTTP_IDEMPOTENCY_KEY="k-1")
    again = post_json(client, f"{API}/service-levels", body, HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201, first.content
    assert again.json() == first.json()
    assert first.json()["code"] == "GOLD"
    assert first.json()["targets"]["resolution_hours"] == "16.50"
    assert ServiceLevel.objects.filter(code="GOLD").count() == 1


@pytest.mark.parametrize(
    ("change", "field", "status"),
    [
        ({"calendar": "nope"}, "calendar", 400),
        ({"service_types": ["repare"]}, "service_types", 400),
        ({"region_prefixes": ["3301x"]}, "region_prefixes", 400),
        ({"resolution_from": "arrival", "arrival_hours": None}, "resolution_from", 400),
        ({"arrival_hours": "-1"}, "arrival_hours", 422),  # the schema's bound
    ],
    ids=["unknown-calendar", "unknown-service-type", "bad-region", "resolution-from-missing-arrival", "negative"],
)
def test_api_refuses_a_bad_level_naming_the_field(
    api_as: Any, director: Any, change: Any, field: str, status: int
) -> None:
    body = {"code": "X1", "name": "x", "calendar": "24x7", "arrival_hours": "4", **change}
    response = post_json(api_as(director), f"{API}/service-levels", body)
    assert response.status_code == status, response.content
    assert field in {error["field"] for error in response.json()["errors"]}


def test_api_agents_may_not_create_levels(api_as: Any, agent: Any) -> None:
    response = post_json(api_as(agent), f"{API}/service-levels", {"code": "A", "name": "a", "calendar": "24x7"})
    assert response.status_code == 403


def test_api_edit_needs_the_current_version(api_as: Any, director: Any) -> None:
    level = ServiceLevel.objects.get(code="REPAIR-48H")
    client = api_as(director)
    ok = client.patch(
        f"{API}/service-levels/{level.pk}",
        data=json.dumps({"version": level.version, "arrival_hours": "36"}),
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["targets"]["arrival_hours"] == "36.00"
    stale = client.patch(
        f"{API}/service-levels/{level.pk}",
        data=json.dumps({"version": level.version, "arrival_hours": "30"}),
        content_type="application/json",
    )
    assert stale.status_code == 409


def test_api_order_sla_shows_deadlines_time_left_and_status(
    api_as: Any, agent: Any, make_order: Any, customer_a: Any, clock: Clock
) -> None:
    order = make_order(customer_a)
    body = api_as(agent).get(f"{API}/service-levels/orders/{order.pk}").json()
    assert body["level"]["code"] == "REPAIR-48H"
    assert body["status"] == "on_track"
    assert body["targets"]["arrival"]["deadline"] == (clock.moment + 48 * H).isoformat()
    assert body["targets"]["arrival"]["business_seconds_left"] == 48 * 3600
    assert body["targets"]["response"]["state"] == "met"
    detail = api_as(agent).get(f"{API}/work-orders/{order.pk}").json()
    assert detail["deadlines"]["resolution"] is None
    assert detail["deadlines"]["on_site"] == (clock.moment + 48 * H).isoformat()


def test_api_order_sla_of_another_station_is_not_found(
    api_as: Any, station_b_user: Any, breached_pair: tuple[Any, Any]
) -> None:
    order_a, order_b = breached_pair
    client = api_as(station_b_user)
    assert client.get(f"{API}/service-levels/orders/{order_a.pk}").status_code == 404
    assert client.get(f"{API}/service-levels/orders/{order_b.pk}").json()["status"] == "breached"


# --- console -----------------------------------------------------------------------------------


def test_dashboard_shows_only_the_stations_own_orders(
    station_a_user: Any, director: Any, breached_pair: tuple[Any, Any]
) -> None:
    order_a, order_b = breached_pair
    page = client_for(station_a_user).get(reverse("sla:dashboard"))
    assert page.status_code == 200
    assert [row.order_id for row in page.context["page"]] == [order_a.pk]
    assert order_b.number not in page.content.decode()
    everything = client_for(director).get(reverse("sla:dashboard") + "?status=breached")
    assert {row.order_id for row in everything.context["page"]} == {order_a.pk, order_b.pk}


def test_director_creates_a_level_in_the_console(director: Any) -> None:
    client = client_for(director)
    assert client.get(reverse("sla:list")).status_code == 200
    calendar_id = ServiceLevel.objects.get(code="REPLY-24H").calendar_id
    response = client.post(
        reverse("sla:create"),
        {
            "code": "silver",
            "name": "银牌",
            "rank": "70",
            "service_types": ["repair"],
            "customer_tags": "银牌, 年度维保",
            "region_prefixes": "",
            "calendar": calendar_id,
            "arrival_hours": "12",
            "resolution_from": "request",
            "at_risk_percent": "75",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    level = ServiceLevel.objects.get(code="SILVER")
    assert level.customer_tags == ["年度维保", "银牌"]
    assert level.service_types == ["repair"]
    assert level.at_risk_percent == 75


def test_a_level_created_unticked_waits_inactive(director: Any) -> None:
    calendar_id = ServiceLevel.objects.get(code="REPLY-24H").calendar_id
    response = client_for(director).post(
        reverse("sla:create"),
        {
            "code": "bronze",
            "name": "铜牌",
            "rank": "90",
            "calendar": calendar_id,
            "response_hours": "8",
            "resolution_from": "request",
            "at_risk_percent": "80",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert ServiceLevel.objects.get(code="BRONZE").is_active is False


def test_agents_see_levels_but_may_not_create_them(agent: Any) -> None:
    client = client_for(agent)
    assert client.get(reverse("sla:list")).status_code == 200
    assert client.get(reverse("sla:create")).status_code == 403


def test_order_page_shows_the_sla_panel(director: Any, make_order: Any, customer_a: Any) -> None:
    order = make_order(customer_a)
    page = client_for(director).get(reverse("workorders:detail", args=[order.pk])).content.decode()
    assert 'id="sla-panel"' in page and "REPAIR-48H" in page
    assert 'data-sla="on_track"' in page


def test_work_order_list_filters_and_sorts_by_sla(
    director: Any, make_order: Any, customer_a: Any, clock: Clock, django_assert_max_num_queries: Any
) -> None:
    late = make_order(customer_a)
    clock.advance(hours=1)
    urgent = make_order(customer_a, urgency="safety")  # on site within 24 h: the nearest deadline
    clock.advance(hours=1)
    unaccepted = make_order(customer_a, accept=False)
    sla_scan(now=late.submitted_at + 49 * H)
    client = client_for(director)
    url = reverse("workorders:list")
    breached = client.get(url, {"sla_status": "breached"})
    assert [o.pk for o in breached.context["orders"]] == [urgent.pk, late.pk]  # newest first
    assert OrderServiceLevel.objects.get(order=late).status == "breached"
    client.get(url, {"sort": "deadline"})
    # The list's 12 (tests/workorders/test_query_budget.py), plus the director's second factor:
    # django-otp reads the session's verified device on every request (one query).
    with django_assert_max_num_queries(13):
        by_deadline = client.get(url, {"sort": "deadline"})
    assert [o.pk for o in by_deadline.context["orders"]] == [urgent.pk, late.pk, unaccepted.pk]
    assert 'data-sla="breached"' in by_deadline.content.decode()
