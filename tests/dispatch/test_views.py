"""The board, the plan review and the technicians' pages; scoping by unit in the UI."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from core.choices import Role
from core.testing import make_user
from dispatch import services
from dispatch.models import Certificate, DispatchPlan

from .conftest import DAY, make_order, make_profile

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def station_tech(org: Any, station_a_user: Any, category: Any) -> Any:
    user = make_user(Role.TECHNICIAN, org.station_a, username="xh_tech")
    make_profile(station_a_user, user, category, lat="30.259463", lon="120.130194")
    return user


def test_board_shows_technicians_and_unassigned_orders_and_assigns(
    station_a_user, station_tech, agent, customer_a, device_a
):
    order = make_order(agent, customer_a, device=device_a)
    client = _client(station_a_user)

    page = client.get("/dispatch/", {"day": DAY.isoformat()})
    assert page.status_code == 200
    body = page.content.decode()
    assert "xh_tech" in body and order.number in body

    week = client.get("/dispatch/", {"day": DAY.isoformat(), "view": "week"})
    assert week.status_code == 200

    response = client.post(
        f"/dispatch/orders/{order.pk}/assign/", {"technician": station_tech.pk, "day": DAY.isoformat()}
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.technician_id == station_tech.pk


def test_auto_assign_button(station_a_user, station_tech, agent, customer_a, device_a):
    order = make_order(agent, customer_a, device=device_a)
    _client(station_a_user).post(f"/dispatch/orders/{order.pk}/assign/", {"auto": "1", "day": DAY.isoformat()})
    order.refresh_from_db()
    assert order.technician_id == station_tech.pk


def test_propose_review_and_approve_in_the_ui(org, director, station_a_user, station_tech, agent, customer_a, device_a):
    order = make_order(agent, customer_a, device=device_a)
    response = _client(station_a_user).post("/dispatch/plans/propose/", {"day": DAY.isoformat()})
    plan = DispatchPlan.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/dispatch/plans/{plan.pk}/"
    review = _client(station_a_user).get(f"/dispatch/plans/{plan.pk}/")
    assert order.number in review.content.decode()
    assert 'id="approve-plan"' not in review.content.decode()
    director_page = _client(director).get(f"/dispatch/plans/{plan.pk}/")
    assert 'id="approve-plan"' in director_page.content.decode()
    _client(director).post(f"/dispatch/plans/{plan.pk}/approve/", {"version": plan.version})
    plan.refresh_from_db()
    assert plan.status == "approved"


def test_a_station_cannot_see_another_stations_board_plans_or_technicians(
    org, station_a_user, station_b_user, station_tech
):
    plan = services.plan_propose(acting_user=station_a_user, unit=org.station_a, day=DAY, time_limit=0.3)
    other = _client(station_b_user)

    assert other.get(f"/dispatch/plans/{plan.pk}/").status_code == 404
    assert other.get(f"/dispatch/technicians/{station_tech.pk}/").status_code == 404
    assert "xh_tech" not in other.get("/dispatch/technicians/").content.decode()
    board = other.get("/dispatch/", {"unit": org.station_a.pk, "day": DAY.isoformat()}).content.decode()
    assert "xh_tech" not in board
    assert org.station_b.name in board


def test_technician_setup_pages_save_skills_shifts_and_certificates(station_a_user, station_tech, category):
    client = _client(station_a_user)
    assert client.get("/dispatch/technicians/").status_code == 200
    url = f"/dispatch/technicians/{station_tech.pk}/"
    assert client.get(url).status_code == 200
    client.post(
        url,
        {
            "section": "profile",
            "categories": [category.pk],
            "service_types": ["repair"],
            "home_lat": "30.3",
            "home_lon": "120.1",
            "daily_capacity": "4",
            "is_active": "1",
        },
    )
    client.post(url, {"section": "shifts", "start_0": "08:00", "end_0": "16:00"})
    client.post(url, {"section": "certificate", "name": "上岗证", "number": "XH-9", "expires_on": "2027-06-30"})
    profile = station_tech.technician
    profile.refresh_from_db()
    assert profile.daily_capacity == 4 and profile.service_types == ["repair"]
    assert list(profile.shifts.values_list("weekday", flat=True)) == [0]
    assert Certificate.objects.get(profile=profile).number == "XH-9"


def test_menu_shows_dispatch_for_dispatchers_not_technicians(dispatcher, technician):
    assert 'id="nav-dispatch"' in _client(dispatcher).get("/dispatch/").content.decode()
    assert _client(technician).get("/dispatch/").status_code == 403


def _board_queries(client: Client) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get("/dispatch/", {"day": DAY.isoformat(), "view": "week"}).status_code == 200
    return len(queries.captured_queries)


def test_the_board_costs_the_same_queries_for_one_or_five_technicians_and_orders(
    org, dispatcher, technician, category, agent, customer_a, device_a
):
    """No query per technician (shifts) or per unassigned order (the technician picker)."""
    make_profile(dispatcher, technician, category, lat="30.2", lon="120.1")
    make_order(agent, customer_a, device=device_a)
    client = _client(dispatcher)
    _board_queries(client)  # caches (calendars, permissions) warm
    few = _board_queries(client)
    for number in range(4):
        user = make_user(Role.TECHNICIAN, org.centre, username=f"more_{number}")
        make_profile(dispatcher, user, category, lat="30.2", lon="120.1")
        services.shift_override_set(acting_user=dispatcher, profile=user.technician, day=DAY, day_off=True)
        make_order(agent, customer_a, device=device_a)
    assert _board_queries(client) == few


def test_a_technician_on_loan_is_offered_and_assigned_on_the_board(org, agent, customer_b, category):
    from django.utils import timezone

    b_dispatcher = make_user(Role.DISPATCHER, org.station_b, username="b_dispatcher")
    centre_dispatcher = make_user(Role.DISPATCHER, org.centre, username="centre_dispatcher")
    lent = make_user(Role.TECHNICIAN, org.centre, username="lent_tech")
    make_profile(centre_dispatcher, lent, category, lat="39.95", lon="116.29", service_types=["repair"])
    order = make_order(agent, customer_b)
    today = timezone.localdate()
    loan = services.loan_request(
        acting_user=b_dispatcher, technician=lent, to_unit=org.station_b, starts_on=today, ends_on=today, reason="缺人"
    )
    services.loan_decide(acting_user=centre_dispatcher, loan=loan, approve=True)
    client = _client(b_dispatcher)

    page = client.get("/dispatch/", {"day": today.isoformat()}).content.decode()
    assert f'<option value="{lent.pk}">lent_tech</option>' in page

    client.post(f"/dispatch/orders/{order.pk}/assign/", {"technician": lent.pk, "day": today.isoformat()})
    order.refresh_from_db()
    assert order.technician_id == lent.pk
