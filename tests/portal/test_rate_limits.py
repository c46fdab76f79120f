"""The customer's public pages cannot be enumerated (issue 10, point 6): tracking is limited per
session, per address and per order number; survey and label links are unguessable (≥ 128 bits)
and limited per address, per survey and on failures; a refusal is a 429 page in the customer's
language with ``Retry-After``. Counts live in the cache (locmem here, Redis in production)."""

from __future__ import annotations

import base64
import secrets
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from devices.models import Device, new_qr_token
from portal import throttle
from workorders.models import WorkOrder

from .test_views import REQUEST, _filed_order, _track

pytestmark = pytest.mark.django_db


def browser(address: str, language: str = "en") -> Client:
    """Another customer's browser: its own session and client address."""
    return Client(HTTP_ACCEPT_LANGUAGE=language, REMOTE_ADDR=address)


@pytest.fixture
def order(org: Any) -> WorkOrder:
    return _filed_order(browser("10.0.0.1"))


def test_one_order_number_is_locked_after_ten_wrong_phones_from_ten_addresses(order: WorkOrder) -> None:
    """Changing the session and the address does not give a guesser more tries at one order."""
    for n in range(throttle.ORDER_LIMIT):
        assert _track(browser(f"10.1.0.{n}"), order.number, f"1390000{n:04d}").status_code == 200

    refused = _track(browser("10.2.0.1"), order.number, REQUEST["phone"])  # the right pair, a fresh browser

    assert refused.status_code == 429
    assert refused["Retry-After"] == str(throttle.LOCKOUT_SECONDS)
    assert "Too many unsuccessful attempts" in refused.content.decode()


def test_another_order_is_not_locked_by_guesses_at_the_first(order: WorkOrder) -> None:
    other = _filed_order(browser("10.0.0.2"), phone="13812345678", description="另一台设备不能开机，屏幕不亮")
    for n in range(throttle.ORDER_LIMIT):
        _track(browser(f"10.1.0.{n}"), order.number, f"1390000{n:04d}")

    assert _track(browser("10.2.0.1"), other.number, "13812345678").status_code == 302


def test_one_address_is_locked_after_its_limit_of_failures_across_sessions(order: WorkOrder, settings: Any) -> None:
    settings.PORTAL_TRACK_IP_LIMIT = 5
    for n in range(5):
        _track(browser("10.3.0.1"), f"WO-20000101-{n:04d}", REQUEST["phone"])  # a new session each time

    assert _track(browser("10.3.0.1"), order.number, REQUEST["phone"]).status_code == 429
    assert _track(browser("10.3.0.2"), order.number, REQUEST["phone"]).status_code == 302


def test_the_refusal_page_is_in_the_customers_language(order: WorkOrder) -> None:
    for n in range(throttle.ORDER_LIMIT):
        _track(browser(f"10.1.0.{n}"), order.number, f"1390000{n:04d}")

    chinese = _track(browser("10.2.0.1", "zh-hans"), order.number, REQUEST["phone"])
    english = _track(browser("10.2.0.2", "en"), order.number, REQUEST["phone"])

    assert chinese.status_code == english.status_code == 429
    assert chinese["Content-Language"] == "zh-hans" and '<html lang="zh-hans">' in chinese.content.decode()
    assert english["Content-Language"] == "en"
    assert "You can try again in 15 minutes." in english.content.decode()


# --- survey links -------------------------------------------------------------------------------


@pytest.fixture
def survey_token(order: WorkOrder) -> str:
    from followup.models import Survey

    survey = Survey.objects.create(
        order=order, unit=order.unit, token=secrets.token_urlsafe(32), expires_at=order.submitted_at.replace(year=2100)
    )
    return survey.token


def test_guessed_survey_tokens_lock_the_session_then_even_a_real_link_is_refused(survey_token: str) -> None:
    client = browser("10.4.0.1")
    for n in range(throttle.SESSION_LIMIT):
        assert client.get(f"/aftercare/survey/guess-{n}/").status_code == 404

    refused = client.get(f"/aftercare/survey/{survey_token}/")

    assert refused.status_code == 429
    assert 'id="rate-limited"' in refused.content.decode()
    assert browser("10.4.0.2").get(f"/aftercare/survey/{survey_token}/").status_code == 200


def test_one_address_has_a_budget_of_requests_to_token_pages(survey_token: str, settings: Any) -> None:
    settings.PORTAL_REQUEST_IP_LIMIT = 5
    for _ in range(5):
        assert browser("10.5.0.1").get(f"/aftercare/survey/{survey_token}/").status_code == 200

    assert browser("10.5.0.1").get(f"/aftercare/survey/{survey_token}/").status_code == 429
    assert browser("10.5.0.2").get(f"/aftercare/survey/{survey_token}/").status_code == 200


def test_one_survey_takes_a_limited_number_of_answers(survey_token: str) -> None:
    url = f"/aftercare/survey/{survey_token}/"
    answers = [
        browser(f"10.6.0.{n}").post(url, {"satisfaction": "satisfied", "score": "5"}).status_code
        for n in range(throttle.SURVEY_ANSWER_LIMIT + 1)
    ]

    assert set(answers[: throttle.SURVEY_ANSWER_LIMIT]) == {200}
    assert answers[-1] == 429


# --- device labels -------------------------------------------------------------------------------


def test_guessed_label_tokens_are_refused_after_the_session_limit(device_a: Device) -> None:
    client = browser("10.7.0.1")
    for n in range(throttle.SESSION_LIMIT):
        assert client.get(reverse("portal:device_request", args=[f"guess{n}"])).status_code == 404

    assert client.get(reverse("portal:device_request", args=[device_a.qr_token])).status_code == 429
    assert browser("10.7.0.2").get(reverse("portal:device_request", args=[device_a.qr_token])).status_code == 200


# --- tokens ---------------------------------------------------------------------------------------


def _bits(token: str) -> int:
    return len(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))) * 8


def test_label_tokens_carry_at_least_128_random_bits(device_a: Device) -> None:
    tokens = {new_qr_token() for _ in range(1000)}

    assert len(tokens) == 1000
    assert min(_bits(token) for token in tokens) >= 128
    assert _bits(device_a.qr_token) >= 128
    assert max(len(token) for token in tokens) <= Device._meta.get_field("qr_token").max_length


def test_survey_tokens_are_made_by_the_secrets_module_with_256_bits() -> None:
    """followup.surveys issues ``secrets.token_urlsafe(32)`` (read from the source: one place)."""
    import inspect

    from followup import surveys

    source = inspect.getsource(surveys)

    assert "secrets.token_urlsafe(32)" in source
    assert "random." not in source
