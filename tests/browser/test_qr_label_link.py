"""The device's QR label and self-service link point at the address the server was reached at,
not at a constant 127.0.0.1:8000 (issue 18, point 2): an agent on another host name opens the
label, and the link it prints opens the customer's request page, on the desktop and a phone."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.mark.parametrize(
    "viewport", [{"width": 1400, "height": 900}, {"width": 390, "height": 844}], ids=["desktop", "phone"]
)
def test_the_label_link_opens_the_request_page_on_the_host_in_use(
    page: Page, login: Any, agent: Any, device_a: Any, live_server: Any, settings: Any, viewport: dict[str, int]
) -> None:
    settings.PUBLIC_BASE_URL = ""  # development: no configured address
    other_host = live_server.url  # http://localhost:<a free port>, not 127.0.0.1:8000
    assert urlsplit(other_host).port != 8000
    page.set_viewport_size(viewport)
    login(page, agent)

    page.goto(f"{other_host}/devices/{device_a.pk}/")
    link = page.locator("#request-url")
    expect(link).to_have_attribute("href", f"{other_host}/s/d/{device_a.qr_token}/")
    page.goto(f"{other_host}/devices/{device_a.pk}/label/")
    expect(page.locator("svg.qr-code").first).to_be_visible()  # encodes the same link (devices.selectors)

    link_href = f"{other_host}/s/d/{device_a.qr_token}/"
    page.goto(link_href)
    expect(page).to_have_url(re.compile(re.escape(link_href)))
    expect(page.locator("#device-serial")).to_have_value("SN-A-0001")  # the customer's page for this unit
