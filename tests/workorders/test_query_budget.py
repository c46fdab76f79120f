"""Query budgets of the main actions (issue 9): an accept through the API, the order page and the
list stay within a fixed number of statements whatever the number of rows, measured warm (a
second request in the same process, as a running server serves them)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from workorders.models import WorkOrder
from workorders.services import workorder_comment, workorder_create, workorder_transition

pytestmark = pytest.mark.django_db

ACCEPT_BUDGET = 20
ORDER_PAGE_BUDGET = 25
LIST_BUDGET = 12


def repair(agent: Any, customer: Any, device: Any) -> WorkOrder:
    order = workorder_create(
        acting_user=agent,
        customer=customer,
        device=device,
        service_type="repair",
        channel="phone",
        description="不开机",
    )
    return workorder_transition(order=order, action="accept", acting_user=agent, data={})


def statements(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)


def test_an_accept_through_the_api_stays_within_its_budget(
    production_caches: Any, api_as: Any, agent: Any, customer_a: Any, device_a: Any
) -> None:
    api = api_as(agent)

    def accept() -> int:
        order = workorder_create(
            acting_user=agent,
            customer=customer_a,
            device=device_a,
            service_type="repair",
            channel="phone",
            description="不开机",
        )
        with CaptureQueriesContext(connection) as queries:
            answer = api.post(
                f"/api/v1/work-orders/{order.pk}/transitions",
                {"action": "accept", "version": order.version},
                content_type="application/json",
            )
        assert answer.status_code == 200, answer.content
        assert answer.json()["status"] == "accepted"
        return len(queries.captured_queries)

    accept()
    assert accept() <= ACCEPT_BUDGET


def test_the_order_page_stays_within_its_budget(agent: Any, customer_a: Any, device_a: Any) -> None:
    client = Client()
    client.force_login(agent)
    warm = repair(agent, customer_a, device_a)
    client.get(f"/work-orders/{warm.pk}/")
    order = repair(agent, customer_a, device_a)
    for note in ("客户来电催促", "已联系客户", "客户确认上门时间"):
        workorder_comment(order=order, acting_user=agent, note=note)
    assert statements(client, f"/work-orders/{order.pk}/") <= ORDER_PAGE_BUDGET


def test_the_list_stays_within_its_budget_whatever_the_rows(agent: Any, customer_a: Any, device_a: Any) -> None:
    client = Client()
    client.force_login(agent)
    repair(agent, customer_a, device_a)
    client.get("/work-orders/")
    few = statements(client, "/work-orders/")
    for _ in range(15):
        repair(agent, customer_a, device_a)
    many = statements(client, "/work-orders/")
    assert few <= LIST_BUDGET and many <= LIST_BUDGET
    assert many == few


#: A dispatcher's list also reads the unit tree for scoping (an HQ agent's does not); the bulk
#: bar's technician picker is read only when opened, so it costs the list nothing.
DISPATCHER_LIST_BUDGET = LIST_BUDGET + 1


def test_a_dispatchers_list_with_the_bulk_bar_stays_within_its_budget_whatever_the_rows(
    agent: Any, dispatcher: Any, customer_a: Any, device_a: Any
) -> None:
    client = Client()
    client.force_login(dispatcher)
    repair(agent, customer_a, device_a)
    client.get("/work-orders/")
    few = statements(client, "/work-orders/")
    for _ in range(15):
        repair(agent, customer_a, device_a)
    many = statements(client, "/work-orders/")
    assert 'id="bulk-assign-open"' in client.get("/work-orders/").content.decode()
    assert few <= DISPATCHER_LIST_BUDGET and many <= DISPATCHER_LIST_BUDGET
    assert many == few
