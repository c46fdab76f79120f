"""Every dispatch and field-work console page renders for the roles that use it (in the default
language, zh-hans, as the demo shows them) and refuses the others — a template error shows here."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from core.choices import Role
from core.testing import make_user
from dispatch import services

from .conftest import DAY, at, make_order

pytestmark = pytest.mark.django_db

#: page → roles (of the Hangzhou centre) that get 200; every other role gets 403 or 404.
ALLOWED = {
    "board": {Role.DISPATCHER, Role.DIRECTOR, Role.STATION, Role.ADMIN},
    "board_week": {Role.DISPATCHER, Role.DIRECTOR, Role.STATION, Role.ADMIN},
    "plan": {Role.DISPATCHER, Role.DIRECTOR, Role.STATION, Role.ADMIN},
    "technicians": {Role.DISPATCHER, Role.DIRECTOR, Role.STATION, Role.ADMIN},
    "technician": {Role.DISPATCHER, Role.DIRECTOR, Role.STATION, Role.ADMIN},
    "loans": {Role.DISPATCHER, Role.DIRECTOR, Role.STATION, Role.ADMIN},
    "my_jobs": {Role.TECHNICIAN, Role.DIRECTOR, Role.STATION, Role.ADMIN},
    "qc_list": {Role.QC_INSPECTOR, Role.DIRECTOR, Role.STATION, Role.ADMIN},
    # Whoever sees the order sees its field page and its detail page (with the appointment card).
    "job": set(Role.values),
    "order": set(Role.values),
}


@pytest.fixture
def pages(
    org: Any,
    dispatcher: Any,
    director: Any,
    technician: Any,
    agent: Any,
    customer_a: Any,
    device_a: Any,
    tech_profile: Any,
) -> dict[str, str]:
    order = make_order(agent, customer_a, device=device_a)
    services.appointment_book(
        acting_user=dispatcher, order=order, technician=technician, window_start=at(9), window_end=at(10)
    )
    make_order(agent, customer_a, device=device_a)
    plan = services.plan_propose(acting_user=director, unit=org.centre, day=DAY, time_limit=0.5)
    return {
        "board": reverse("dispatch:board"),
        "board_week": f"{reverse('dispatch:board')}?view=week&day={DAY.isoformat()}",
        "plan": reverse("dispatch:plan", args=[plan.pk]),
        "technicians": reverse("dispatch:technicians"),
        "technician": reverse("dispatch:technician", args=[technician.pk]),
        "loans": reverse("dispatch:loans"),
        "my_jobs": f"{reverse('fieldwork:my_jobs')}?day={DAY.isoformat()}",
        "qc_list": reverse("fieldwork:qc_list"),
        "job": reverse("fieldwork:job", args=[order.pk]),
        "order": reverse("workorders:detail", args=[order.pk]),
    }


@pytest.mark.parametrize("role", Role.values)
def test_each_page_renders_for_its_roles_and_is_refused_to_the_others(org: Any, pages: dict[str, str], role: str):
    client = Client()
    client.force_login(make_user(role, org.centre))
    for name, url in pages.items():
        status = client.get(url).status_code
        expected = {200} if role in ALLOWED[name] else {403, 404}
        assert status in expected, (name, role, status)


def test_another_station_gets_404_for_the_centres_plan_technician_and_job(org: Any, pages: dict[str, str]):
    client = Client()
    client.force_login(make_user(Role.STATION, org.station_b))
    for name in ("plan", "technician", "job", "order"):
        assert client.get(pages[name]).status_code == 404, name
