"""Security headers, session expiry and password rules (issue 10, point 6; OWASP ASVS 4.0.3 level 2).

Every page type — the URL resolver's named patterns with the demo data of ``test_every_page`` —
answers with the Content-Security-Policy (scripts from this site only, no framing), the frame
denial, nosniff and the referrer policy, whatever its status (a page, a redirect to sign in, a
403, a 404). No template carries an inline script or an ``on*=`` attribute, which the policy would
block; a signed-in session ends after the idle timeout and after the maximum age.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from core.middleware import content_security_policy

SRC = Path(settings.BASE_DIR) / "src"
TEMPLATES = sorted(path for path in SRC.glob("**/templates/**/*.html"))

#: What every response carries (the CSP's own value is read from settings: one place says it).
EXPECTED = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def assert_security_headers(response: Any, where: str) -> list[str]:
    problems = [
        f"{where}: {name} is {response.get(name)!r}, not {value!r}"
        for name, value in EXPECTED.items()
        if response.get(name) != value
    ]
    policy = response.get("Content-Security-Policy", "")
    if policy != content_security_policy(settings.CONTENT_SECURITY_POLICY):
        problems.append(f"{where}: Content-Security-Policy is {policy!r}")
    return problems


def test_the_policy_allows_scripts_from_this_site_only_and_denies_framing() -> None:
    policy = content_security_policy(settings.CONTENT_SECURITY_POLICY)

    assert "script-src 'self';" in policy
    assert "unsafe-inline" not in settings.CONTENT_SECURITY_POLICY["script-src"]
    assert "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy
    assert "object-src 'none'" in policy
    assert "style-src-elem 'self';" in policy  # <style> elements refused; style attributes allowed


@pytest.mark.parametrize(
    "path", ["/login/", "/api/v1/openapi.json", "/healthz", "/no-such-page/", "/admin/login/"], ids=str
)
def test_other_responses_send_them_too(db: Any, path: str) -> None:
    response = Client().get(path)

    assert not assert_security_headers(response, path)


def test_hsts_is_sent_over_https_in_production(db: Any, settings: Any) -> None:
    """Production settings (tests/core/test_settings.py checks their values) send HSTS over HTTPS."""
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True

    response = Client().get("/login/", secure=True)

    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


# --- templates -------------------------------------------------------------------------------

#: A <script> element without src= (data blocks of type application/json are not run: allowed).
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*\btype=[\"']application/(?:ld\+)?json[\"'])[^>]*>", re.I)
#: An event-handler attribute (onclick=…) or htmx's hx-on (both are code in the page).
HANDLER_ATTRIBUTE = re.compile(r"<[a-z][^>]*?\s(on[a-z]+|hx-on[:\-][\w:\-]*)\s*=", re.I | re.S)
#: A <style> element (refused by style-src-elem 'self'; style sheets are files).
STYLE_ELEMENT = re.compile(r"<style\b", re.I)
JAVASCRIPT_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']\s*javascript:""", re.I)


