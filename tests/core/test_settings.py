"""Production settings refuse to start without real secrets, and pass Django's deploy check.

Each case imports the settings in a fresh interpreter: settings are read once per process, and the
environment is exactly what an operator's unit file would give.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD_KEY = secrets.token_urlsafe(64)
DEV_KEY = "dev-insecure-only-for-local-use-0123456789abcdefghijklmnop"

SETUP_AND_REPORT = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(s.DEBUG, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, "
    "s.SECURE_HSTS_SECONDS, s.SECURE_PROXY_SSL_HEADER[0], ','.join(s.ALLOWED_HOSTS), ','.join(s.CSRF_TRUSTED_ORIGINS))"
)


def run_production(tmp_path: Path, args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SECRET_KEY", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "PUBLIC_BASE_URL", "DEBUG"}
        and not key.startswith("SECURE_")
    }
    clean.update(
        DJANGO_SETTINGS_MODULE="aftersales.settings.production",
        PYTHONPATH=str(ROOT / "src"),
        VAR_DIR=str(tmp_path / "var"),
        **env,
    )
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        pytest.param({"ALLOWED_HOSTS": "service.example.com"}, "SECRET_KEY must be set", id="no-secret-key"),
        pytest.param(
            {"SECRET_KEY": DEV_KEY, "ALLOWED_HOSTS": "service.example.com"},
            "SECRET_KEY must be set",
            id="development-key",
        ),
        pytest.param(
            {"SECRET_KEY": "short-but-not-the-dev-key", "ALLOWED_HOSTS": "service.example.com"},
            "SECRET_KEY must be set",
            id="short-key",
        ),
        pytest.param({"SECRET_KEY": GOOD_KEY}, "ALLOWED_HOSTS must list", id="no-allowed-hosts"),
        pytest.param({"SECRET_KEY": GOOD_KEY, "ALLOWED_HOSTS": " , "}, "ALLOWED_HOSTS must list", id="blank-hosts"),
    ],
)
def test_production_settings_refuse_to_start_without_real_configuration(
    tmp_path: Path, env: dict[str, str], message: str
) -> None:
    result = run_production(tmp_path, ["-c", SETUP_AND_REPORT], **env)

    assert result.returncode != 0
    assert "django.core.exceptions.ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_production_settings_start_with_a_real_key_and_hosts(tmp_path: Path) -> None:
    result = run_production(
        tmp_path,
        ["-c", SETUP_AND_REPORT],
        SECRET_KEY=GOOD_KEY,
        ALLOWED_HOSTS="service.example.com,www.example.com",
        PUBLIC_BASE_URL="https://service.example.com",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "False",
        "True",
        "True",
        "True",
        "31536000",
        "HTTP_X_FORWARDED_PROTO",
        "service.example.com,www.example.com",
        "https://service.example.com",
    ]


def test_explicit_csrf_trusted_origins_win_over_the_public_address(tmp_path: Path) -> None:
    result = run_production(
        tmp_path,
        ["-c", SETUP_AND_REPORT],
        SECRET_KEY=GOOD_KEY,
        ALLOWED_HOSTS="service.example.com",
        PUBLIC_BASE_URL="https://service.example.com",
        CSRF_TRUSTED_ORIGINS="https://a.example.com,https://b.example.com",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == "https://a.example.com,https://b.example.com"


def test_production_settings_pass_the_deploy_check_without_warnings(tmp_path: Path) -> None:
    result = run_production(
        tmp_path,
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        SECRET_KEY=GOOD_KEY,
        ALLOWED_HOSTS="service.example.com",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_without_a_public_address_production_links_use_the_first_host_over_https(tmp_path: Path) -> None:
    """Messages sent by the worker have no request to take a host from (core.public_urls)."""
    report = "import django; django.setup(); from django.conf import settings as s; print(s.PUBLIC_BASE_URL)"
    result = run_production(
        tmp_path, ["-c", report], SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS="service.example.com,www.example.com"
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "https://service.example.com"


def test_production_sends_hsts_denies_framing_and_keeps_cookies_secure(tmp_path: Path) -> None:
    report = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.X_FRAME_OPTIONS, s.SESSION_COOKIE_SECURE, "
        "s.SESSION_COOKIE_HTTPONLY, s.CSRF_COOKIE_SECURE, s.LANGUAGE_COOKIE_SECURE, s.SESSION_IDLE_TIMEOUT, "
        "s.CONTENT_SECURITY_POLICY['script-src'], s.CONTENT_SECURITY_POLICY['frame-ancestors'], "
        "'core.middleware.SecurityHeadersMiddleware' in s.MIDDLEWARE)"
    )
    result = run_production(tmp_path, ["-c", report], SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS="service.example.com")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "31536000",
        "True",
        "DENY",
        "True",
        "True",
        "True",
        "True",
        "1800",
        "[\"'self'\"]",
        "[\"'none'\"]",
        "True",
    ]
