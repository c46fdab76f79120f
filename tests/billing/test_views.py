"""Console pages and the customer pages of billing (panel, actions, receipt, review, terms)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from billing import services
from billing.choices import QuoteStatus, SettlementStatus
from billing.models import FeeSchedule, Quote, Settlement
from workorders.choices import Status
from workorders.models import WorkOrder

pytestmark = pytest.mark.django_db
D = Decimal


def client_for(user: Any) -> Client:
    """Pages in English (the user's chosen language): messages are asserted by their msgids."""
    from tests.billing.conftest import speak_english

    speak_english(user)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def test_the_agent_builds_and_sends_a_quote_from_the_order_panel(paid_order: Any, agent: Any, price_list: Any) -> None:
    client = client_for(agent)
    page = client.get(f"/work-orders/{paid_order.pk}/")
    assert page.status_code == 200
    assert b'id="quote-build-form"' in page.content
    response = client.post(
        f"/billing/orders/{paid_order.pk}/quote/",
        {
            "quote-days": "2",
            "quote-nights": "1",
            "quote-travel_cost": "356.50",
            "quote-provided_by_customer": ["meals"],
            "quote-part_code_0": "BRK-PAD",
            "quote-part_quantity_0": "2",
        },
    )
    assert response.status_code == 302
    quote = Quote.objects.get(order=paid_order)
    assert quote.total == D("1047.50")  # 356.50 + 200 lodging + 0 meals (provided) + 400 allowance + 91.00
    page = client.get(f"/work-orders/{paid_order.pk}/")
    assert page.content.count(b'class="quote-line') == 5
    client.post(f"/billing/quotes/{quote.pk}/send/", {"note": ""})
    assert WorkOrder.objects.get(pk=paid_order.pk).status == Status.QUOTED


def test_a_negative_quantity_in_the_panel_comes_back_as_a_message_naming_the_field(paid_order: Any, agent: Any) -> None:
    client = client_for(agent)
    response = client.post(f"/billing/orders/{paid_order.pk}/quote/", {"quote-days": "-2"}, follow=True)
    assert response.status_code == 200
    assert "Days on site (meals, allowance): The value may not be negative." in response.content.decode()
    assert not Quote.objects.exists()


def test_phone_confirmation_form_approves_the_quote(paid_order: Any, agent: Any) -> None:
    quote = services.quote_send(
        quote=services.quote_build(order=paid_order, acting_user=agent, days="1"), acting_user=agent
    )
    client = client_for(agent)
    assert b'id="phone-confirm-form"' in client.get(f"/work-orders/{paid_order.pk}/").content
    client.post(
        f"/billing/quotes/{quote.pk}/confirm/",
        {"phone-confirmed_by": "张经理", "phone-confirmed_at": "2026-01-05T10:30"},
    )
    quote.refresh_from_db()
    assert (quote.status, quote.confirmed_by, quote.decided_via) == (QuoteStatus.APPROVED, "张经理", "phone")
    assert WorkOrder.objects.get(pk=paid_order.pk).status == Status.APPROVED


def test_the_customer_sees_the_quote_lines_and_approves_on_the_portal(paid_order: Any, agent: Any) -> None:
    services.quote_send(
        quote=services.quote_build(order=paid_order, acting_user=agent, days="2", travel_cost="356.50"),
        acting_user=agent,
    )
    order = WorkOrder.objects.get(pk=paid_order.pk)
    client = Client()
    session = client.session
    session["portal_tracked_orders"] = [order.pk]
    session.save()
    page = client.get(f"/s/o/{order.number}/").content.decode()
    assert 'id="customer-quote-lines"' in page
    assert page.count('class="quote-line') == 3
    assert "¥856.50" in page
    client.post(f"/s/o/{order.number}/action/", {"action": "approve_quote", "version": order.version})
    order.refresh_from_db()
    assert order.status == Status.APPROVED
    assert Quote.objects.get(order=order).decided_via == "portal"


def test_receipt_pdf_and_finance_review_pages(paid_order: Any, agent: Any, finance: Any, station_b_user: Any) -> None:
    quote = services.quote_send(
        quote=services.quote_build(order=paid_order, acting_user=agent, days="1"), acting_user=agent
    )
    services.quote_confirm_by_phone(quote=quote, acting_user=agent, confirmed_by="张三丰")
    response = client_for(agent).post(
        f"/billing/orders/{paid_order.pk}/settle/",
        {
            "settle-actual_charge": "250.00",
            "settle-amount_paid": "250.00",
            "settle-payment_method": "cash",
            "settle-receiver": "李收款",
        },
    )
    assert response.status_code == 302
    settlement = Settlement.objects.get()
    receipt = client_for(agent).get(f"/billing/settlements/{settlement.pk}/receipt.pdf")
    assert (receipt.status_code, receipt["Content-Type"]) == (200, "application/pdf")
    assert receipt.content.startswith(b"%PDF")
    assert client_for(station_b_user).get(f"/billing/settlements/{settlement.pk}/receipt.pdf").status_code == 404

    finance_client = client_for(finance)
    listing = finance_client.get("/billing/settlements/").content.decode()
    assert settlement.receipt_number in listing
    finance_client.post(
        f"/billing/settlements/{settlement.pk}/review/", {"decision": "approve", "version": settlement.version}
    )
    settlement.refresh_from_db()
    assert settlement.status == SettlementStatus.REVIEWED


def test_a_new_fee_schedule_version_from_the_setup_page(director: Any) -> None:
    client = client_for(director)
    assert client.get("/billing/fee-schedules/new/").status_code == 200
    response = client.post(
        "/billing/fee-schedules/new/",
        {
            "effective_from": "2027-01-01",
            "lodging_unit": "per_day",
            "lodging_amount": "220.00",
            "lodging_provided": "on",
            "meals_unit": "per_day",
            "meals_amount": "55.555",
        },
    )
    assert response.status_code == 400
    assert "Enter at most two decimal places." in response.content.decode()
    assert FeeSchedule.objects.count() == 1
    response = client.post(
        "/billing/fee-schedules/new/",
        {"effective_from": "2027-01-01", "lodging_unit": "per_day", "lodging_amount": "220.00"},
    )
    assert response.status_code == 302
    assert FeeSchedule.objects.get(effective_from=datetime.date(2027, 1, 1)).rates.get().amount == D("220.00")


def test_parts_clerk_prices_a_part_from_the_list(paid_order: Any, agent: Any, parts_clerk: Any) -> None:
    services.quote_build(order=paid_order, acting_user=agent, days="1", parts=[(None, "控制器主板", "1")])
    client = client_for(parts_clerk)
    page = client.get("/billing/purchase-requests/").content.decode()
    assert "控制器主板" in page
    request_id = paid_order.purchase_requests.get().pk
    client.post(f"/billing/purchase-requests/{request_id}/price/", {"unit_price": "688.88"})
    quote = Quote.objects.get(order=paid_order)
    assert quote.is_complete and quote.total == D("938.88")


@pytest.mark.parametrize(("lang", "heading"), [("en", "Service terms"), ("zh-hans", "")])
def test_public_terms_page_lists_the_fee_schedule_in_force_without_login(lang: str, heading: str) -> None:
    response = Client().get(f"/s/terms/?lang={lang}")
    assert response.status_code == 200
    page = response.content.decode()
    assert f'lang="{lang}"' in page or lang == "zh-hans"
    if heading:
        assert heading in page
    assert 'data-kind="lodging"' in page and "¥200.00" in page
    assert 'data-kind="meals"' in page and "¥50.00" in page
    assert 'data-kind="allowance"' in page
    assert 'id="terms-hotline"' in page
    assert 'data-code="repair"' in page
