"""The technician's day on a phone (390×844): open today's job, check in, record the repair and a
part, send to QC; a QC inspector passes it; the customer signs on the canvas; the service report
PDF downloads and reads back in Chinese (pdftotext)."""

from __future__ import annotations

import re
import subprocess
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from fieldwork import services as field_services
from fieldwork.models import ChecklistItem
from workorders import services as wo
from workorders.choices import Channel, ChargeType, ServiceType, Status
from workorders.models import WorkOrder

from .test_phone_viewport import PHONE_SCREEN, assert_fits_the_width

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def todays_job(agent: Any, dispatcher: Any, technician: Any, customer: Any, device: Any) -> WorkOrder:
    order = wo.workorder_create(
        acting_user=agent,
        customer=customer,
        device=device,
        service_type=ServiceType.REPAIR,
        channel=Channel.PHONE,
        description="电池充不进电，充电器指示灯一直是红色",
        service_address="浙江省杭州市西湖区文三路100号华星科技大厦A座1201室",
        submitted_at=timezone.now() - timedelta(hours=3),
    )
    order = wo.workorder_transition(
        order=order, action="accept", acting_user=agent, data={"charge_type": ChargeType.FREE}
    )
    order = wo.workorder_transition(
        order=order, action="assign", acting_user=dispatcher, data={"technician": technician.pk}
    )
    return wo.workorder_transition(
        order=order, action="schedule", acting_user=dispatcher, data={"appointment_at": timezone.now()}
    )


def draw_signature(page: Page) -> None:
    pad = page.locator("#signature-pad")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    assert box is not None
    x, y = box["x"], box["y"]
    page.mouse.move(x + 30, y + 120)
    page.mouse.down()
    for step_x, step_y in [(80, 40), (130, 130), (180, 50), (230, 120), (300, 60)]:
        page.mouse.move(x + step_x, y + step_y, steps=6)
    page.mouse.up()


def test_a_technicians_day_on_a_phone_ends_with_the_signed_service_report(
    new_context: Any,
    login: Any,
    agent: Any,
    dispatcher: Any,
    technician: Any,
    qc_inspector: Any,
    customer_a: Any,
    device_a: Any,
    tmp_path: Any,
) -> None:
    order = todays_job(agent, dispatcher, technician, customer_a, device_a)
    phone = new_context(**PHONE_SCREEN, accept_downloads=True)
    login(phone, technician)

    phone.goto("/field/")
    expect(phone.locator(f"#job-{order.number}")).to_be_visible()
    assert_fits_the_width(phone)
    phone.locator(f"#job-{order.number}").click()
    expect(phone.locator("#job-number")).to_have_text(order.number)
    assert_fits_the_width(phone)

    phone.locator("#check-in").click()
    expect(phone.locator("#checked-in")).to_be_visible()
    expect(phone.locator("#job-status")).to_have_attribute("data-status", Status.IN_PROGRESS)

    phone.locator("#check-certificate-shown").click()
    expect(phone.locator("#check-certificate-shown")).to_have_attribute("data-checked", "1")

    phone.locator("#diagnose-cause").select_option("quality")
    phone.locator("#diagnose-text").fill("充电器输出端接触不良")
    phone.locator("#diagnose-submit").click()
    expect(phone.locator("#diagnose-text")).to_have_value("充电器输出端接触不良")

    phone.locator("#log-text").fill("更换充电器输出线，测试充电正常")
    phone.locator("#log-submit").click()
    expect(phone.locator("#log-entries")).to_contain_text("更换充电器输出线")

    phone.locator("#part-name").fill("充电器输出线")
    phone.locator("#part-quantity").fill("1")
    phone.locator("#part-price").fill("35.50")
    phone.locator("#part-submit").click()
    expect(phone.locator("#part-lines")).to_contain_text("¥35.50")
    assert_fits_the_width(phone)

    # QC needs every item of the code of conduct ticked or explained (tests/browser/test_qc_checklist.py).
    for code in ChecklistItem.objects.exclude(code="certificate-shown").values_list("code", flat=True):
        field_services.checklist_mark(order=order, acting_user=technician, item_code=code)
    phone.reload()
    phone.locator("#submit-qc").click()
    expect(phone.locator("#awaiting-qc")).to_be_visible()

    # QC by another person, on their own phone.
    inspector = new_context(**PHONE_SCREEN)
    login(inspector, qc_inspector)
    inspector.goto("/field/qc/")
    assert_fits_the_width(inspector)
    inspector.locator(f"#qc-pass-{order.number}").click()
    expect(inspector.locator("#qc-empty")).to_be_visible()

    # Back on the technician's phone: an empty pad is refused, a drawn signature signs off.
    phone.reload()
    expect(phone.locator("#signature-pad")).to_be_visible()
    assert_fits_the_width(phone)
    phone.locator("#sign-submit").click()
    expect(phone.locator(".alert-danger")).to_be_visible()
    expect(phone.locator("#job-status")).to_have_attribute("data-status", Status.AWAITING_SIGNOFF)

    draw_signature(phone)
    phone.locator("#signer-name").fill("张三丰")
    phone.locator("#sign-submit").click()
    expect(phone.locator("#job-status")).to_have_attribute("data-status", Status.COMPLETED)
    expect(phone.locator("img.signature")).to_be_visible()

    with phone.expect_download() as download_info:
        phone.locator("#report-download").click()
    download = download_info.value
    assert re.fullmatch(r"SR-\d{8}-\d{4}\.pdf", download.suggested_filename)
    path = tmp_path / "report.pdf"
    download.save_as(path)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout
    for expected in ("服务报告单", order.number, "张三丰", "充电器输出线", "35.50", "质检验收：合格", "出示上岗证"):
        assert expected in text, expected
