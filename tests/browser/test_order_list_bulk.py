"""The work-order list in the browser (issue 18, point 10), on the desktop and on a phone: tick two
orders, change their priority and read what happened to each; download the filtered list as an
Excel workbook and open it; open an order's print view (服务申请维修单)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from workorders.choices import Priority
from workorders.models import WorkOrder
from workorders.services import workorder_create

from .test_phone_viewport import PHONE_SCREEN, assert_fits_the_width

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

SCREENS = {
    "desktop": {"viewport": {"width": 1400, "height": 900}},
    "phone": PHONE_SCREEN,
}


def an_order(user: Any, customer: Any, description: str, service_type: str = "repair") -> WorkOrder:
    return workorder_create(
        acting_user=user, customer=customer, service_type=service_type, channel="phone", description=description
    )


@pytest.mark.parametrize("screen", list(SCREENS), ids=list(SCREENS))
def test_bulk_priority_xlsx_export_and_print_view(
    new_context: Any, login: Any, director: Any, customer_a: Any, screen: str, tmp_path: Any
) -> None:
    first = an_order(director, customer_a, "刹车失灵")
    second = an_order(director, customer_a, "仪表盘不亮")
    untouched = an_order(director, customer_a, "需要安装充电桩", service_type="installation")
    page: Page = new_context(**SCREENS[screen])
    login(page, director)

    # Select all, then only two of them.
    page.goto("/work-orders/")
    expect(page.locator("#wo-list .wo-select")).to_have_count(3)
    page.locator("#wo-select-all").check()
    for order in (first, second, untouched):
        expect(page.locator(f"#wo-select-{order.pk}")).to_be_checked()
    page.locator("#wo-select-all").uncheck()
    expect(page.locator("#wo-list .wo-select:checked")).to_have_count(0)
    page.locator(f"#wo-select-{first.pk}").check()
    page.locator(f"#wo-select-{second.pk}").check()
    page.locator("#bulk-assign-open").click()  # the technician picker is read when opened (htmx)
    expect(page.locator("#id_bulk_technician")).to_be_visible()
    if screen == "phone":
        assert_fits_the_width(page)
    page.locator("#id_bulk_priority").select_option(str(Priority.P1))
    page.locator("#bulk-priority").click()

    expect(page).to_have_url(re.compile(r"/work-orders/bulk/$"))
    expect(page.locator("#bulk-outcomes .bulk-outcome")).to_have_count(2)
    for order in (first, second):
        row = page.locator(f'.bulk-outcome[data-number="{order.number}"]')
        expect(row).to_have_attribute("data-outcome", "done")
        expect(row.locator(".badge")).to_be_visible()
    assert {o.pk: o.priority for o in WorkOrder.objects.all()} == {
        first.pk: Priority.P1,
        second.pk: Priority.P1,
        untouched.pk: Priority.P3,
    }

    # Back to the list, filtered: the workbook holds the filter's orders, with its header row.
    page.locator("#bulk-back").click()
    expect(page.locator("#wo-list")).to_be_visible()
    page.goto("/work-orders/?service_type=repair")
    expect(page.locator("#wo-list .wo-row")).to_have_count(2)
    if screen == "phone":
        assert_fits_the_width(page)
    with page.expect_download() as download_info:
        page.locator("#wo-export-xlsx").click()
    download = download_info.value
    assert re.fullmatch(r"work-orders-\d{8}-\d{4}\.xlsx", download.suggested_filename)
    path = tmp_path / "orders.xlsx"
    download.save_as(path)
    sheet = load_workbook(path).active
    header = [cell.value for cell in sheet[1]]
    assert header[:2] == ["编号", "申请时间"] and "SLA 状态" in header  # the director reads Chinese
    numbers = sorted(row[0] for row in sheet.iter_rows(min_row=2, values_only=True))
    assert numbers == sorted([first.number, second.number])

    # The order page opens its print view: the seed's form, in Chinese.
    page.goto(f"/work-orders/{first.pk}/")
    page.locator("#order-print").click()
    expect(page).to_have_url(re.compile(rf"/work-orders/{first.pk}/print/$"))
    sheet_box = page.locator("#print-sheet")
    expect(sheet_box.locator("h1")).to_have_text("服务申请维修单")
    expect(page.locator("#print-number")).to_have_text(first.number)
    expect(sheet_box).to_contain_text("申请单位")
    expect(sheet_box).to_contain_text("服务部门主管签字")
    expect(page.locator('[data-field="description"]')).to_have_text("刹车失灵")
    if screen == "phone":
        assert_fits_the_width(page)
    page.emulate_media(media="print")
    expect(page.locator(".toolbar")).to_be_hidden()  # the toolbar does not print
    expect(sheet_box).to_be_visible()
