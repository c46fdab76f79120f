"""Duplicates and history at intake (issue 18, point 6), in the browser, on the desktop and a phone.

A caller already on file rings again and the agent starts to register them as a "new caller":
the page shows the customer with the same phone, the agent uses that customer instead, sees
their open order and the device's service history, and adds the report to the open order — no
second customer, no second order. A caller who really is someone else is registered once the
agent confirms it, and the confirmation is on the new order's timeline. (Before: a second
customer and a second order, without a word.)
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from customers.models import Customer
from workorders import services
from workorders.choices import Channel, EventKind, ServiceType, Status
from workorders.models import WorkOrder

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

VIEWPORTS = [{"width": 1400, "height": 900}, {"width": 390, "height": 844}]
VIEWPORT_IDS = ["desktop", "phone"]
REPORT = "昨天修过之后刹车还是有异响，客户再次来电催促"


def zh(label: Any) -> str:
    with translation.override("zh-hans"):
        return str(label)


def an_open_order(agent: Any, customer: Any, device: Any) -> WorkOrder:
    return services.workorder_create(
        acting_user=agent,
        customer=customer,
        device=device,
        service_type=ServiceType.REPAIR,
        channel=Channel.PHONE,
        description="刹车异响",
    )


def start_as_new_caller(page: Page, *, name: str, phone: str) -> None:
    page.goto("/work-orders/register/")  # on a phone the menu is folded away
    page.wait_for_load_state()  # htmx binds the live lookups on load
    page.locator("#id_new_customer").check()
    page.locator("#id_new_customer_name").fill(name)
    page.locator("#id_new_customer_phone").fill(phone)


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=VIEWPORT_IDS)
def test_a_known_caller_is_recognised_and_the_report_goes_on_the_open_order(
    page: Page, login: Any, agent: Any, customer_a: Any, device_a: Any, viewport: dict[str, int]
) -> None:
    old = an_open_order(agent, customer_a, device_a)
    WorkOrder.objects.filter(pk=old.pk).update(status=Status.CLOSED)
    current = an_open_order(agent, customer_a, device_a)
    page.set_viewport_size(viewport)
    login(page, agent)

    start_as_new_caller(page, name="张三", phone="138 0013 8000")

    warning = page.locator("#duplicate-customer-warning")
    expect(warning).to_be_visible()
    expect(warning.locator(f"#duplicate-customer-{customer_a.pk}")).to_contain_text("张三丰")
    expect(page.locator("#id_confirm_new_customer")).to_be_visible()
    page.locator(f"#use-customer-{customer_a.pk}").click()

    expect(page.locator("#picked-customer-name")).to_have_text("张三丰")
    expect(page.locator("#id_new_customer")).not_to_be_checked()
    expect(page.locator(f"#caller-open-order-{current.pk}")).to_contain_text(current.number)

    page.locator(f"#id_device_{device_a.pk}").check()
    history = page.locator("#device-history-card")
    expect(history).to_contain_text(current.number)
    expect(history).to_contain_text(old.number)
    expect(page.locator("#open-order-warning")).to_be_visible()

    page.locator("#id_description").fill(REPORT)
    page.locator(f"#attach-order-{current.pk}").click()

    expect(page).to_have_url(re.compile(rf"/work-orders/{current.pk}/$"))
    expect(page.locator("#order-number")).to_have_text(current.number)
    repeat = page.locator(f"#timeline li.timeline-event[data-kind='{EventKind.REPEAT_REQUEST.value}']")
    expect(repeat).to_contain_text(REPORT)
    assert Customer.objects.count() == 1
    assert WorkOrder.objects.count() == 2  # the closed one and the open one: nothing new


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=VIEWPORT_IDS)
def test_a_different_caller_with_the_same_phone_is_registered_only_once_confirmed(
    page: Page, login: Any, agent: Any, customer_a: Any, viewport: dict[str, int]
) -> None:
    page.set_viewport_size(viewport)
    login(page, agent)

    start_as_new_caller(page, name="张小明", phone="13800138000")
    expect(page.locator("#duplicate-customer-warning")).to_be_visible()
    page.locator("#id_description").fill("新买的车充不进电")
    page.locator("#register-submit").click()

    # Not confirmed: nothing saved, the warning and the question are still there.
    expect(page.locator("#register-errors")).to_be_visible()
    expect(page.locator("#duplicate-customer-warning")).to_be_visible()
    assert Customer.objects.count() == 1 and WorkOrder.objects.count() == 0

    page.locator("#id_confirm_new_customer").check()
    page.locator("#register-submit").click()

    expect(page).to_have_url(re.compile(r"/work-orders/\d+/$"))
    order = WorkOrder.objects.get()
    assert order.customer.name == "张小明" and order.customer_id != customer_a.pk
    confirmed = page.locator(f"#timeline li.timeline-event[data-kind='{EventKind.DUPLICATE_CONFIRMED.value}']")
    expect(confirmed).to_contain_text(zh(EventKind.DUPLICATE_CONFIRMED.label))
    expect(confirmed).to_contain_text("张三丰 13800138000")
