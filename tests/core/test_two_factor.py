"""Staff two-factor sign-in (core.two_factor): who must use it, the password → code flow, recovery
codes, enrolment, turning it off, throttling, the change log, and what the API makes of it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core import two_factor as tf
from core.choices import Role
from core.models import ChangeLogEntry
from core.testing import give_authenticator, make_user, totp_code
from tests.conftest import speak_english

PASSWORD = "demo-pass-2026"

pytestmark = pytest.mark.django_db


def password_step(client: Client, user: Any, next_url: str = "") -> Any:
    data = {"username": user.username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("login"), data)


# --- policy ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("roles", "required"),
    [
        pytest.param({Role.ADMIN}, True, id="admin"),
        pytest.param({Role.DIRECTOR}, True, id="director"),
        pytest.param({Role.FINANCE}, True, id="finance"),
        pytest.param({Role.AGENT}, False, id="agent"),
        pytest.param({Role.DISPATCHER}, False, id="dispatcher"),
        pytest.param({Role.TECHNICIAN}, False, id="technician"),
        pytest.param({Role.QC_INSPECTOR}, False, id="qc"),
        pytest.param({Role.PARTS_CLERK}, False, id="parts-clerk"),
        pytest.param({Role.STATION}, False, id="station"),
        pytest.param({Role.AGENT, Role.FINANCE}, True, id="agent-and-finance"),
        pytest.param(set(), False, id="no-role"),
    ],
)
def test_which_roles_require_a_second_factor(roles: set[str], required: bool) -> None:
    assert tf.two_factor_required_for_roles(roles) is required


def test_the_required_roles_come_from_the_settings(settings: Any) -> None:
    settings.TWO_FACTOR_REQUIRED_ROLES = ["agent"]
    assert tf.two_factor_required_for_roles({Role.AGENT})
    assert not tf.two_factor_required_for_roles({Role.ADMIN})


def test_a_superuser_counts_as_an_admin(org: Any) -> None:
    from django.contrib.auth import get_user_model

    root = get_user_model().objects.create_superuser("root", "root@example.invalid", PASSWORD)
    assert tf.two_factor_required(root)


@pytest.mark.parametrize(
    ("has_device", "required", "step"),
    [
        (True, True, tf.Step.CODE),
        (True, False, tf.Step.CODE),
        (False, True, tf.Step.ENROL),
        (False, False, tf.Step.NONE),
    ],
)
def test_the_step_after_the_password(has_device: bool, required: bool, step: tf.Step) -> None:
    assert tf.sign_in_step(has_device=has_device, required=required) == step


# --- password → code ------------------------------------------------------------------------


def test_password_then_code_signs_a_director_in(client: Client, director: Any) -> None:
    device = give_authenticator(director)

    answer = password_step(client, director, next_url="/customers/")
    assert answer.status_code == 302 and answer.url == reverse("two_factor_code")
    # Password alone opens nothing: every page leads back to the code.
    blocked = client.get("/customers/")
    assert blocked.status_code == 302 and blocked.url.startswith(reverse("two_factor_code"))
    assert client.get("/api/v1/auth/me").status_code == 401

    answer = client.post(reverse("two_factor_code"), {"code": totp_code(device)})
    assert answer.status_code == 302 and answer.url == "/customers/"
    assert client.get("/customers/").status_code == 200
    assert client.get("/api/v1/auth/me").status_code == 200


def test_a_wrong_code_is_refused_with_a_clear_error(client: Client, director: Any) -> None:
    speak_english(director)
    give_authenticator(director)
    password_step(client, director)

    answer = client.post(reverse("two_factor_code"), {"code": "000000"})

    assert answer.status_code == 200
    assert "That code is wrong or has expired." in answer.content.decode()
    assert 'id="two-factor-error"' in answer.content.decode()
    assert client.get("/customers/").status_code == 302


def test_wrong_codes_are_throttled_then_the_right_code_works_after_the_wait(client: Client, director: Any) -> None:
    """django-otp's throttle: after n wrong codes in a row the next try waits 2^(n-1) s."""
    speak_english(director)
    device = give_authenticator(director)
    password_step(client, director)
    start = timezone.now()

    def attempt(after_seconds: float, code: str) -> Any:
        with time_machine.travel(start + timedelta(seconds=after_seconds), tick=False):
            return client.post(reverse("two_factor_code"), {"code": code or totp_code(device)})

    assert attempt(0, "000000").status_code == 200
    assert attempt(1.5, "000000").status_code == 200
    assert attempt(3.6, "000000").status_code == 200
    # Three failures: a try within 4 s of the last is refused, even with the right code.
    answer = attempt(4.6, "")
    assert answer.status_code == 429
    assert "Too many wrong codes. Wait 3 seconds and try again." in answer.content.decode()
    assert attempt(7.7, "").status_code == 302


