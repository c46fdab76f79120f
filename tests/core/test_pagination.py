"""Every list pages through the one pager (core/partials/pagination.html): its links start with a
single "?" and keep the page's filters and sort, changing only the page (issue 18, point 1)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from customers.services import customer_create
from workorders.models import WorkOrder
from workorders.services import workorder_create

pytestmark = pytest.mark.django_db

HREF = re.compile(r'(?:href|hx-get)="([^"]*page=[^"]*)"')


def pager_links(html: str) -> list[str]:
    return [link.replace("&amp;", "&") for link in HREF.findall(html)]


def orders(agent: Any, customer: Any, count: int) -> None:
    for number in range(count):
        workorder_create(
            acting_user=agent, customer=customer, service_type="repair", channel="phone", description=f"故障{number}"
        )


def test_the_work_order_pager_keeps_the_filters_and_moves_the_page(agent: Any, customer_a: Any) -> None:
    orders(agent, customer_a, 27)
    WorkOrder.objects.update(status="closed")
    client = Client()
    client.force_login(agent)

    first = client.get("/work-orders/", {"status": "closed", "sort": "submitted"})
    links = pager_links(first.content.decode())

    assert links, "a second page must be reachable"
    for link in links:
        assert link.startswith("?") and not link.startswith("??"), link
    next_link = re.search(r'href="([^"]*)"[^>]*id="page-next"', first.content.decode())
    assert next_link is not None
    query = parse_qs(urlsplit(next_link.group(1).replace("&amp;", "&")).query)
    assert query == {"status": ["closed"], "sort": ["submitted"], "page": ["2"]}

    second = client.get("/work-orders/" + next_link.group(1).replace("&amp;", "&"))
    assert second.context["page"].number == 2 and len(second.context["orders"]) == 2
    assert "第 2 页，共 2 页" in second.content.decode()


def test_every_shared_pager_keeps_the_query(agent: Any, org: Any) -> None:
    for number in range(27):
        customer_create(
            acting_user=None,
            name=f"测试客户{number:02d}",
            phone=f"1380013{number:04d}",
            address="浙江省杭州市西湖区文三路1号",
        )
    client = Client()
    client.force_login(agent)
    page = client.get("/customers/", {"q": "测试客户"}).content.decode()
    links = pager_links(page)
    assert links and all(link.startswith("?") and not link.startswith("??") for link in links)
    assert all(parse_qs(urlsplit(link).query).get("q") == ["测试客户"] for link in links)
