"""The Content-Security-Policy in a real browser (issue 10, point 6): the main pages — the console
home, the work-order list, an order page, the intake form, the dispatch board, the technician's
phone pages and the customer portal — open with their scripts (htmx, Bootstrap, the app's files)
and chromium reports no violation of the policy on its console. The check itself is checked: an
inline script added to a page is refused and reported."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from .test_technician_day import todays_job

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

CSP = "Content Security Policy"


def watch_console(page: Page) -> list[str]:
    """Every console message about the policy (chromium: "Refused to … because it violates the
    following Content Security Policy directive …")."""
    violations: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if CSP in message.text:
            violations.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    return violations


def open_page(page: Page, path: str) -> None:
    response = page.goto(path)
    assert response is not None and response.status == 200, f"{path}: {response and response.status}"
    assert "script-src 'self'" in (response.header_value("content-security-policy") or ""), path
    page.wait_for_load_state("networkidle")


@pytest.fixture
def order(agent: Any, dispatcher: Any, technician: Any, customer_a: Any, device_a: Any) -> Any:
    return todays_job(agent, dispatcher, technician, customer_a, device_a)


def test_the_console_pages_run_without_a_policy_violation(page: Page, login: Any, director: Any, order: Any) -> None:
    violations = watch_console(page)
    login(page, director)

    for path in ["/", "/work-orders/", f"/work-orders/{order.pk}/", "/work-orders/register/", "/customers/", "/audit/"]:
        open_page(page, path)
    # htmx works (no eval, no style element of its own): the intake's customer search swaps results in.
    open_page(page, "/work-orders/register/")
    page.locator("#id_customer_search").fill(order.customer.phone[:7])
    expect(page.locator("#customer-result-list")).to_be_visible()
    page.locator("#id_customer_search").press("Enter")  # data-no-enter-submit (app.js): stays on the form
    expect(page).to_have_url(re.compile(r"/work-orders/register/$"))

    assert not violations, "\n".join(violations)


def test_the_dispatch_board_runs_without_a_policy_violation(
    page: Page, login: Any, dispatcher: Any, order: Any
) -> None:
    violations = watch_console(page)
    login(page, dispatcher)

    open_page(page, "/dispatch/")
    expect(page.locator("#board-table")).to_be_visible()

    assert not violations, "\n".join(violations)


def test_the_technicians_phone_pages_run_without_a_policy_violation(
    new_context: Any, login: Any, technician: Any, order: Any
) -> None:
    page = new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    violations = watch_console(page)
    login(page, technician)

    open_page(page, "/field/")
    open_page(page, f"/field/jobs/{order.pk}/")

    assert not violations, "\n".join(violations)


def test_the_customer_portal_runs_without_a_policy_violation(page: Page, db: Any) -> None:
    violations = watch_console(page)

    for path in ["/s/", "/s/request/", "/s/track/", "/s/terms/"]:
        open_page(page, path)

    assert not violations, "\n".join(violations)


def test_an_inline_script_is_refused_and_reported(page: Page, db: Any) -> None:
    """The listener above would see a violation: chromium refuses an inline script and says so."""
    violations = watch_console(page)
    open_page(page, "/s/")

    page.evaluate(
        "() => { const s = document.createElement('script'); s.textContent = 'window.inlineRan = true';"
        " document.body.appendChild(s); }"
    )
    page.wait_for_timeout(200)

    assert page.evaluate("() => window.inlineRan === undefined")
    assert violations and "script-src" in violations[0]