def test_a_code_is_accepted_only_once(director: Any) -> None:
    device = give_authenticator(director)
    code = totp_code(device)
    first, second = Client(), Client()
    password_step(first, director)
    password_step(second, director)

    assert first.post(reverse("two_factor_code"), {"code": code}).status_code == 302
    assert second.post(reverse("two_factor_code"), {"code": code}).status_code == 200


def test_a_recovery_code_works_once(client: Client, agent: Any) -> None:
    """An optional role that turned two-factor on is asked for the code too."""
    speak_english(agent)
    give_authenticator(agent)
    device = StaticDevice.objects.create(user=agent, name="recovery codes")
    StaticToken.objects.create(device=device, token="abcd2345")
    StaticToken.objects.create(device=device, token="efgh6723")

    password_step(client, agent)
    answer = client.post(reverse("two_factor_code"), {"code": "ABCD 2345"})
    assert answer.status_code == 302
    assert "You signed in with a recovery code. Codes left: 1." in client.get("/customers/").content.decode()
    assert tf.recovery_codes_left(agent) == 1

    again = Client()
    password_step(again, agent)
    answer = again.post(reverse("two_factor_code"), {"code": "abcd2345"})
    assert answer.status_code == 200
    assert "That code is wrong or has expired." in answer.content.decode()
    assert tf.recovery_codes_left(agent) == 1


def test_a_user_without_a_device_of_an_optional_role_signs_in_with_the_password(client: Client, agent: Any) -> None:
    answer = password_step(client, agent, next_url="/customers/")
    assert answer.status_code == 302 and answer.url == "/customers/"
    assert client.get("/customers/").status_code == 200


# --- a required role without a device --------------------------------------------------------


@pytest.mark.parametrize("role", [Role.ADMIN, Role.DIRECTOR, Role.FINANCE])
def test_a_required_role_without_a_device_is_sent_to_enrolment(client: Client, org: Any, role: str) -> None:
    user = make_user(role, org.hq, username=f"new_{role}")

    answer = password_step(client, user)
    assert answer.status_code == 302 and answer.url == reverse("core:two_factor_enrol")
    for page in ("/", "/customers/", reverse("core:two_factor"), "/admin/"):
        blocked = client.get(page)
        assert blocked.status_code == 302, page
        assert blocked.url.startswith(reverse("core:two_factor_enrol")), page
    assert client.get("/api/v1/auth/me").status_code == 401
    enrol = client.get(reverse("core:two_factor_enrol"))
    assert enrol.status_code == 200
    assert 'id="two-factor-qr"' in enrol.content.decode() and "<svg" in enrol.content.decode()
    assert 'id="nav-groups"' not in enrol.content.decode()  # no menu before the second factor


def test_enrolment_confirms_the_device_shows_recovery_codes_once_and_opens_the_console(
    client: Client, org: Any
) -> None:
    finance = speak_english(make_user(Role.FINANCE, org.hq, username="new_finance"))
    password_step(client, finance, next_url="/customers/")
    client.get(reverse("core:two_factor_enrol"))
    pending = TOTPDevice.objects.get(user=finance, confirmed=False)

    wrong = client.post(reverse("core:two_factor_enrol"), {"code": "123456"})
    assert wrong.status_code == 200 and "That code is wrong or has expired." in wrong.content.decode()
    with time_machine.travel(timezone.now() + timedelta(seconds=2), tick=True):
        answer = client.post(reverse("core:two_factor_enrol"), {"code": totp_code(pending)})
        assert answer.status_code == 302 and answer.url == reverse("core:two_factor")

        page = client.get(reverse("core:two_factor")).content.decode()
        codes = list(StaticToken.objects.filter(device__user=finance).values_list("token", flat=True))
        assert len(codes) == tf.RECOVERY_CODE_COUNT
        assert all(code in page for code in codes)
        assert 'href="/customers/" id="two-factor-continue"' in page
        again = client.get(reverse("core:two_factor")).content.decode()
        assert not any(code in again for code in codes)  # shown once
        assert "10 recovery codes left." in again
        assert client.get("/customers/").status_code == 200

    pending.refresh_from_db()
    assert pending.confirmed
    entry = ChangeLogEntry.objects.get(content_type__model="totpdevice", object_id=str(pending.pk), action="create")
    assert entry.user == finance and entry.after == {"user": finance.pk, "name": "authenticator", "confirmed": True}
    assert pending.key not in str(entry.after)


