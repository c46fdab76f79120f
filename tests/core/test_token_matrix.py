"""Token sign-in and sign-out for every role (issue 10, point 7: the token endpoints were outside
the permission matrices). Each role, in the unit that serves station A, obtains a token with its
password, is the same user with the same roles and unit through it, sees through it exactly what
its session sees, and loses it on sign-out; a wrong password or no token gets 401."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from core.choices import Role
from core.models import ApiToken
from core.testing import make_user
from tests.matrix import home_unit

API = "/api/v1"
PASSWORD = "demo-pass-2026"  # core.testing.make_user's default
ROLES = sorted(Role.values)


def sign_in(username: str, password: str) -> Any:
    body = json.dumps({"username": username, "password": password})
    return Client().post(f"{API}/auth/token", data=body, content_type="application/json")


@pytest.fixture
def station_a_order(org: Any, customer_a: Any) -> Any:
    """An order in 西湖区: station A's, so station A's staff and HQ see it and others do not."""
    from workorders.services import workorder_create

    return workorder_create(
        acting_user=None, customer=customer_a, service_type="repair", channel="web", description="不开机"
    )


@pytest.mark.parametrize("role", ROLES)
def test_every_role_signs_in_with_a_token_that_is_scoped_like_its_session(
    role: str, org: Any, station_a_order: Any
) -> None:
    user = make_user(role, home_unit(org, role))
    response = sign_in(user.username, PASSWORD)
    assert response.status_code == 200, response.content
    token = response.json()["token"]
    bearer = Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    me = bearer.get(f"{API}/auth/me").json()
    assert (me["username"], me["roles"], me["unit"]["code"]) == (user.username, [role], home_unit(org, role).code)

    session = Client()
    session.force_login(user)
    through_token = bearer.get(f"{API}/work-orders")
    through_session = session.get(f"{API}/work-orders")
    assert through_token.status_code == through_session.status_code
    if through_token.status_code == 200:
        assert through_token.json() == through_session.json()

    assert bearer.delete(f"{API}/auth/token").status_code == 204
    assert bearer.get(f"{API}/auth/me").status_code == 401
    assert not ApiToken.objects.get(user=user, key_hash=ApiToken.hash_key(token)).is_active


@pytest.mark.parametrize("role", ROLES)
def test_a_wrong_password_gets_no_token_for_any_role(role: str, org: Any) -> None:
    user = make_user(role, home_unit(org, role))
    response = sign_in(user.username, PASSWORD + "x")
    assert response.status_code == 401
    assert response.json()["code"] and "token" not in response.json()
    assert not ApiToken.objects.filter(user=user).exists()


def test_signing_out_without_a_token_is_401_and_revokes_nothing(org: Any) -> None:
    user = make_user(Role.AGENT, org.hq)
    token = sign_in(user.username, PASSWORD).json()["token"]
    assert Client().delete(f"{API}/auth/token").status_code == 401
    assert Client(HTTP_AUTHORIZATION="Bearer not-a-token").delete(f"{API}/auth/token").status_code == 401
    assert Client(HTTP_AUTHORIZATION=f"Bearer {token}").get(f"{API}/auth/me").status_code == 200
