"""Issue 18 point 8 in the browser, on the phone (390×844) and where it makes sense the desktop
(1400×900): a technician signs in to today's jobs; a tick or an explanation of the code of conduct
swaps its row and the open-items warning without leaving the page (a marker set on ``window``
survives, no navigation of the main frame); 等待备件 pauses the work and 恢复处理 resumes it; a part
is picked from the price list by searching as you type; a photo shows as a server-made thumbnail
and opens large."""

from __future__ import annotations

import io
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from playwright.sync_api import Page, expect

from billing.services import PartPriceSpec, part_price_list_create
from fieldwork import services
from workorders.choices import EventKind, Status
from workorders.models import WorkOrder

from .test_phone_viewport import PHONE_SCREEN, assert_fits_the_width
from .test_technician_day import todays_job

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

DESKTOP = {"viewport": {"width": 1400, "height": 900}}
SCREENS = pytest.mark.parametrize("screen", [PHONE_SCREEN, DESKTOP], ids=["phone", "desktop"])


@pytest.fixture
def working_job(agent: Any, dispatcher: Any, technician: Any, customer_a: Any, device_a: Any) -> WorkOrder:
    order = todays_job(agent, dispatcher, technician, customer_a, device_a)
    services.fieldwork_check_in(order=order, acting_user=technician, at=timezone.now() - timedelta(minutes=5))
    order.refresh_from_db()
    return order


def open_job(new_context: Any, login: Any, technician: Any, order: WorkOrder, screen: dict[str, Any]) -> Page:
    page = new_context(**screen)
    login(page, technician)
    page.goto(f"/field/jobs/{order.pk}/")
    expect(page.locator("#job-number")).to_have_text(order.number)
    return page


def watch_navigation(page: Page) -> list[str]:
    """The main frame's navigations from now on, and a marker on ``window`` a reload would drop."""
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url) if frame == page.main_frame else None)
    page.evaluate("() => { window.__phoneMarker = 'kept'; }")
    return navigations


def assert_same_page(page: Page, navigations: list[str]) -> None:
    assert page.evaluate("() => window.__phoneMarker") == "kept"
    assert navigations == []


@SCREENS
def test_a_technician_signs_in_to_todays_jobs(
    new_context: Any, login: Any, live_server: Any, technician: Any, working_job: WorkOrder, screen: dict[str, Any]
) -> None:
    page = new_context(**screen)
    login(page, technician)
    expect(page).to_have_url(f"{live_server.url}/field/")
    expect(page.locator(f"#job-{working_job.number}")).to_be_visible()
    if screen is PHONE_SCREEN:
        assert_fits_the_width(page)


@SCREENS
def test_a_tick_and_an_explanation_swap_only_their_row_and_the_warning(
    new_context: Any, login: Any, technician: Any, working_job: WorkOrder, screen: dict[str, Any]
) -> None:
    page = open_job(new_context, login, technician, working_job, screen)
    warning = page.locator("#checklist-open")
    expect(warning.locator('li[data-item="certificate-shown"]')).to_have_count(1)
    navigations = watch_navigation(page)

    page.locator("#check-certificate-shown").click()
    expect(page.locator("#check-certificate-shown")).to_have_attribute("data-checked", "1")
    expect(page.locator("#check-row-certificate-shown")).to_have_attribute("data-state", "done")
    expect(warning.locator('li[data-item="certificate-shown"]')).to_have_count(0)
    assert_same_page(page, navigations)

    page.locator("#explain-customer-inspected summary").click()
    page.locator("#reason-customer-inspected").fill("客户临时外出，由其家人代为确认")
    page.locator("#explain-submit-customer-inspected").click()
    expect(page.locator("#check-row-customer-inspected")).to_have_attribute("data-state", "explained")
    expect(page.locator("#check-row-customer-inspected")).to_contain_text("客户临时外出")
    expect(warning.locator('li[data-item="customer-inspected"]')).to_have_count(0)

    # Undo is a swap too, and the item is back in the warning.
    page.locator("#check-certificate-shown").click()
    expect(page.locator("#check-certificate-shown")).to_have_attribute("data-checked", "0")
    expect(warning.locator('li[data-item="certificate-shown"]')).to_have_count(1)
    assert_same_page(page, navigations)
    if screen is PHONE_SCREEN:
        assert_fits_the_width(page)
    states = dict(working_job.checklist_marks.values_list("item__code", "checked"))
    assert states["certificate-shown"] is False and states["customer-inspected"] is False


