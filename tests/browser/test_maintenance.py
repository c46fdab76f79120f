"""Issue 14 in the browser: the director creates a quarterly inspection plan from the menu, creates
its work orders and sees them on the plan's calendar; the technician records the checklist on a
phone — a measured voltage above its limit is flagged — and the page fits the phone's width."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from devices.services import device_create
from maintenance.models import InspectionResult, MaintenancePlan, Occurrence
from workorders.services import workorder_transition

from .test_phone_viewport import PHONE_SCREEN, assert_fits_the_width

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_plan_calendar_and_inspection_on_the_phone(
    new_context: Any,
    login: Any,
    nav_to: Any,
    director: Any,
    agent: Any,
    technician: Any,
    customer_a: Any,
    product_model: Any,
) -> None:
    devices = [
        device_create(acting_user=None, customer=customer_a, product_model=product_model, serial_number=f"QF-{i}")
        for i in range(2)
    ]
    today = timezone.localdate()
    page = new_context(viewport={"width": 1400, "height": 900})
    login(page, director)
    nav_to(page, "#nav-maintenance-plans")
    page.locator("#new-plan").click()
    page.locator("#id_name").fill("清分机季度巡检")
    page.locator("#id_service_type").select_option("inspection")
    page.locator("#id_interval_months").fill("3")
    page.locator("#id_starts_on").fill(today.isoformat())
    page.locator("#id_non_working").select_option("keep")
    page.locator("#id_checklist").select_option(label="清分机季度巡检表")
    page.locator("#id_devices").fill("QF-0 QF-1")
    page.locator("#save-plan").click()
    expect(page.locator("#plan-facts")).to_contain_text("清分机季度巡检表")
    plan = MaintenancePlan.objects.get()
    page.locator("#generate-form input[name=until]").fill((today + timedelta(days=7)).isoformat())
    page.locator("#generate").click()
    expect(page.locator("#occurrence-table tbody tr")).to_have_count(2)
    expect(page.locator("#plan-calendar")).to_contain_text("QF-0")
    page.locator("#generate").click()  # again: nothing twice
    expect(page.locator("#occurrence-table tbody tr")).to_have_count(2)
    assert Occurrence.objects.filter(plan=plan).count() == 2

    order = Occurrence.objects.get(plan=plan, device=devices[0]).work_order
    order = workorder_transition(order=order, action="accept", acting_user=agent, data={"charge_type": "free"})
    order = workorder_transition(order=order, action="assign", acting_user=director, data={"technician": technician.pk})
    workorder_transition(order=order, action="start", acting_user=technician)

    phone = new_context(**PHONE_SCREEN)
    login(phone, technician)
    phone.goto(f"/maintenance/orders/{order.pk}/inspection/")
    voltage = phone.locator("section.card").filter(has_text="供电电压")
    voltage.locator("input[name=value]").fill("250")
    voltage.locator("button").click()
    expect(phone.locator("section.card").filter(has_text="供电电压").locator(".result")).to_have_attribute(
        "data-out-of-limit", "1"
    )
    clean = phone.locator("section.card").filter(has_text="外观及机身清洁")
    clean.locator("button[value=ok]").click()
    expect(phone.locator("section.card").filter(has_text="外观及机身清洁").locator(".result")).to_have_attribute(
        "data-outcome", "ok"
    )
    assert_fits_the_width(phone)
    assert InspectionResult.objects.filter(order=order, out_of_limit=True).count() == 1
    assert InspectionResult.objects.filter(order=order).count() == 2
