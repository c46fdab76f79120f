"""The pages really load Bootstrap, bootstrap-icons and htmx from the static files."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_login_page_loads_bootstrap_css_js_icons_and_htmx(page: Page, live_server: Any) -> None:
    static_responses: dict[str, int] = {}
    page.on("response", lambda r: static_responses.__setitem__(r.url, r.status) if "/static/" in r.url else None)

    page.goto("/login/")
    expect(page.locator("#login-submit")).to_be_visible()
    page.wait_for_function("() => window.htmx !== undefined && window.bootstrap !== undefined")

    loaded = {url.split("/static/", 1)[1]: status for url, status in static_responses.items()}
    assert loaded["vendor/bootstrap/css/bootstrap.min.css"] == 200
    assert loaded["vendor/bootstrap-icons/bootstrap-icons.min.css"] == 200
    assert loaded["vendor/htmx/htmx.min.js"] == 200
    assert loaded["vendor/bootstrap/js/bootstrap.bundle.min.js"] == 200
    # Bootstrap's stylesheet is applied: .btn-primary is Bootstrap blue, .w-100 fills its column.
    assert page.locator("#login-submit").evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(13, 110, 253)"
    assert page.evaluate("() => typeof htmx.ajax") == "function"
