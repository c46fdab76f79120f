"""Two-factor sign-in in a real browser (core.two_factor): a director without an authenticator is
sent to enrolment, reads the key off the page like an authenticator app would scan it, confirms
with a code, sees the recovery codes once, and signs in again with password and code. The codes
are computed here from the key (RFC 6238), not by the server's library."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import struct
import time
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from core.roles import Role
from core.testing import make_user
from tests.browser.conftest import PASSWORD, open_menu

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def totp(secret: str, *, at: float | None = None, step: int = 30) -> str:
    """What an authenticator app shows: HMAC-SHA1 of the time step, dynamically truncated to 6 digits."""
    key = base64.b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8))
    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    number = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


def sign_in_with_password(page: Page, username: str) -> None:
    page.goto("/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#login-submit").click()


def test_a_director_enrols_then_signs_in_with_a_code(page: Page, org: Any) -> None:
    director = make_user(Role.DIRECTOR, org.hq, username="browser_director", language="en")

    sign_in_with_password(page, director.username)
    expect(page).to_have_url(re.compile(r"/me/two-factor/enrol/"))
    expect(page.locator("#two-factor-required")).to_be_visible()
    expect(page.locator("#nav-groups")).to_have_count(0)  # no console before the second factor
    qr = page.locator("#two-factor-qr")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box is not None and box["width"] > 100, box
    page.goto("/customers/")  # any other page leads back here
    expect(page).to_have_url(re.compile(r"/me/two-factor/enrol/"))

    secret = page.locator("#two-factor-secret").inner_text()
    page.locator("#id_code").fill("000000" if totp(secret) != "000000" else "111111")
    page.locator("#two-factor-confirm").click()
    expect(page.locator("#two-factor-error")).to_contain_text("That code is wrong or has expired.")
    time.sleep(1.1)  # django-otp: one wrong code, one second before the next try
    page.locator("#id_code").fill(totp(secret))
    page.locator("#two-factor-confirm").click()

    expect(page).to_have_url(re.compile(r"/me/two-factor/$"))
    codes = page.locator("#two-factor-new-codes .recovery-code")
    expect(codes).to_have_count(10)
    page.locator("#two-factor-continue").click()
    expect(page.locator("#mainnav")).to_be_attached()
    open_menu(page)
    page.locator("#nav-security").click()
    expect(page.locator("#two-factor-status")).to_contain_text("On")
    expect(page.locator("#two-factor-new-codes")).to_have_count(0)  # shown once
    open_menu(page)
    page.locator("form[action='/logout/'] button").click()
    expect(page).to_have_url(re.compile(r"/login/"))

    sign_in_with_password(page, director.username)
    expect(page).to_have_url(re.compile(r"/login/code/"))
    # The enrolment's code was spent; the app shows the next one 30 s later — the server accepts
    # one step ahead, as a phone a little fast would be.
    page.locator("#id_code").fill(totp(secret, at=time.time() + 30))
    page.locator("#two-factor-submit").click()
    expect(page.locator("#mainnav")).to_be_attached()
    expect(page).not_to_have_url(re.compile(r"/login/"))
