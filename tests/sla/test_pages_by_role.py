"""Every console page of issue 4's apps (service levels, deadlines, notifications, work calendars)
renders for each role allowed to open it and is refused (403) for the others — with rows on the
pages (an order at risk, an alert in the outbox), so a template error anywhere shows up here."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from core.choices import Role
from core.testing import make_user
from notify.models import MessageTemplate, OutboxMessage
from sla.models import ServiceLevel
from sla.services import sla_scan

from .conftest import Clock

pytestmark = pytest.mark.django_db

ALL = {
    Role.AGENT,
    Role.DISPATCHER,
    Role.TECHNICIAN,
    Role.QC_INSPECTOR,
    Role.DIRECTOR,
    Role.FINANCE,
    Role.PARTS_CLERK,
    Role.STATION,
    Role.ADMIN,
}
MANAGERS = {Role.DIRECTOR, Role.ADMIN}

#: page → the roles that may open it (everyone else: 403).
PAGES: dict[str, set[str]] = {
    "sla:list": ALL,
    "sla:create": MANAGERS,
    "sla:edit": MANAGERS,
    "sla:dashboard": ALL,
    "notify:outbox": ALL,
    "notify:inbox": ALL,
    "notify:order_log": ALL,
    "notify:templates": MANAGERS,
    "notify:template_edit": {Role.ADMIN},
    "workcalendar:list": ALL,
    "workcalendar:create": MANAGERS,
    "workcalendar:detail": ALL,
    "workcalendar:edit": MANAGERS,
}


@pytest.fixture
def breached_order(make_order: Any, customer_a: Any, clock: Clock) -> Any:
    """An order in station A's area whose arrival deadline has passed: a dashboard row, an
    ``sla`` timeline event and alerts in the outbox."""
    order = make_order(customer_a)
    clock.advance(hours=49)
    assert sla_scan(now=clock.moment) == 1
    assert OutboxMessage.objects.filter(order=order, template_key="sla_breached").exists()
    return order


def url_of(name: str, order: Any) -> str:
    args: dict[str, list[Any]] = {
        "sla:edit": [ServiceLevel.objects.order_by("pk").first().pk],  # type: ignore[union-attr]
        "notify:order_log": [order.pk],
        "notify:template_edit": [MessageTemplate.objects.order_by("pk").first().pk],  # type: ignore[union-attr]
        "workcalendar:detail": ["standard"],
        "workcalendar:edit": ["standard"],
    }
    return reverse(name, args=args.get(name, []))


@pytest.mark.parametrize("role", sorted(ALL))
def test_each_page_renders_for_allowed_roles_and_is_refused_to_the_others(
    role: str, org: Any, breached_order: Any
) -> None:
    unit = org.station_a if role == Role.STATION else org.hq
    client = Client()
    client.force_login(make_user(role, unit, username=f"page-{role}"))
    outcomes = {name: client.get(url_of(name, breached_order)).status_code for name in PAGES}
    expected = {name: 200 if role in allowed else 403 for name, allowed in PAGES.items()}
    assert outcomes == expected


def test_the_dashboard_lists_the_breached_order_for_its_station_only(
    org: Any, breached_order: Any, station_a_user: Any, station_b_user: Any
) -> None:
    own, other = Client(), Client()
    own.force_login(station_a_user)
    other.force_login(station_b_user)
    assert breached_order.number.encode() in own.get(reverse("sla:dashboard")).content
    assert breached_order.number.encode() not in other.get(reverse("sla:dashboard")).content
    assert breached_order.number.encode() not in other.get(reverse("notify:outbox")).content
    log = other.get(reverse("notify:order_log", args=[breached_order.pk]))  # the card's rows: none for B
    assert log.status_code == 200 and b"notify-row" not in log.content
    assert b"notify-row" in own.get(reverse("notify:order_log", args=[breached_order.pk])).content


def test_list_pages_spend_the_same_queries_for_one_row_as_for_many(
    make_order: Any, customer_a: Any, director: Any, clock: Clock
) -> None:
    """No N+1: the dashboard, the outbox, the levels and the calendars cost a fixed number of
    queries whatever the number of rows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(director)
    pages = ["sla:dashboard", "notify:outbox", "notify:inbox", "sla:list", "workcalendar:list"]

    def counts() -> dict[str, int]:
        result = {}
        for name in pages:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(reverse(name)).status_code == 200
            result[name] = len(queries)
        return result

    make_order(customer_a)
    clock.advance(hours=49)
    assert sla_scan(now=clock.moment) == 1
    counts()  # warm-up: session, per-process caches (calendars, coverage warnings)
    few = counts()
    for _ in range(4):
        make_order(customer_a)
    clock.advance(hours=49)
    assert sla_scan(now=clock.moment) == 4
    assert OutboxMessage.objects.filter(recipient_user=director).count() >= 5
    counts()  # the coverage warning is checked again for the new date (once a minute per day)
    assert counts() == few
