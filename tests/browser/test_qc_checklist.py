"""Issue 18 point 5 in the browser, on the desktop and on a phone: a technician with three items of
the visit code of conduct open ("请客户检验维修结果" among them) is refused QC with the items
named; they explain one, tick the others and send the work to QC; the QC inspector's page shows
the repair log, the parts, the photo (a thumbnail that loads) and every item with its state."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from playwright.sync_api import expect

from fieldwork import services
from fieldwork.reference import REFERENCE_CHECKLIST
from workorders.choices import Status

from .test_phone_viewport import PHONE_SCREEN, assert_fits_the_width
from .test_technician_day import todays_job

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

DESKTOP = {"viewport": {"width": 1400, "height": 900}}
LEFT_OPEN = {
    "explained": "讲解维修情况及使用注意事项",
    "customer-inspected": "请客户检验维修结果",
    "cleaned-up": "清理现场",
}
REASON = "客户临时外出，由其家人代为确认"


def photo() -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (40, 120, 200)).save(buffer, format="PNG")
    return SimpleUploadedFile("after-repair.png", buffer.getvalue(), content_type="image/png")


@pytest.mark.parametrize("screen", [DESKTOP, PHONE_SCREEN], ids=["desktop", "phone"])
def test_open_checklist_items_hold_up_qc_until_explained_or_ticked_and_qc_sees_it_all(
    new_context: Any,
    login: Any,
    agent: Any,
    dispatcher: Any,
    technician: Any,
    qc_inspector: Any,
    customer_a: Any,
    device_a: Any,
    screen: dict[str, Any],
) -> None:
    order = todays_job(agent, dispatcher, technician, customer_a, device_a)
    services.fieldwork_check_in(order=order, acting_user=technician, at=timezone.now() - timedelta(minutes=5))
    services.repair_log_add(order=order, acting_user=technician, text="更换充电器输出线，测试充电正常")
    services.part_use(
        order=order, acting_user=technician, name="充电器输出线", model="CL-48", quantity="1", unit_price="35.50"
    )
    services.photo_add(order=order, acting_user=technician, upload=photo())
    for code, _zh, _en in REFERENCE_CHECKLIST:
        if code not in LEFT_OPEN:
            services.checklist_mark(order=order, acting_user=technician, item_code=code)
    phone = screen is PHONE_SCREEN

    tech = new_context(**screen)
    login(tech, technician)
    tech.goto(f"/field/jobs/{order.pk}/")
    for label in LEFT_OPEN.values():
        expect(tech.locator("#checklist-open")).to_contain_text(label)

    tech.locator("#submit-qc").click()
    refusal = tech.locator(".alert-danger")
    for label in LEFT_OPEN.values():
        expect(refusal).to_contain_text(label)
    expect(tech.locator("#job-status")).to_have_attribute("data-status", Status.IN_PROGRESS)

    tech.locator("#explain-customer-inspected summary").click()
    tech.locator("#reason-customer-inspected").fill(REASON)
    tech.locator("#explain-submit-customer-inspected").click()
    expect(tech.locator("#check-row-customer-inspected")).to_have_attribute("data-state", "explained")
    expect(tech.locator("#check-row-customer-inspected")).to_contain_text(REASON)
    for code in ("explained", "cleaned-up"):
        tech.locator(f"#check-{code}").click()
        expect(tech.locator(f"#check-{code}")).to_have_attribute("data-checked", "1")
    expect(tech.locator("#checklist-open")).to_have_count(0)
    if phone:
        assert_fits_the_width(tech)
    tech.locator("#submit-qc").click()
    expect(tech.locator("#awaiting-qc")).to_be_visible()
    expect(tech.locator("#job-status")).to_have_attribute("data-status", Status.QC)

    inspector = new_context(**screen)
    login(inspector, qc_inspector)
    inspector.goto("/field/qc/")
    number = order.number
    expect(inspector.locator(f"#qc-log-{number}")).to_contain_text("更换充电器输出线，测试充电正常")
    expect(inspector.locator(f"#qc-parts-{number}")).to_contain_text("充电器输出线 (CL-48)")
    thumb = inspector.locator(f"#qc-photos-{number} img.qc-thumb")
    expect(thumb).to_have_count(1)
    expect(thumb).to_be_visible()
    inspector.wait_for_function("img => img.complete && img.naturalWidth === 64", arg=thumb.element_handle())
    checklist = inspector.locator(f"#qc-checklist-{number}")
    expect(checklist.locator("li")).to_have_count(len(REFERENCE_CHECKLIST))
    expect(checklist.locator('li[data-state="done"]')).to_have_count(len(REFERENCE_CHECKLIST) - 1)
    explained = checklist.locator('li[data-item="customer-inspected"]')
    expect(explained).to_have_attribute("data-state", "explained")
    expect(explained).to_contain_text("请客户检验维修结果")
    expect(explained).to_contain_text(REASON)
    if phone:
        assert_fits_the_width(inspector)