def test_recovery_codes_can_be_made_again_and_the_old_ones_stop_working(director: Any, client_as: Any) -> None:
    client = client_as(director)  # signed in with the code (tests/conftest.py)
    client.post(reverse("core:two_factor_recovery_codes"))
    old = set(StaticToken.objects.filter(device__user=director).values_list("token", flat=True))
    client.get(reverse("core:two_factor"))

    answer = client.post(reverse("core:two_factor_recovery_codes"))
    assert answer.status_code == 302
    new = set(StaticToken.objects.filter(device__user=director).values_list("token", flat=True))
    assert len(new) == tf.RECOVERY_CODE_COUNT and not (old & new)
    page = client.get(reverse("core:two_factor")).content.decode()
    assert all(code in page for code in new)
    assert ChangeLogEntry.objects.filter(content_type__model="staticdevice", action="update", user=director).exists()


# --- turning it off --------------------------------------------------------------------------


def test_an_optional_role_can_turn_it_off_with_a_current_code(agent: Any, client_as: Any) -> None:
    device = give_authenticator(agent)
    client = client_as(agent)

    answer = client.post(reverse("core:two_factor_disable"), {"code": totp_code(device)})

    assert answer.status_code == 302
    assert not tf.has_second_factor(agent)
    assert ChangeLogEntry.objects.filter(
        content_type__model="totpdevice", object_id=str(device.pk), action="delete", user=agent
    ).exists()
    fresh = Client()
    assert password_step(fresh, agent).url != reverse("two_factor_code")


def test_a_required_role_cannot_turn_it_off(director: Any, client_as: Any) -> None:
    speak_english(director)
    client = client_as(director)
    device = give_authenticator(director)

    client.post(reverse("core:two_factor_disable"), {"code": totp_code(device)})

    assert tf.has_second_factor(director)
    page = client.get(reverse("core:two_factor")).content.decode()
    assert "Your role requires two-factor sign-in: it cannot be turned off." in page
    assert 'id="two-factor-disable"' not in page


# --- sessions that did not come through the login form ---------------------------------------


@pytest.mark.two_factor_unfinished
def test_a_session_from_elsewhere_is_checked_on_its_first_request(director: Any, agent: Any) -> None:
    """Deny by default: Django admin's login or any other way to a session still needs the code."""
    give_authenticator(director)
    client = Client()
    client.force_login(director)
    answer = client.get("/customers/")
    assert answer.status_code == 302 and answer.url.startswith(reverse("two_factor_code"))

    client = Client()
    client.force_login(agent)
    assert client.get("/customers/").status_code == 200


@pytest.mark.two_factor_unfinished
def test_a_promotion_to_a_required_role_takes_effect_at_once(agent: Any) -> None:
    from django.contrib.auth.models import Group

    client = Client()
    password_step(client, agent)
    assert client.get("/customers/").status_code == 200
    agent.groups.add(Group.objects.get(name=Role.DIRECTOR))

    answer = client.get("/customers/")
    assert answer.status_code == 302 and answer.url.startswith(reverse("core:two_factor_enrol"))


def test_bearer_tokens_are_not_asked_for_a_code(director: Any, api_as: Any) -> None:
    """API tokens are the integrations' credential (core.two_factor's docstring)."""
    give_authenticator(director)
    assert api_as(director).get("/api/v1/auth/me").status_code == 200


def test_htmx_requests_are_told_where_to_go(client: Client, director: Any) -> None:
    give_authenticator(director)
    password_step(client, director)
    answer = client.get("/customers/", HTTP_HX_REQUEST="true")
    assert answer.status_code == 204 and answer["HX-Redirect"] == reverse("two_factor_code")
