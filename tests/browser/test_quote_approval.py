"""SPEC §3/§5 in a real browser: the agent registers an out-of-warranty repair from a phone call,
draws up the quote on the order page and sends it; the customer tracks the order on their phone,
sees the quote lines and approves; the order becomes dispatchable."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from billing.choices import QuoteStatus
from billing.models import Quote
from devices.services import device_create
from workorders.choices import Status
from workorders.models import WorkOrder
from workorders.services import Actor, allowed_transitions

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def zh(label: Any) -> str:
    with translation.override("zh-hans"):
        return str(label)


def test_agent_quotes_an_out_of_warranty_repair_and_the_customer_approves_it_on_the_portal(
    page: Page,
    new_context: Any,
    login: Any,
    agent: Any,
    dispatcher: Any,
    customer_a: Any,
    product_model: Any,
    nav_to: Any,
) -> None:
    old_device = device_create(
        acting_user=None,
        customer=customer_a,
        product_model=product_model,
        serial_number="SN-OLD-2020",
        purchased_on=datetime.date(2020, 3, 1),  # 24 months' warranty: long expired
    )
    login(page, agent)
    nav_to(page, "#nav-register")
    page.locator("#id_customer_search").fill("zsf")
    page.locator(f"#customer-result-{customer_a.pk}").click()
    page.locator(f"#id_device_{old_device.pk}").check()
    page.locator("#id_service_type").select_option("repair")
    page.locator("#id_description").fill("电机异响，行驶时有咔咔声，需要上门维修")
    page.locator("#register-accept-submit").click()
    expect(page).to_have_url(re.compile(r"/work-orders/\d+/$"))
    order = WorkOrder.objects.get()
    expect(page.locator("#order-status")).to_have_text(zh(Status.ACCEPTED.label))

    # The quote: 2 days on site, one night, train fare at actual cost 356.50 (seed 附件1).
    builder = page.locator("#quote-build-form")
    expect(builder).to_be_visible()
    builder.locator("#id_quote-days").fill("2")
    builder.locator("#id_quote-nights").fill("1")
    builder.locator("#id_quote-travel_cost").fill("356.50")
    page.locator("#quote-build-submit").click()
    expect(page.locator("#quote-lines tr.quote-line")).to_have_count(4)
    expect(page.locator("#quote-total")).to_have_text("1056.50")
    page.locator("#quote-send").click()
    expect(page.locator("#order-status")).to_have_text(zh(Status.QUOTED.label))
    assert "assign" not in [t.action for t in allowed_transitions(WorkOrder.objects.get(), Actor(dispatcher))]

    # The customer, on their phone: track by number and phone, read the lines, approve.
    phone = new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    phone.goto("/s/track/")
    phone.locator("#id_number").fill(order.number)
    phone.locator("#id_phone").fill(customer_a.phone)
    phone.locator("#track-submit").click()
    expect(phone.locator("#order-number")).to_have_text(order.number)
    expect(phone.locator("#customer-quote-lines tr.quote-line")).to_have_count(4)
    expect(phone.locator("#customer-quote-total")).to_have_text("¥1056.50")
    approve = phone.locator("#action-approve_quote")
    expect(approve.locator("input[name='confirmed_by']")).to_have_count(0)  # staff-only field
    approve.locator("button[type='submit']").click()
    expect(phone.locator("#order-status")).to_have_text(zh(Status.APPROVED.label))

    order.refresh_from_db()
    assert order.status == Status.APPROVED and order.quote_approved_at is not None
    quote = Quote.objects.get(order=order)
    assert (quote.status, quote.decided_via, str(quote.total)) == (QuoteStatus.APPROVED, "portal", "1056.50")
    assert "assign" in [t.action for t in allowed_transitions(order, Actor(dispatcher))]

    page.reload()
    expect(page.locator("#order-status")).to_have_text(zh(Status.APPROVED.label))
    expect(page.locator("#quote-decision")).to_be_visible()
