"""A customer scans the device's QR label, reports a fault, and later tracks it with number and phone
(扫码报修, SPEC §2 and §3 step 1 and 4)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from portal import progress
from workorders.choices import Channel, ServiceType, Status
from workorders.models import WorkOrder

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

DESCRIPTION = "早上起来发现车子打不着火，仪表盘不亮，充了一夜电也没用"
PHONE = "13912345678"


def test_customer_reports_a_fault_from_the_qr_label_and_tracks_it(
    page: Page, new_context: Any, device_a: Any, product_model: Any
) -> None:
    page.goto(f"/s/d/{device_a.qr_token}/")

    # The label says which unit it is; the owner's name and phone are not shown to whoever scans it.
    expect(page.locator("#device-model")).to_have_value(f"{product_model.name} ({product_model.code})")
    expect(page.locator("#device-serial")).to_have_value("SN-A-0001")
    expect(page.locator("body")).not_to_contain_text(device_a.customer.phone)
    expect(page.locator("#id_serial_number")).to_have_count(0)  # not asked again

    page.locator("#id_name").fill("李四")
    page.locator("#id_phone").fill(PHONE)
    page.locator("#id_description").fill(DESCRIPTION)
    page.locator("#submit-request").click()

    expect(page).to_have_url(re.compile(r"/s/o/[^/]+/submitted/$"))
    order = WorkOrder.objects.get()
    expect(page.locator("#order-number")).to_have_text(order.number)

    assert order.channel == Channel.QR
    assert order.device_id == device_a.pk
    assert order.product_model_id == product_model.pk
    assert order.status == Status.SUBMITTED
    assert order.service_type == ServiceType.REPAIR
    assert order.applicant_name == "李四"
    assert order.contact_phone == PHONE
    assert order.description == DESCRIPTION
    assert order.created_by_id is None

    # Later, on another phone (no session): the number and the phone prove it is theirs.
    other = new_context(viewport={"width": 412, "height": 915})
    other.goto("/s/")
    other.locator("#header-track").click()
    expect(other).to_have_url(re.compile(r"/s/track/$"))
    other.locator("#id_number").fill(order.number.lower())  # as typed on a phone keyboard
    other.locator("#id_phone").fill(PHONE)
    other.locator("#track-submit").click()

    expect(other).to_have_url(re.compile(rf"/s/o/{re.escape(order.number)}/$"))
    expect(other.locator("#order-number")).to_have_text(order.number)
    with translation.override("zh-hans"):
        explanation = progress.status_explanation(order)
        status_label = str(Status.SUBMITTED.label)
    expect(other.locator("#status-explanation")).to_have_text(explanation)
    expect(other.locator("#order-status")).to_have_text(status_label)
    expect(other.locator("#progress-steps li")).to_have_count(5)
    expect(other.locator("#progress-steps li[aria-current='step']")).to_have_count(1)
    expect(other.locator("#progress-steps li").first).to_have_attribute("aria-current", "step")
    expect(other.locator("#order-facts")).to_contain_text("SN-A-0001")


def test_tracking_with_the_wrong_phone_shows_a_message_and_no_order(page: Page, device_a: Any) -> None:
    page.goto(f"/s/d/{device_a.qr_token}/")
    page.locator("#id_name").fill("李四")
    page.locator("#id_phone").fill(PHONE)
    page.locator("#id_description").fill(DESCRIPTION)
    page.locator("#submit-request").click()
    expect(page).to_have_url(re.compile(r"/submitted/$"))
    number = WorkOrder.objects.get().number

    page.context.clear_cookies()  # a stranger who only knows the number
    page.goto("/s/track/")
    page.locator("#id_number").fill(number)
    page.locator("#id_phone").fill("13800000000")
    page.locator("#track-submit").click()

    expect(page.locator("#track-error")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/s/track/$"))
    expect(page.locator("body")).not_to_contain_text(DESCRIPTION)
    page.goto(f"/s/o/{number}/")
    expect(page.locator("#order-number")).to_have_count(0)
