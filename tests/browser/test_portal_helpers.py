"""The customer's pages (issue 18, point 10 A), on a desktop (1400×900) and a phone (390×844): a
refused request keeps the attached photo (the customer corrects the phone and sends again
without attaching it again); the order page offers the service report PDF once staff made it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from fieldwork import services as fieldwork
from tests.browser.test_header import SCREENS
from tests.fieldwork.conftest import make_assigned_order
from tests.portal.conftest import PNG_BYTES
from workorders import services as wo
from workorders.models import Attachment, WorkOrder

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture(params=sorted(SCREENS))
def screen(request: pytest.FixtureRequest, new_context: Any) -> Page:
    return new_context(**SCREENS[request.param])


def test_a_refused_request_keeps_the_attached_photo(screen: Page, org: Any) -> None:
    screen.goto("/s/request/")
    screen.locator("#id_name").fill("李四")
    screen.locator("#id_phone").fill("139")  # too short: refused
    screen.locator("#id_address").fill("浙江省杭州市西湖区文一路1号")
    screen.locator("#id_description").fill("电动车无法充电，充电器指示灯不亮")
    screen.locator("#id_photos").set_input_files([{"name": "fault.png", "mimeType": "image/png", "buffer": PNG_BYTES}])
    screen.locator("#submit-request").click()

    expect(screen.locator("#error-phone")).to_be_visible()
    kept = screen.locator("#staged-photos")
    expect(kept).to_be_visible()
    expect(kept).to_contain_text("fault.png")
    expect(kept.locator("input.staged-photo")).to_be_checked()
    assert not WorkOrder.objects.exists()

    screen.locator("#id_phone").fill("13912345678")  # only the phone is corrected; no new file
    screen.locator("#submit-request").click()

    expect(screen).to_have_url(re.compile(r"/submitted/$"))
    order = WorkOrder.objects.get()
    expect(screen.locator("#order-number")).to_have_text(order.number)
    assert list(Attachment.objects.filter(order=order).values_list("original_name", flat=True)) == ["fault.png"]


def test_the_order_page_offers_the_service_report(
    screen: Page, agent: Any, dispatcher: Any, technician: Any, qc_inspector: Any, customer_a: Any, tmp_path: Path
) -> None:
    order = make_assigned_order(agent=agent, dispatcher=dispatcher, technician=technician, customer=customer_a)
    order = wo.workorder_transition(order=order, action="start", acting_user=technician)
    order = wo.workorder_transition(order=order, action="submit_qc", acting_user=technician, data={"note": "修好了"})
    order = wo.workorder_transition(order=order, action="qc_pass", acting_user=qc_inspector, data={})

    screen.goto("/s/track/")
    screen.locator("#id_number").fill(order.number)
    screen.locator("#id_phone").fill(order.contact_phone)
    screen.locator("#track-submit").click()
    expect(screen.locator("#order-number")).to_have_text(order.number)
    expect(screen.locator("#service-report")).to_have_count(0)  # not made yet

    report = fieldwork.service_report_generate(order=order, acting_user=agent)
    screen.reload()
    link = screen.locator("#service-report-link")
    expect(link).to_be_visible()
    expect(screen.locator("#service-report-number")).to_contain_text(report.number)
    with screen.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename == f"{report.number}.pdf"
    target = tmp_path / download.suggested_filename
    download.save_as(target)
    assert target.read_bytes().startswith(b"%PDF")
