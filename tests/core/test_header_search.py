"""The header's search (core.site_search, issue 18 point 10 A): orders by number, customers by
name / pinyin / initials / phone, devices by serial — only what the user's role and unit may see."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from core.site_search import site_search, site_search_exact
from workorders import services as wo

pytestmark = pytest.mark.django_db


def _hits(user: Any, query: str) -> dict[str, list[str]]:
    return {group.key: [hit.title for hit in group.hits] for group in site_search(user=user, query=query)}


@pytest.fixture
def order_a(agent: Any, customer_a: Any, device_a: Any) -> Any:
    return wo.workorder_create(
        acting_user=agent,
        customer=customer_a,
        device=device_a,
        service_type="repair",
        channel="phone",
        description="电池充不进电",
    )


@pytest.mark.parametrize("query", ["张三丰", "zhangsanfeng", "zsf", "13800138000", "张三"])
def test_a_customer_is_found_by_name_pinyin_initials_and_phone(
    station_a_user: Any, customer_a: Any, query: str
) -> None:
    assert _hits(station_a_user, query).get("customers") == ["张三丰"]


def test_a_station_never_finds_another_stations_records(
    station_a_user: Any, station_b_user: Any, customer_a: Any, customer_b: Any, order_a: Any, device_a: Any
) -> None:
    assert "customers" not in _hits(station_a_user, "北京某银行")
    assert "customers" not in _hits(station_a_user, "01062345678")
    assert _hits(station_b_user, "北京某银行")["customers"] == ["北京某银行海淀支行"]
    for query in ("张三丰", "zsf", "13800138000", order_a.number, device_a.serial_number):
        assert _hits(station_b_user, query) == {}, query
        assert site_search_exact(user=station_b_user, query=query) is None, query


def test_an_exact_number_or_serial_opens_the_record(station_a_user: Any, order_a: Any, device_a: Any) -> None:
    assert site_search_exact(user=station_a_user, query=order_a.number.lower()) == reverse(
        "workorders:detail", args=[order_a.pk]
    )
    assert site_search_exact(user=station_a_user, query=device_a.serial_number) == reverse(
        "devices:detail", args=[device_a.pk]
    )
    assert site_search_exact(user=station_a_user, query="张三丰") is None
    hits = _hits(station_a_user, "SN-A")
    assert hits["devices"] == [f"TDR-2000 #{device_a.serial_number}"]


def test_the_search_page_redirects_lists_or_explains(client: Any, station_a_user: Any, order_a: Any) -> None:
    client.force_login(station_a_user)
    url = reverse("core:search")
    assert client.get(url, {"q": f"  {order_a.number} "})["Location"] == reverse("workorders:detail", args=[order_a.pk])
    page = client.get(url, {"q": "zsf"})
    assert page.status_code == 200 and 'id="search-customers"' in page.content.decode()
    empty = client.get(url, {"q": "   "})
    assert empty.status_code == 200 and 'id="search-error"' in empty.content.decode()
    for junk in ("%", "_", "'\"<script>", "x" * 5000, "\x00"):
        assert client.get(url, {"q": junk}).status_code in (200, 302), junk


def test_the_search_needs_a_signed_in_user(client: Any) -> None:
    response = client.get(reverse("core:search"), {"q": "zsf"})
    assert response.status_code == 302 and "/login/" in response["Location"]
