"""Real-browser fixtures: Debian's chromium driven by Playwright against pytest-django's live server.

One browser per test session, a fresh context (cookies, storage) per test. The live server runs in
a thread on the file-based SQLite test database, so every browser test is transactional (the data
the test creates is committed and visible to the server thread, and flushed afterwards).

Playwright's sync API keeps an asyncio loop running in the main thread for as long as the browser
lives; Django would then refuse the test's own ORM calls as "called from an async context".
``DJANGO_ALLOW_ASYNC_UNSAFE`` lifts that check from the moment the browser starts until it stops
(the ORM is still used from one thread at a time here, which is what the check protects).
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "demo-pass-2026"  # core.testing.make_user's default
TIMEOUT_MS = 15_000
STATIC_TYPES = {"stylesheet", "script", "font", "image"}

expect.set_options(timeout=TIMEOUT_MS)


def pytest_configure(config: pytest.Config) -> None:
    # Known even when xdist is switched off (-p no:xdist), so the group marker never warns.
    config.addinivalue_line("markers", "xdist_group(name): run every test of the group in one xdist worker")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Generator[None]:
    """Keep each phase's report on the test item so fixtures can tell a failed test on teardown."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture(scope="session")
def playwright_session() -> Generator[Playwright]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium (`./dev` does it as root, or "
            "`apt-get install chromium fonts-noto-cjk`). Never `playwright install`."
        )
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    manager = sync_playwright().start()
    try:
        yield manager
    finally:
        manager.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser(playwright_session: Playwright) -> Generator[Browser]:
    browser = playwright_session.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    try:
        yield browser
    finally:
        browser.close()


class PageProblems:
    """What went wrong in the page besides the test's own assertions: JS errors, broken assets, 5xx."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def watch(self, page: Page) -> None:
        page.on("pageerror", lambda error: self.items.append(f"JavaScript error on {page.url}: {error}"))
        page.on("response", self._response)
        page.on("requestfailed", self._failed)

    def _response(self, response: Any) -> None:
        if response.status >= 500 or (response.status >= 400 and response.request.resource_type in STATIC_TYPES):
            self.items.append(f"HTTP {response.status} for {response.request.resource_type} {response.url}")

    def _failed(self, request: Any) -> None:
        # A navigation that replaces the page aborts the old page's pending requests: not a fault
        # (a 404 also shows up as "aborted", and is reported by its response already).
        if request.resource_type in STATIC_TYPES and "ERR_ABORTED" not in str(request.failure):
            self.items.append(f"request failed: {request.resource_type} {request.url} ({request.failure})")


@pytest.fixture
def new_context(browser: Browser, live_server: Any, request: pytest.FixtureRequest) -> Generator[Any]:
    """Open more contexts in one test (another phone, a phone-sized screen); all are closed and
    checked for JavaScript errors and broken static files at the end of the test."""
    contexts: list[tuple[BrowserContext, PageProblems]] = []

    def open_context(**options: Any) -> Page:
        options.setdefault("locale", "zh-CN")  # a customer's phone in China; staff pages follow the profile
        options.setdefault("timezone_id", "Asia/Shanghai")
        context = browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(TIMEOUT_MS)
        problems = PageProblems()
        context.on("page", problems.watch)
        contexts.append((context, problems))
        return context.new_page()

    yield open_context

    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    problems_found: list[str] = []
    for index, (context, problems) in enumerate(contexts):
        if failed:
            _screenshot(context, request.node.name, index)
        problems_found.extend(problems.items)
        context.close()
    if problems_found and not failed:
        pytest.fail("The browser reported problems:\n" + "\n".join(problems_found))


def _screenshot(context: BrowserContext, test_name: str, index: int) -> None:
    folder = Path(settings.VAR_DIR) / "browser-failures"
    folder.mkdir(parents=True, exist_ok=True)
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", test_name)
    for number, page in enumerate(context.pages):
        with contextlib.suppress(Exception):  # a debugging aid, never a second failure
            page.screenshot(path=str(folder / f"{safe}-{index}-{number}.png"), full_page=True)


@pytest.fixture
def page(new_context: Callable[..., Page]) -> Page:
    """A fresh desktop browser page (own cookies) pointed at the live server."""
    return new_context(viewport={"width": 1280, "height": 900})


@pytest.fixture
def login() -> Callable[[Page, Any], None]:
    """Log a staff user in through the real login form."""

    def do_login(page: Page, user: Any) -> None:
        page.goto("/login/")
        page.locator("#id_username").fill(user.username)
        page.locator("#id_password").fill(PASSWORD)
        page.locator("#login-submit").click()
        expect(page.locator("#mainnav")).to_be_attached()
        expect(page).not_to_have_url(re.compile(r"/login/"))

    return do_login