def test_templates_are_found() -> None:
    assert len(TEMPLATES) > 100
    assert SRC / "templates" / "base.html" in TEMPLATES


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda path: str(path.relative_to(SRC)))
def test_no_template_has_inline_script_or_handler_attributes(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    found = [
        *(f"inline <script>: {m.group(0)}" for m in INLINE_SCRIPT.finditer(text)),
        *(f"handler attribute {m.group(1)}=" for m in HANDLER_ATTRIBUTE.finditer(text)),
        *(f"<style> element at offset {m.start()}" for m in STYLE_ELEMENT.finditer(text)),
        *(f"javascript: URL at offset {m.start()}" for m in JAVASCRIPT_URL.finditer(text)),
    ]
    assert not found, f"{path.relative_to(SRC)}: move it into a static file — " + "; ".join(found)


@pytest.mark.parametrize(
    "snippet",
    [
        "<script>alert(1)</script>",
        '<button onclick="x()">',
        "<select name=a\n   onchange='go()'>",
        '<div hx-on:click="x()">',
        "<style>p{}</style>",
    ],
)
def test_the_template_check_finds_what_it_looks_for(snippet: str) -> None:
    assert any(p.search(snippet) for p in (INLINE_SCRIPT, HANDLER_ATTRIBUTE, STYLE_ELEMENT))


@pytest.mark.parametrize(
    "snippet",
    [
        '<script src="/static/js/app.js" defer></script>',
        '<script type="application/json" id="x">{}</script>',
        '<input data-online="1" name="conversion">',
    ],
)
def test_the_template_check_lets_files_and_data_pass(snippet: str) -> None:
    assert not any(p.search(snippet) for p in (INLINE_SCRIPT, HANDLER_ATTRIBUTE, STYLE_ELEMENT))


# --- sessions and passwords -------------------------------------------------------------------


def test_a_signed_in_session_ends_after_the_idle_timeout(agent: Any) -> None:
    client = Client()
    with time_machine.travel("2026-06-01 09:00 +0800", tick=False) as clock:
        client.force_login(agent)
        assert client.get("/work-orders/").status_code == 200
        clock.shift(timedelta(seconds=settings.SESSION_IDLE_TIMEOUT - 60))
        assert client.get("/work-orders/").status_code == 200  # active: the idle clock restarts
        clock.shift(timedelta(seconds=settings.SESSION_IDLE_TIMEOUT - 60))
        assert client.get("/work-orders/").status_code == 200
        clock.shift(timedelta(seconds=settings.SESSION_IDLE_TIMEOUT + 1))

        response = client.get("/work-orders/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_active_session_still_ends_after_the_maximum_age(agent: Any) -> None:
    client = Client()
    step = timedelta(seconds=settings.SESSION_IDLE_TIMEOUT // 2)
    with time_machine.travel("2026-06-01 09:00 +0800", tick=False) as clock:
        client.force_login(agent)
        client.get("/work-orders/")
        elapsed = timedelta()
        while elapsed + step < timedelta(seconds=settings.SESSION_MAX_AGE):
            clock.shift(step)
            elapsed += step
            assert client.get("/work-orders/").status_code == 200
        clock.shift(timedelta(seconds=settings.SESSION_MAX_AGE + 1) - elapsed)  # still within the idle time

        response = client.get("/work-orders/")

    assert response.status_code == 302


def test_the_session_cookie_lapses_with_the_idle_timeout(agent: Any) -> None:
    client = Client()
    client.force_login(agent)

    client.get("/work-orders/")

    assert client.session.get_expiry_age() == settings.SESSION_IDLE_TIMEOUT
    assert settings.SESSION_COOKIE_HTTPONLY


def test_a_customer_portal_session_is_not_cut_by_the_staff_idle_timeout(db: Any) -> None:
    client = Client()
    with time_machine.travel("2026-06-01 09:00 +0800", tick=False) as clock:
        client.get("/s/track/")
        session = client.session
        session["portal_tracked_orders"] = [1]
        session.save()
        clock.shift(timedelta(seconds=settings.SESSION_IDLE_TIMEOUT + 60))
        client.get("/s/track/")

        assert client.session.get("portal_tracked_orders") == [1]


@pytest.mark.parametrize(
    ("password", "refused"),
    [
        ("Kx9#mPq2", True),  # 8 characters: too short (ASVS 2.1.1: at least 12)
        ("482915730264", True),  # digits only
        ("password1234", True),  # a common password
        ("灯塔 海风 咖啡 2026", False),  # a passphrase: no composition rules (ASVS 2.1.9)
        ("correct horse battery", False),
    ],
)
def test_password_rules(agent: Any, password: str, refused: bool) -> None:
    if refused:
        with pytest.raises(ValidationError):
            validate_password(password, user=agent)
    else:
        validate_password(password, user=agent)
