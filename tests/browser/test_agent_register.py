"""An agent takes a phone call: finds the caller, picks the device, registers and accepts the request,
then finds the order again in the list (SPEC §3 steps 1-2)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from workorders import services
from workorders.choices import Channel, ServiceType, Status
from workorders.models import WorkOrder

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

DESCRIPTION = "每次刹车都有异响，电池续航也明显变短，请安排保养检查"


def zh(label: Any) -> str:
    with translation.override("zh-hans"):
        return str(label)


def test_agent_registers_and_accepts_a_phone_request_then_finds_it_in_the_list(
    page: Page, login: Any, agent: Any, customer_a: Any, customer_b: Any, device_a: Any, nav_to: Any
) -> None:
    earlier = services.workorder_create(
        acting_user=agent,
        customer=customer_a,
        device=device_a,
        service_type=ServiceType.REPAIR,
        channel=Channel.PHONE,
        description="电池充不进电，充电器指示灯一直是红色",
    )
    login(page, agent)

    nav_to(page, "#nav-register")
    expect(page).to_have_url(re.compile(r"/work-orders/register/$"))
    page.wait_for_load_state()  # htmx binds the live search on load; typing earlier is not seen

    # Pinyin initials of 张三丰: the live search (htmx) lists her, not the bank in 海淀区.
    page.locator("#id_customer_search").fill("zsf")
    result = page.locator(f"#customer-result-{customer_a.pk}")
    expect(result).to_be_visible()
    expect(result).to_contain_text("张三丰")
    expect(page.locator(f"#customer-result-{customer_b.pk}")).to_have_count(0)
    result.click()

    expect(page.locator("#picked-customer-name")).to_have_text("张三丰")
    expect(page.locator("#id_customer")).to_have_value(str(customer_a.pk))
    expect(page.locator("#customer-result-list")).to_have_count(0)  # the result list is cleared
    device_choice = page.locator(f"#id_device_{device_a.pk}")
    expect(device_choice).to_be_visible()
    device_choice.check()
    # The device still has the earlier open order: the agent confirms this is a new request (issue 18.6).
    expect(page.locator("#open-order-warning")).to_contain_text(earlier.number)
    page.locator("#id_confirm_new_order").check()
    page.locator("#id_service_type").select_option(ServiceType.MAINTENANCE.value)
    page.locator("#id_description").fill(DESCRIPTION)
    page.locator("#register-accept-submit").click()

    expect(page).to_have_url(re.compile(r"/work-orders/\d+/$"))
    order = WorkOrder.objects.exclude(pk=earlier.pk).get()
    expect(page.locator("#order-number")).to_have_text(order.number)
    expect(page.locator("#order-status")).to_have_text(zh(Status.ACCEPTED.label))
    expect(page.locator("#order-description")).to_have_text(DESCRIPTION)
    expect(page.get_by_role("alert").filter(has_text=order.number)).to_be_visible()

    assert order.status == Status.ACCEPTED
    assert order.channel == Channel.PHONE
    assert order.service_type == ServiceType.MAINTENANCE
    assert order.accepted_by_id == agent.pk
    assert order.accepted_at is not None
    assert order.created_by_id == agent.pk
    assert order.customer_id == customer_a.pk
    assert order.device_id == device_a.pk
    assert order.description == DESCRIPTION

    # The list: both orders, then the search (htmx, no reload) narrows to the new one.
    nav_to(page, "#nav-workorders")
    rows = page.locator("#wo-list tr.wo-row")
    expect(rows).to_have_count(2)
    page.wait_for_load_state()  # the rows show before htmx has bound the search box

    search = page.locator("#id_filter_q")
    search.fill(order.number)
    expect(rows).to_have_count(1)
    expect(page.locator(f"#wo-list tr.wo-row[data-number='{order.number}']")).to_be_visible()
    expect(page).to_have_url(re.compile(r"[?&]q=" + re.escape(order.number)))

    search.fill("充电器")  # a Chinese word only the earlier order's description has
    expect(rows.first).to_have_attribute("data-number", earlier.number)
    expect(rows).to_have_count(1)

    search.fill("刹车")  # and one only the new order has
    expect(rows.first).to_have_attribute("data-number", order.number)
    expect(rows).to_have_count(1)

    rows.first.get_by_role("link", name=order.number).click()
    expect(page).to_have_url(re.compile(rf"/work-orders/{order.pk}/$"))
    expect(page.locator("#order-number")).to_have_text(order.number)
