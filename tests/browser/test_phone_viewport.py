"""Phone-sized screens (390×844, a common phone): the customer's request form and the order pages
fit the width — nothing scrolls sideways."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from workorders import services
from workorders.choices import Channel, ServiceType

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PHONE_SCREEN = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def assert_fits_the_width(page: Page) -> None:
    widths = page.evaluate(
        "() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth,"
        " wide: [...document.querySelectorAll('body *')]"
        "   .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)"
        "   .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')"
        "     + (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ').join('.') : ''))})"
    )
    # A mobile browser zooms out a page that is too wide, which widens innerWidth: pin it too.
    assert widths["inner"] == 390, f"{page.url} is too wide, the phone zooms out: {widths}"
    assert widths["scroll"] <= widths["inner"], f"{page.url} scrolls sideways: {widths}"


@pytest.fixture
def phone(new_context: Any) -> Page:
    return new_context(**PHONE_SCREEN)


def test_portal_request_pages_fit_a_phone_screen(phone: Page, device_a: Any) -> None:
    phone.goto(f"/s/d/{device_a.qr_token}/")
    expect(phone.locator("#device-serial")).to_be_visible()
    expect(phone.locator("#submit-request")).to_be_visible()
    assert_fits_the_width(phone)

    phone.goto("/s/request/")
    expect(phone.locator("#submit-request")).to_be_visible()
    assert_fits_the_width(phone)

    # A refused submission (errors under the fields) must still fit.
    phone.locator("#submit-request").click()
    expect(phone.locator("#error-name")).to_be_visible()
    assert_fits_the_width(phone)


def test_portal_submission_and_order_page_fit_a_phone_screen(phone: Page, device_a: Any) -> None:
    phone.goto(f"/s/d/{device_a.qr_token}/")
    phone.locator("#id_name").fill("李四")
    phone.locator("#id_phone").fill("13912345678")
    phone.locator("#id_description").fill("车子打不着火，仪表盘不亮，充了一夜电也没用")
    phone.locator("#submit-request").click()
    expect(phone).to_have_url(re.compile(r"/submitted/$"))
    expect(phone.locator("#order-number")).to_be_visible()
    assert_fits_the_width(phone)

    phone.locator("#see-progress").click()
    expect(phone.locator("#status-explanation")).to_be_visible()
    expect(phone.locator("#progress-steps")).to_be_visible()
    assert_fits_the_width(phone)


def test_staff_order_detail_fits_a_phone_screen(
    phone: Page, login: Any, agent: Any, customer_a: Any, device_a: Any
) -> None:
    order = services.workorder_create(
        acting_user=agent,
        customer=customer_a,
        device=device_a,
        service_type=ServiceType.REPAIR,
        channel=Channel.PHONE,
        description="电池充不进电，充电器指示灯一直是红色。" * 3,
        service_address="浙江省杭州市西湖区文三路100号华星科技大厦A座1201室",
    )
    login(phone, agent)
    phone.goto(f"/work-orders/{order.pk}/")
    expect(phone.locator("#order-number")).to_have_text(order.number)
    expect(phone.locator("#order-form")).to_be_visible()
    assert_fits_the_width(phone)

    phone.goto("/work-orders/")
    expect(phone.locator(f"#wo-list tr.wo-row[data-number='{order.number}']")).to_be_visible()
    assert_fits_the_width(phone)
