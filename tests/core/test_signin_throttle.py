"""Password guessing is slowed down on the console login and the API token endpoint."""

from __future__ import annotations

import json

import pytest
from django.core.cache import cache
from django.test import Client


@pytest.fixture(autouse=True)
def _fresh_counts():
    cache.clear()
    yield
    cache.clear()


def test_ten_wrong_api_passwords_lock_the_username_even_for_the_right_one(agent):
    client = Client()

    def token(password: str):
        body = json.dumps({"username": "agent", "password": password})
        return client.post("/api/v1/auth/token", body, content_type="application/json")

    assert [token("wrong").status_code for _ in range(10)] == [401] * 10
    locked = token("demo-pass-2026")
    assert locked.status_code == 429
    assert locked.json()["errors"][0]["field"] == "username"


def test_the_console_login_is_locked_after_ten_failures(agent):
    client = Client()
    for _ in range(10):
        assert client.post("/login/", {"username": "agent", "password": "wrong"}).status_code == 200
    locked = client.post("/login/", {"username": "agent", "password": "demo-pass-2026"})
    assert locked.status_code == 429
    assert not locked.wsgi_request.user.is_authenticated


def test_a_right_password_signs_in_before_the_limit(agent):
    client = Client()
    for _ in range(3):
        client.post("/login/", {"username": "agent", "password": "wrong"})
    assert client.post("/login/", {"username": "agent", "password": "demo-pass-2026"}).status_code == 302
