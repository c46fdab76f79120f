"""A dispatcher pages through a filtered work-order list in the browser: "next" opens page 2 of
the same filter (it reloaded page 1 and dropped the filter: issue 18, point 1), on the desktop
and on a phone."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from workorders.models import WorkOrder
from workorders.services import workorder_create

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.mark.parametrize(
    "viewport", [{"width": 1400, "height": 900}, {"width": 390, "height": 844}], ids=["desktop", "phone"]
)
def test_next_page_keeps_the_filter_and_shows_page_two(
    page: Page, login: Any, agent: Any, customer_a: Any, viewport: dict[str, int]
) -> None:
    for number in range(27):
        workorder_create(
            acting_user=agent, customer=customer_a, service_type="repair", channel="phone", description=f"故障{number}"
        )
    WorkOrder.objects.update(status="closed")
    workorder_create(acting_user=agent, customer=customer_a, service_type="repair", channel="phone", description="未结")
    page.set_viewport_size(viewport)
    login(page, agent)

    page.goto("/work-orders/?status=closed")
    expect(page.locator("#page-position")).to_have_text("第 1 页，共 2 页")
    page.locator("#page-next").click()

    expect(page.locator("#page-position")).to_have_text("第 2 页，共 2 页")
    expect(page).to_have_url(re.compile(r"/work-orders/\?status=closed&page=2$"))
    expect(page.locator("#wo-table tbody tr")).to_have_count(2)  # 27 closed orders: 25 + 2, the open one not listed
    page.reload()
    expect(page.locator("#page-position")).to_have_text("第 2 页，共 2 页")
