"""Malformed bodies and queries on the API of issue 4's apps (work calendars, service levels,
notifications) are answered 400/404/409/422 with the uniform error body — never a 5xx."""

from __future__ import annotations

import json
from typing import Any

import pytest

from core.testing import make_user
from notify.models import MessageTemplate
from sla.models import ServiceLevel

pytestmark = pytest.mark.django_db

BODIES: list[Any] = [
    None,
    [],
    "x",
    123,
    {"code": None},
    {"code": "x" * 500, "name": 1, "hours": "abc"},
    {"code": "b1", "name": "n", "hours": {"mon": "09:00"}},
    {"code": "b2", "name": "n", "hours": {"xyz": [["09:00", "10:00"]]}},
    {"code": "b3", "name": "n", "hours": {"mon": [["25:00", "26:00"]]}},
    {"code": "b4", "name": "n", "hours": {"mon": [[1, 2]]}},
    {"code": "b5", "name": "n", "timezone": "Mars/Base", "hours": {"mon": [["09:00", "10:00"]]}},
    {"code": "b6", "name": "n", "hours": {}},
    {"code": "L1", "name": "n", "calendar": "nope", "response_hours": "-1"},
    {"code": "L2", "name": "n", "calendar": "24x7", "response_hours": "abc", "priorities": ["x"]},
    {"code": "L3", "name": "n", "calendar": "24x7", "response_hours": "1e400", "units": ["x"]},
    {"code": "L4", "name": "n", "calendar": "24x7", "response_hours": "NaN"},
    {"code": "L5", "name": "n", "calendar": "24x7", "response_hours": 99999999999},
    {"version": "x"},
    {"version": 1, "body": None},
    {"version": 1, "body": "{% load x %}"},
    {"ids": "abc"},
    {"ids": [None]},
    {"text": None},
    {"date": "2027-13-01", "kind": "x"},
]


@pytest.fixture
def admin_client(api_as: Any, org: Any) -> Any:
    client = api_as(make_user("admin", org.hq, username="api-admin"))
    client.raise_request_exception = False  # a 5xx must show as a response, not an exception
    return client


def endpoints() -> list[tuple[str, str]]:
    level = ServiceLevel.objects.order_by("pk").first()
    template = MessageTemplate.objects.order_by("pk").first()
    assert level is not None and template is not None
    return [
        ("post", "/api/v1/work-calendars"),
        ("patch", "/api/v1/work-calendars/standard"),
        ("post", "/api/v1/work-calendars/days"),
        ("post", "/api/v1/work-calendars/days/import"),
        ("post", "/api/v1/service-levels"),
        ("patch", f"/api/v1/service-levels/{level.pk}"),
        ("post", "/api/v1/notifications/inbox/read"),
        ("patch", f"/api/v1/notifications/templates/{template.pk}"),
        ("post", "/api/v1/notifications/999999/retry"),
        ("post", "/api/v1/service-levels/orders/999999/recompute"),
    ]


def test_malformed_bodies_are_client_errors_with_the_uniform_body(admin_client: Any) -> None:
    wrong = []
    for method, url in endpoints():
        for body in [b"", b"{", *[json.dumps(b).encode() for b in BODIES]]:
            response = getattr(admin_client, method)(url, body, content_type="application/json")
            uniform = response.status_code not in (400, 422) or "errors" in response.json()
            if response.status_code >= 500 or not uniform:
                wrong.append((method, url, body[:60], response.status_code))
    assert wrong == []


@pytest.mark.parametrize(
    "query",
    [
        "start=abc&hours=1",
        "start=2026-01-01T00:00&hours=-1",
        "start=2026-01-01T00:00&hours=1e9",
        "start=9999-12-31T23:00&hours=99999",
        "hours=1",
        "start=2026-01-01T00:00&hours=NaN",
        "start=2026-01-01T00:00&hours=Infinity",
        "start=0001-01-01T00:00%2B14:00&hours=1",
    ],
)
def test_malformed_deadline_questions_are_client_errors(admin_client: Any, query: str) -> None:
    response = admin_client.get(f"/api/v1/work-calendars/standard/deadline?{query}")
    assert response.status_code in (400, 422)
    assert response.json()["errors"][0]["field"] in {"start", "hours"}


@pytest.mark.parametrize("query", ["page=abc", "page=-1", "page_size=100000", "year=abc", "calendar=" + "x" * 100])
def test_malformed_list_queries_are_client_errors(admin_client: Any, query: str) -> None:
    for url in ["/api/v1/work-calendars", "/api/v1/work-calendars/days", "/api/v1/service-levels",
                "/api/v1/notifications", "/api/v1/notifications/inbox"]:  # fmt: skip
        assert admin_client.get(f"{url}?{query}").status_code < 500, url
