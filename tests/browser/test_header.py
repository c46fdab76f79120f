"""The page header (issue 18, point 10 A), on a desktop (1400×900) and a phone (390×844): one line
at every width (brand · search · inbox with its unread count · menu toggler), the menu grouped
by area behind the toggler, the search box, the favicon."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from core.roles import Role
from core.testing import make_user
from tests.browser.conftest import open_menu
from tests.notify.conftest import accepted_order
from workorders import services as wo

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

SCREENS = {
    "desktop": {"viewport": {"width": 1400, "height": 900}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}


@pytest.fixture(params=sorted(SCREENS))
def screen(request: pytest.FixtureRequest, new_context: Any) -> Page:
    return new_context(**SCREENS[request.param])


def assert_header_is_one_line(page: Page) -> None:
    bar = page.locator("#header-bar").bounding_box()
    assert bar is not None
    assert bar["height"] < 64, f"the header wraps: {bar}"
    for selector in (".header-brand", "#site-search", "#nav-toggler"):
        box = page.locator(selector).bounding_box()
        assert box is not None, selector
        middle = box["y"] + box["height"] / 2
        assert bar["y"] <= middle <= bar["y"] + bar["height"], f"{selector} is not on the header line: {box}"
        assert box["x"] + box["width"] <= page.viewport_size["width"] + 1, f"{selector} is off screen: {box}"  # type: ignore[index]
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page scrolls sideways: {width}"


def test_the_header_is_one_line_and_the_menu_is_grouped_by_area(screen: Page, login: Any, org: Any) -> None:
    admin = make_user(Role.ADMIN, org.hq, username="header_admin")  # every entry of every app
    login(screen, admin)

    assert_header_is_one_line(screen)
    expect(screen.locator("#mainnav")).to_be_hidden()  # collapsed at any width
    open_menu(screen)
    areas = screen.locator("#nav-groups > li.nav-group")
    keys = [areas.nth(i).get_attribute("data-group") for i in range(areas.count())]
    assert keys[:2] == ["orders", "dispatch"] and keys[-1] == "setup" and "customers" in keys, keys
    assert "knowledge" not in keys  # an area without entries is not shown

    screen.locator("#nav-group-customers").click()
    expect(screen.locator("#nav-customers")).to_be_visible()
    screen.locator("#nav-devices").click()
    expect(screen).to_have_url(re.compile(r"/devices/$"))
    assert_header_is_one_line(screen)
    open_menu(screen)
    expect(screen.locator("#nav-group-customers")).to_have_class(re.compile(r"\bactive\b"))
    expect(screen.locator("#nav-devices")).to_have_attribute("aria-current", "page")
    expect(screen.locator("#nav-customers")).not_to_have_attribute("aria-current", "page")


def test_the_inbox_shows_its_unread_count_in_the_header(
    screen: Page, login: Any, agent: Any, dispatcher: Any, technician: Any, customer_a: Any
) -> None:
    for _ in range(2):
        order = accepted_order(agent, customer_a)
        wo.workorder_transition(
            order=order, action="assign", acting_user=dispatcher, data={"technician": technician.pk}
        )
    login(screen, technician)

    badge = screen.locator("#nav-inbox-badge")
    expect(badge).to_be_visible()
    expect(badge).to_contain_text("2")
    assert_header_is_one_line(screen)

    screen.locator("#nav-inbox").click()
    expect(screen).to_have_url(re.compile(r"/inbox/"))
    screen.locator("#read-all").click()
    expect(screen.locator("#unread-count")).to_have_text("0")
    expect(screen.locator("#nav-inbox")).to_be_visible()
    expect(screen.locator("#nav-inbox-badge")).to_have_count(0)


def test_the_header_search_finds_what_the_station_may_see(
    screen: Page, login: Any, agent: Any, station_a_user: Any, customer_a: Any, customer_b: Any, device_a: Any
) -> None:
    order = wo.workorder_create(
        acting_user=agent,
        customer=customer_a,
        device=device_a,
        service_type="repair",
        channel="phone",
        description="电池充不进电",
    )
    login(screen, station_a_user)
    search = screen.locator("#site-search")

    # The customer by pinyin initials, on the results page.
    search.fill("zsf")
    search.press("Enter")
    expect(screen).to_have_url(re.compile(r"/search/\?q=zsf"))
    expect(screen.locator("#search-customers .search-hit")).to_have_count(1)
    expect(screen.locator("#search-customers")).to_contain_text("张三丰")
    assert_header_is_one_line(screen)

    # By phone number: the customer and her order.
    search = screen.locator("#site-search")
    search.fill("13800138000")
    search.press("Enter")
    expect(screen.locator("#search-customers")).to_contain_text("张三丰")
    expect(screen.locator("#search-orders")).to_contain_text(order.number)

    # Station B's customer (海淀区) is not found by station A, by name or phone.
    for query in ("北京某银行", "01062345678"):
        search = screen.locator("#site-search")
        search.fill(query)
        search.press("Enter")
        expect(screen.locator("#search-nothing")).to_be_visible()
        expect(screen.locator(".search-hit")).to_have_count(0)

    # An exact order number opens the order; an exact serial opens the device.
    search = screen.locator("#site-search")
    search.fill(order.number.lower())
    search.press("Enter")
    expect(screen).to_have_url(re.compile(rf"/work-orders/{order.pk}/$"))
    search = screen.locator("#site-search")
    search.fill(device_a.serial_number)
    search.press("Enter")
    expect(screen).to_have_url(re.compile(rf"/devices/{device_a.pk}/$"))


def test_every_page_has_the_favicon(screen: Page, login: Any, agent: Any) -> None:
    for path in ("/login/", "/s/"):
        screen.goto(path)
        href = screen.locator("link[rel='icon']").get_attribute("href")
        assert href, path
        icon = screen.request.get(href)
        assert icon.status == 200 and "svg" in icon.headers["content-type"], (path, icon.status)
    login(screen, agent)
    expect(screen.locator("link[rel='icon']")).to_have_attribute("href", re.compile(r"favicon\.svg$"))
    fallback = screen.request.get("/favicon.ico")  # what a browser asks for on its own
    assert fallback.status == 200 and "svg" in fallback.headers["content-type"]
