"""Every billing console page rendered for every role (200 where the role may, 403 where not),
station scoping of the pages, the stale-version review refused with 409, and list query counts."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from billing import services
from billing.models import Settlement
from core.choices import Role
from core.testing import make_user

from .conftest import make_paid_order, speak_english

pytestmark = pytest.mark.django_db

ALL = frozenset(Role.values)
PRICES = ALL - {Role.QC_INSPECTOR}
#: page → the roles that may open it (the rest get 403).
PAGES: dict[str, frozenset[str]] = {
    "/billing/settlements/?status=": frozenset({Role.AGENT, Role.STATION, Role.DIRECTOR, Role.FINANCE, Role.ADMIN}),
    "/billing/settlements/{settlement}/receipt.pdf": frozenset(
        {Role.AGENT, Role.STATION, Role.DIRECTOR, Role.FINANCE, Role.ADMIN}
    ),
    "/billing/purchase-requests/?status=": frozenset(
        {Role.AGENT, Role.STATION, Role.DIRECTOR, Role.PARTS_CLERK, Role.ADMIN}
    ),
    "/billing/fee-schedules/": PRICES,
    "/billing/fee-schedules/new/": frozenset({Role.DIRECTOR, Role.FINANCE, Role.ADMIN}),
    "/billing/price-lists/": PRICES,
    "/billing/price-lists/new/": frozenset({Role.DIRECTOR, Role.FINANCE, Role.PARTS_CLERK, Role.ADMIN}),
    "/work-orders/{order}/": ALL,
}


def _settled(agent: Any, customer: Any, device: Any) -> Settlement:
    """A paid order of customer A (station A): quoted with an unlisted part priced by purchasing,
    approved by phone, settled."""
    order = make_paid_order(agent, customer, device)
    quote = services.quote_build(
        order=order, acting_user=agent, days="1", parts=[services.PartRequest(None, "控制器总成", "1")]
    )
    request = quote.lines.get(purchase_request__isnull=False).purchase_request
    clerk = make_user(Role.PARTS_CLERK, agent.profile.unit)
    services.purchase_request_price(request=request, acting_user=clerk, unit_price="388.00")
    quote = services.quote_send(quote=quote, acting_user=agent)
    services.quote_confirm_by_phone(quote=quote, acting_user=agent, confirmed_by="张三丰")
    return services.settlement_record(
        order=order,
        acting_user=agent,
        actual_charge="638.00",
        amount_paid="638.00",
        payment_method="cash",
        receiver="李",
    )


@pytest.fixture
def settlement(agent: Any, customer_a: Any, old_device: Any) -> Settlement:
    return _settled(agent, customer_a, old_device)


@pytest.mark.parametrize("role", sorted(Role.values))
def test_each_billing_page_opens_for_the_roles_that_may_use_it(role: str, org: Any, settlement: Settlement) -> None:
    unit = org.station_a if role == Role.STATION else org.hq
    client = Client()
    client.force_login(make_user(role, unit))
    for page, allowed in PAGES.items():
        url = page.format(settlement=settlement.pk, order=settlement.order_id)
        response = client.get(url)
        assert response.status_code == (200 if role in allowed else 403), (role, url)


def test_station_b_sees_none_of_station_as_billing_records_in_the_console(
    settlement: Settlement, station_a_user: Any, station_b_user: Any
) -> None:
    own, other = Client(), Client()
    own.force_login(station_a_user)
    other.force_login(station_b_user)
    assert settlement.receipt_number in own.get("/billing/settlements/?status=").content.decode()
    assert settlement.receipt_number not in other.get("/billing/settlements/?status=").content.decode()
    assert "控制器总成" in own.get("/billing/purchase-requests/?status=").content.decode()
    assert "控制器总成" not in other.get("/billing/purchase-requests/?status=").content.decode()
    assert other.get(f"/billing/settlements/{settlement.pk}/receipt.pdf").status_code == 404
    assert other.get(f"/work-orders/{settlement.order_id}/").status_code == 404
    refused = other.post(f"/billing/orders/{settlement.order_id}/quote/", {"quote-days": "1"})
    assert refused.status_code == 404


def test_a_review_based_on_a_stale_version_is_409_and_changes_nothing(
    api_as: Any, settlement: Settlement, finance: Any
) -> None:
    url = f"/api/v1/billing/settlements/{settlement.pk}/review"
    body = {"decision": "approve", "version": settlement.version + 1}
    stale = api_as(finance).post(url, data=json.dumps(body), content_type="application/json")
    assert stale.status_code == 409
    settlement.refresh_from_db()
    assert settlement.status == "recorded" and settlement.reviewed_by_id is None
    fresh = api_as(finance).post(
        url, data=json.dumps({"decision": "approve", "version": settlement.version}), content_type="application/json"
    )
    assert fresh.status_code == 200 and fresh.json()["status"] == "reviewed"


def test_billing_lists_do_not_grow_queries_with_rows(
    org: Any, agent: Any, customer_a: Any, old_device: Any, finance: Any
) -> None:
    speak_english(finance)
    director = make_user(Role.DIRECTOR, org.hq)
    client = Client()
    client.force_login(director)
    urls = ["/billing/settlements/?status=", "/billing/purchase-requests/?status="]

    def counts() -> list[int]:
        result = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            result.append(len(queries.captured_queries))
        return result

    _settled(agent, customer_a, old_device)
    few = counts()
    for _ in range(4):
        _settled(agent, customer_a, old_device)
    assert counts() == few
