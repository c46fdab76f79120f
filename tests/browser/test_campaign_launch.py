"""Issue 14 in a real browser: the director previews a cash-sorter upgrade's population (versions
compared as numbers: 1.9 and 1.9.5 are below 1.10, 1.12 is not), creates the campaign, launches
it and reads the progress board."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from campaigns.models import Campaign
from catalog.services import product_model_create
from devices.services import device_create
from workorders.models import WorkOrder

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_director_previews_launches_and_reads_the_board(
    page: Page, login: Any, director: Any, customer_a: Any, customer_b: Any, category: Any, nav_to: Any
) -> None:
    sorter = product_model_create(acting_user=None, code="JL-2000", name="JL-2000 A 类清分机", category=category)
    for serial, customer, firmware in [
        ("SN-001", customer_a, "V1.9"),
        ("SN-002", customer_b, "GT800_V1.9.5"),
        ("SN-003", customer_a, "BIOS 1.12.0"),
        ("SN-004", customer_b, "2.0"),
    ]:
        device_create(
            acting_user=None, customer=customer, product_model=sorter, serial_number=serial, firmware_version=firmware
        )
    login(page, director)
    nav_to(page, "#nav-campaigns")
    page.locator("#new-campaign").click()
    page.locator("#id_code").fill("UPG-2026-RMB")
    page.locator("#id_name").fill("新版人民币清分机升级")
    page.locator("#id_kind").select_option("upgrade")
    page.locator("#id_product_models").select_option(["JL-2000"])
    page.locator("#id_firmware_below").fill("1.10")
    page.locator("#preview-button").click()
    expect(page.locator("#campaign-preview")).to_contain_text("2")
    assert not Campaign.objects.exists()

    page.locator("#id_due_on").fill((timezone.localdate() + timedelta(days=30)).isoformat())
    page.locator("#create-button").click()
    expect(page).to_have_url(re.compile(r"/campaigns/\d+/$"))
    expect(page.locator("#fig-devices")).to_have_text("2")
    expect(page.locator("#fig-orders")).to_have_text("0")

    page.locator("#launch-button").click()
    expect(page.locator("#fig-orders")).to_have_text("2")
    expect(page.locator("#target-table")).to_contain_text("SN-001")
    expect(page.locator("#target-table")).to_contain_text("SN-002")
    expect(page.locator("#target-table")).not_to_contain_text("SN-003")
    assert WorkOrder.objects.filter(service_type="software_upgrade").count() == 2
