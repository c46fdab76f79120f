"""Chinese is the default language; a staff user switches the console to English and the choice
follows them (profile); the customer pages are Chinese by default too."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from core.models import UserProfile
from tests.browser.conftest import open_menu

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

HAN = re.compile(r"[\u4e00-\u9fff]")


def nav_link(page: Page, path: str) -> Any:
    return page.locator(f"#nav-groups a.dropdown-item[href='{path}']")


def logout_button(page: Page) -> Any:
    return page.locator("#mainnav form[action='/logout/'] button")


def zh(message: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(message)


def test_console_is_chinese_by_default_even_in_an_english_browser(new_context: Any, login: Any, agent: Any) -> None:
    page = new_context(locale="en-US")  # the profile's language (zh-hans by default) wins
    login(page, agent)

    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator("#language-select")).to_have_value("zh-hans")
    expect(nav_link(page, "/work-orders/")).to_have_text("工单")
    expect(nav_link(page, "/customers/")).to_have_text("客户")
    expect(nav_link(page, "/devices/")).to_have_text("设备")
    expect(logout_button(page)).to_have_text("退出")


def test_switching_to_english_is_kept_on_the_profile_and_switching_back_restores_chinese(
    page: Page, login: Any, agent: Any
) -> None:
    login(page, agent)
    page.goto("/work-orders/")

    open_menu(page)  # the language sits in the header's menu, behind the toggler
    page.locator("#language-select").select_option("en")  # submits the form on change

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/work-orders/$"))  # back on the page it was switched on
    expect(nav_link(page, "/work-orders/")).to_have_text("Work orders")
    expect(logout_button(page)).to_have_text("Log out")
    assert UserProfile.objects.get(user=agent).language == "en"

    # Another page, a new browser session (cookies gone): the profile still says English.
    page.context.clear_cookies()
    login(page, agent)
    page.goto("/devices/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(nav_link(page, "/customers/")).to_have_text("Customers")
    expect(nav_link(page, "/devices/")).to_have_text("Devices")
    expect(page.locator("#language-select")).to_have_value("en")

    open_menu(page)
    page.locator("#language-select").select_option("zh-hans")

    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page).to_have_url(re.compile(r"/devices/$"))
    expect(nav_link(page, "/work-orders/")).to_have_text(zh("Work orders"))
    expect(page.locator("#language-select")).to_have_value("zh-hans")
    assert UserProfile.objects.get(user=agent).language == "zh-hans"


def test_customer_pages_are_chinese_by_default_and_switch_to_english(page: Page, live_server: Any) -> None:
    page.goto("/s/")

    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(HAN)
    expect(page.locator("#choice-track")).to_contain_text(HAN)

    page.locator("#portal-language button[value='en']").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(heading).to_have_text("How can we help you?")

    page.locator("#portal-language button[value='zh-hans']").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(heading).to_have_text(HAN)


def test_customer_pages_are_chinese_for_a_browser_without_a_language_preference(
    new_context: Any, live_server: Any
) -> None:
    page = new_context(extra_http_headers={"Accept-Language": ""})
    page.goto("/s/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("heading", level=1)).to_have_text(HAN)