def test_pause_waiting_for_parts_then_resume_on_the_phone(
    new_context: Any, login: Any, technician: Any, working_job: WorkOrder
) -> None:
    page = open_job(new_context, login, technician, working_job, PHONE_SCREEN)
    expect(page.locator("#pause-other")).to_be_visible()  # 暂停 (its msgid "Pause" is new: translated later)
    for label in ("等待备件", "等待客户"):
        expect(page.locator("#pause").get_by_role("button", name=label)).to_be_visible()
    page.locator("#pause-note").fill("电池明天到货")
    page.locator("#pause").get_by_role("button", name="等待备件").click()

    expect(page.locator("#job-status")).to_have_attribute("data-status", Status.WAITING)
    paused = page.locator("#paused")
    expect(paused).to_have_attribute("data-wait-reason", "parts")
    expect(paused).to_contain_text("等待备件")
    expect(paused).to_contain_text("电池明天到货")
    expect(page.locator("#pause")).to_have_count(0)
    assert_fits_the_width(page)

    page.locator("#resume").click()
    expect(page.locator("#job-status")).to_have_attribute("data-status", Status.IN_PROGRESS)
    expect(page.locator("#paused")).to_have_count(0)
    expect(page.locator("#pause-parts")).to_be_visible()
    kinds = list(working_job.events.filter(kind__in=[EventKind.PAUSE, EventKind.RESUME]).values_list("kind", "data"))
    assert [kind for kind, _data in kinds] == [EventKind.PAUSE, EventKind.RESUME]
    assert kinds[0][1]["wait_reason"] == "parts"


@SCREENS
def test_a_part_is_picked_from_the_price_list_by_searching_as_you_type(
    new_context: Any, login: Any, technician: Any, working_job: WorkOrder, screen: dict[str, Any]
) -> None:
    part_price_list_create(
        acting_user=None,
        effective_from=date(2024, 1, 1),
        prices=[
            PartPriceSpec("BAT-48V", "48V 锂电池", Decimal("1280.00"), "块"),
            PartPriceSpec("BRK-PAD", "刹车片", Decimal("45.50"), "副"),
        ],
    )
    page = open_job(new_context, login, technician, working_job, screen)
    navigations = watch_navigation(page)
    page.locator("#part-search").press_sequentially("刹车", delay=50)
    result = page.locator('.part-result[data-code="BRK-PAD"]')
    expect(result).to_be_visible()
    expect(page.locator('.part-result[data-code="BAT-48V"]')).to_have_count(0)
    result.click()

    expect(page.locator("#part-fields")).to_have_attribute("data-source", "price_list")
    expect(page.locator("#part-name")).to_have_value("刹车片")
    expect(page.locator("#part-model")).to_have_value("BRK-PAD")
    expect(page.locator("#part-unit")).to_have_value("副")
    expect(page.locator("#part-price")).to_have_value("45.50")
    expect(page.locator("#part-price")).not_to_be_editable()
    expect(page.locator(".part-result")).to_have_count(0)
    assert_same_page(page, navigations)
    if screen is PHONE_SCREEN:
        assert_fits_the_width(page)

    page.locator("#part-quantity").fill("2")
    page.locator("#part-submit").click()
    line = page.locator('#part-lines li[data-source="price_list"]')
    expect(line).to_contain_text("刹车片 (BRK-PAD)")
    expect(line).to_contain_text("¥91.00")

    # A part not on the list is typed in by hand and marked as such.
    page.locator("#part-name").fill("自备螺丝")
    page.locator("#part-quantity").fill("4")
    page.locator("#part-price").fill("0.50")
    page.locator("#part-submit").click()
    expect(page.locator('#part-lines li[data-source="free_text"]')).to_contain_text("自备螺丝")
    expect(page.locator('#part-lines li[data-source="free_text"] .part-unlisted')).to_be_visible()


def photo_upload() -> SimpleUploadedFile:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (40, 120, 200)).save(buffer, format="PNG")
    return SimpleUploadedFile("after-repair.png", buffer.getvalue(), content_type="image/png")


@SCREENS
def test_a_photo_shows_as_a_thumbnail_and_opens_large(
    new_context: Any, login: Any, technician: Any, working_job: WorkOrder, screen: dict[str, Any]
) -> None:
    photo = services.photo_add(order=working_job, acting_user=technician, upload=photo_upload())
    page = open_job(new_context, login, technician, working_job, screen)
    thumb = page.locator(f"#photo-{photo.pk} img.photo-thumb")
    thumb.scroll_into_view_if_needed()
    expect(thumb).to_be_visible()
    # The server's thumbnail (192 px wide), not the 640 px photo scaled down by the browser.
    page.wait_for_function("img => img.complete && img.naturalWidth === 192", arg=thumb.element_handle())
    box = thumb.bounding_box()
    assert box is not None and round(box["width"]) == 96 and round(box["height"]) == 96
    if screen is PHONE_SCREEN:
        assert_fits_the_width(page)

    thumb.click()
    modal = page.locator("#photo-modal")
    expect(modal).to_be_visible()
    large = page.locator("#photo-modal-image")
    page.wait_for_function("img => img.complete && img.naturalWidth === 640", arg=large.element_handle())
    large_box = large.bounding_box()
    assert large_box is not None and large_box["width"] > 300
    page.locator("#photo-modal .btn-close").click()
    expect(modal).to_be_hidden()
