"""Real-browser fixtures: Debian's chromium driven by Playwright against pytest-django's live server.

One browser for all browser tests of a run, a fresh context (cookies, storage) per test. The live server runs in
a thread on the file-based SQLite test database, so every browser test is transactional (the data
the test creates is committed and visible to the server thread, and flushed afterwards).

Playwright's sync API keeps an asyncio loop running in the main thread for as long as the browser
lives; Django would then refuse the test's own ORM calls as "called from an async context".
``DJANGO_ALLOW_ASYNC_UNSAFE`` lifts that check from the moment the browser starts until it stops
(the ORM is still used from one thread at a time here, which is what the check protects); the
browser stops right after the last browser test, so the rest of the run keeps the check.
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
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"
PASSWORD = "demo-pass-2026"  # core.testing.make_user's default
TIMEOUT_MS = 15_000
STATIC_TYPES = {"stylesheet", "script", "font", "image"}

expect.set_options(timeout=TIMEOUT_MS)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Generator[None]:
    """Keep each phase's report on the test item so fixtures can tell a failed test on teardown."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


class SharedBrowser:
    """One chromium for the run, started by the first browser test and stopped after the last one.

    While Playwright runs, its event loop is the main thread's running loop: Django's "async
    context" check must be lifted, and any other test in the same process would run beside a
    running loop. So the browser stops as soon as the next test does not need it (browser tests
    run back to back: one xdist group, and pytest-django runs transactional tests together), and
    starts again should another browser test come later.
    """

    def __init__(self) -> None:
        self.manager: Playwright | None = None
        self.browser: Browser | None = None
        self.saved_env: str | None = None

    def get(self) -> Browser:
        if self.browser is None:
            if not os.path.exists(CHROMIUM):
                pytest.fail(
                    f"{CHROMIUM} is missing: install Debian's chromium (`./dev` does it as root, or "
                    "`apt-get install chromium fonts-noto-cjk`). Never `playwright install`."
                )
            self.saved_env = os.environ.get(ASYNC_UNSAFE)
            os.environ[ASYNC_UNSAFE] = "true"
            self.manager = sync_playwright().start()
            try:
                self.browser = self.manager.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            except Exception:
                self.stop()
                raise
        return self.browser

    def stop(self) -> None:
        if self.manager is None:
            return
        try:
            if self.browser is not None:
                self.browser.close()
        finally:
            self.manager.stop()
            self.manager = self.browser = None
            if self.saved_env is None:
                os.environ.pop(ASYNC_UNSAFE, None)
            else:
                os.environ[ASYNC_UNSAFE] = self.saved_env


SHARED = SharedBrowser()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None]:
    yield  # the test's fixtures (pages, the database flush) are torn down first
    if nextitem is None or "browser" not in getattr(nextitem, "fixturenames", ()):
        SHARED.stop()


def pytest_sessionfinish(session: pytest.Session) -> None:
    SHARED.stop()


@pytest.fixture
def browser() -> Browser:
    return SHARED.get()


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
        """A role that requires two-factor sign-in (admin, director, finance) has its
        authenticator already and types the code the app would show (core.two_factor)."""
        from core.testing import give_authenticator, totp_code
        from core.two_factor import has_second_factor, two_factor_required

        device = give_authenticator(user) if two_factor_required(user) or has_second_factor(user) else None
        page.goto("/login/")
        page.locator("#id_username").fill(user.username)
        page.locator("#id_password").fill(PASSWORD)
        page.locator("#login-submit").click()
        if device is not None:
            expect(page).to_have_url(re.compile(r"/login/code/"))
            page.locator("#id_code").fill(totp_code(device))
            page.locator("#two-factor-submit").click()
        expect(page.locator("#mainnav")).to_be_attached()
        expect(page).not_to_have_url(re.compile(r"/login/"))

    return do_login


def open_menu(page: Page) -> None:
    """Unfold the header's menu (collapsed behind the toggler at every width, base.html)."""
    menu = page.locator("#mainnav")
    if not menu.is_visible():
        page.locator("#nav-toggler").click()
    expect(menu).to_be_visible()
    expect(menu).not_to_have_class(re.compile(r"\bcollapsing\b"))


@pytest.fixture
def nav_to() -> Callable[[Page, str], None]:
    """Follow a menu entry the way a user does: the toggler, the entry's area, the entry
    (``selector``: e.g. ``"#nav-register"`` or ``"a[href='/work-orders/']"``)."""

    def follow(page: Page, selector: str) -> None:
        open_menu(page)
        entry = page.locator(f"#nav-groups {selector}")
        area = page.locator("#nav-groups li.nav-group").filter(has=page.locator(selector))
        area.locator("a.dropdown-toggle").first.click()
        entry.click()

    return follow
