"""Every kind of API error answers its stable ``code`` (core.errors.ErrorCode, docs/api.md).

One request per code through a real endpoint; a code added to ``ErrorCode`` without a case here
fails ``test_every_code_is_answered_by_some_request``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.db import IntegrityError, OperationalError
from django.test import Client

from core.errors import ERROR_STATUS, ErrorCode
from core.exceptions import ChecklistIncomplete, OutOfStock
from core.models import ApiToken
from customers.models import Customer
from workorders import services as workorder_services

API = "/api/v1"
PASSWORD = "demo-pass-2026"  # core.testing.make_user's default


def send(client: Client, method: str, path: str, body: Any = None, **extra: Any) -> Any:
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return getattr(client, method)(API + path, data=data, content_type="application/json", **extra)


def bearer(user: Any) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(user)}")


def raising(error: Exception) -> Callable[..., Any]:
    def service(*args: Any, **kwargs: Any) -> Any:
        raise error

    return service


def a_submitted_order(agent: Any, customer: Any) -> Any:
    return workorder_services.workorder_create(
        acting_user=agent, customer=customer, service_type="repair", channel="phone", description="开机无显示"
    )


# --- one request per code ------------------------------------------------------------------


def unknown_customer(ctx: dict[str, Any]) -> Any:
    body = {"customer": 999_999, "service_type": "repair", "description": "开机无显示"}
    return send(bearer(ctx["agent"]), "post", "/work-orders", body)


def body_not_an_object(ctx: dict[str, Any]) -> Any:
    return send(bearer(ctx["agent"]), "post", "/work-orders", "[1, 2]")


def no_token(ctx: dict[str, Any]) -> Any:
    return Client().get(f"{API}/work-orders")


def wrong_password(ctx: dict[str, Any]) -> Any:
    return send(Client(), "post", "/auth/token", {"username": "agent", "password": "wrong"})


def role_may_not(ctx: dict[str, Any]) -> Any:
    body = {"code": "mine", "name": "我的日历", "hours": {"mon": [["09:00", "18:00"]]}}
    return send(bearer(ctx["station_a_user"]), "post", "/work-calendars", body)


def session_without_csrf(ctx: dict[str, Any]) -> Any:
    client = Client(enforce_csrf_checks=True)
    client.force_login(ctx["agent"])
    body = {"customer": ctx["customer_a"].pk, "service_type": "repair", "description": "开机无显示"}
    return send(client, "post", "/work-orders", body)


def not_visible(ctx: dict[str, Any]) -> Any:
    return bearer(ctx["agent"]).get(f"{API}/work-orders/999999")


def start_a_submitted_order(ctx: dict[str, Any]) -> Any:
    order = a_submitted_order(ctx["agent"], ctx["customer_a"])
    return send(bearer(ctx["agent"]), "post", f"/work-orders/{order.pk}/transitions", {"action": "start"})


def stale_version(ctx: dict[str, Any]) -> Any:
    client = bearer(ctx["agent"])
    path = f"/customers/{ctx['customer_a'].pk}"
    assert send(client, "patch", path, {"version": 1, "notes": "一"}).status_code == 200
    return send(client, "patch", path, {"version": 1, "notes": "二"})


def duplicate_record(ctx: dict[str, Any]) -> Any:
    """A uniqueness rule of the database (raced past the service's checks)."""
    ctx["monkeypatch"].setattr("customers.services.customer_update", raising(IntegrityError("unique")))
    return send(bearer(ctx["agent"]), "patch", f"/customers/{ctx['customer_a'].pk}", {"version": 1, "notes": "x"})


def stock_would_go_negative(ctx: dict[str, Any]) -> Any:
    """Reserved for the spare-parts ledger; any service raising ``OutOfStock`` answers it."""
    ctx["monkeypatch"].setattr("customers.services.customer_update", raising(OutOfStock("库存不足")))
    return send(bearer(ctx["agent"]), "patch", f"/customers/{ctx['customer_a'].pk}", {"version": 1, "notes": "x"})


def same_phone_as_a_customer_on_file(ctx: dict[str, Any]) -> Any:
    """Issue 18.6: a likely duplicate customer (same normalised phone) needs ``confirm_duplicate``."""
    return send(bearer(ctx["agent"]), "post", "/customers", {"name": "张三", "phone": "138-0013-8000"})


def qc_with_the_checklist_open(ctx: dict[str, Any]) -> Any:
    """Issue 18.5: any service raising ``ChecklistIncomplete`` answers it (tests/fieldwork/test_checklist.py
    sends real work to QC with open items)."""
    refusal = ChecklistIncomplete(
        "请勾选或说明：“清理现场”",
        status="in_progress",
        action="submit_qc",
        allowed_actions=["pause"],
        open_items=[{"item": "cleaned-up", "label": "清理现场"}],
    )
    ctx["monkeypatch"].setattr("customers.services.customer_update", raising(refusal))
    return send(bearer(ctx["agent"]), "patch", f"/customers/{ctx['customer_a'].pk}", {"version": 1, "notes": "x"})


def wrong_type(ctx: dict[str, Any]) -> Any:
    return send(bearer(ctx["agent"]), "post", "/work-orders", {"customer": "张三", "service_type": "repair"})


def key_reused_with_another_body(ctx: dict[str, Any]) -> Any:
    client = bearer(ctx["agent"])
    headers = {"HTTP_IDEMPOTENCY_KEY": "7f0c1e9a-2b1d-4d7e-9a51-3c2f8e0b6a11"}
    body = {"customer": ctx["customer_a"].pk, "service_type": "repair", "description": "开机无显示"}
    assert send(client, "post", "/work-orders", body, **headers).status_code == 201
    return send(client, "post", "/work-orders", {**body, "description": "另一个故障"}, **headers)


def too_many_failed_sign_ins(ctx: dict[str, Any]) -> Any:
    for _ in range(10):
        wrong_password(ctx)
    return send(Client(), "post", "/auth/token", {"username": "agent", "password": PASSWORD})


def a_bug_in_a_service(ctx: dict[str, Any]) -> Any:
    """An uncaught exception: the handler500 of core.server_errors answers the uniform body, not HTML."""
    ctx["monkeypatch"].setattr("customers.services.customer_update", raising(RuntimeError("a bug")))
    client = bearer(ctx["agent"])
    client.raise_request_exception = False
    return send(client, "patch", f"/customers/{ctx['customer_a'].pk}", {"version": 1, "notes": "x"})


def database_restarting(ctx: dict[str, Any]) -> Any:
    """The connection fails under the request (PostgreSQL restarting): 503 with Retry-After."""
    error = OperationalError("terminating connection due to administrator command")
    ctx["monkeypatch"].setattr("customers.services.customer_update", raising(error))
    client = bearer(ctx["agent"])
    client.raise_request_exception = False
    response = send(client, "patch", f"/customers/{ctx['customer_a'].pk}", {"version": 1, "notes": "x"})
    assert response["Retry-After"] == "5"
    return response


CASES: dict[ErrorCode, Callable[[dict[str, Any]], Any]] = {
    ErrorCode.VALIDATION_ERROR: unknown_customer,
    ErrorCode.MALFORMED_BODY: body_not_an_object,
    ErrorCode.NOT_AUTHENTICATED: no_token,
    ErrorCode.INVALID_CREDENTIALS: wrong_password,
    ErrorCode.PERMISSION_DENIED: role_may_not,
    ErrorCode.CSRF_FAILED: session_without_csrf,
    ErrorCode.NOT_FOUND: not_visible,
    ErrorCode.INVALID_TRANSITION: start_a_submitted_order,
    ErrorCode.STALE_VERSION: stale_version,
    ErrorCode.CONFLICT: duplicate_record,
    ErrorCode.OUT_OF_STOCK: stock_would_go_negative,
    ErrorCode.POSSIBLE_DUPLICATE: same_phone_as_a_customer_on_file,
    ErrorCode.CHECKLIST_INCOMPLETE: qc_with_the_checklist_open,
    ErrorCode.INVALID_INPUT: wrong_type,
    ErrorCode.IDEMPOTENCY_KEY_REUSED: key_reused_with_another_body,
    ErrorCode.RATE_LIMITED: too_many_failed_sign_ins,
    ErrorCode.SERVER_ERROR: a_bug_in_a_service,
    ErrorCode.SERVICE_UNAVAILABLE: database_restarting,
}


@pytest.fixture
def ctx(agent: Any, station_a_user: Any, customer_a: Customer, monkeypatch: pytest.MonkeyPatch) -> Any:
    cache.clear()  # sign-in counts
    yield {"agent": agent, "station_a_user": station_a_user, "customer_a": customer_a, "monkeypatch": monkeypatch}
    cache.clear()


@pytest.mark.parametrize("code", list(CASES), ids=[code.value for code in CASES])
def test_each_kind_of_error_answers_its_code_with_the_uniform_body(ctx: dict[str, Any], code: ErrorCode) -> None:
    response = CASES[code](ctx)

    assert response.status_code == ERROR_STATUS[code], response.content
    body = response.json()
    assert body["code"] == code.value
    assert list(body)[:3] == ["detail", "code", "errors"]
    assert isinstance(body["detail"], str) and body["detail"].strip()
    assert all(set(item) == {"field", "message"} and item["message"].strip() for item in body["errors"])


def test_every_code_is_answered_by_some_request() -> None:
    assert set(CASES) == set(ErrorCode)


def test_a_refused_transition_still_names_the_state_and_the_allowed_actions(ctx: dict[str, Any]) -> None:
    body = start_a_submitted_order(ctx).json()

    assert (body["code"], body["status"]) == ("invalid_transition", "submitted")
    assert "accept" in body["allowed_actions"]
    assert [item["field"] for item in body["errors"]] == ["action"]


def test_a_stale_edit_names_the_current_version(ctx: dict[str, Any]) -> None:
    body = stale_version(ctx).json()

    assert (body["code"], body["current_version"]) == ("stale_version", 2)


def test_the_code_does_not_follow_the_language(ctx: dict[str, Any]) -> None:
    chinese = wrong_type(ctx).json()
    english = send(bearer(ctx["agent"]), "post", "/work-orders", {"customer": "张三"}, HTTP_ACCEPT_LANGUAGE="en").json()

    assert chinese["code"] == english["code"] == "invalid_input"
    assert chinese["detail"] != english["detail"]


def test_a_replayed_idempotent_answer_is_the_first_one(ctx: dict[str, Any]) -> None:
    """An error inside a creation is not stored: the retry runs again and answers the same code."""
    client = bearer(ctx["agent"])
    headers = {"HTTP_IDEMPOTENCY_KEY": "replay-of-a-refusal"}
    body = {"customer": 999_999, "service_type": "repair", "description": "开机无显示"}
    first = send(client, "post", "/work-orders", body, **headers)
    again = send(client, "post", "/work-orders", body, **headers)

    assert first.status_code == again.status_code == 400
    assert first.json()["code"] == again.json()["code"] == "validation_error"


def test_pages_answer_a_plain_page_not_the_json_body(ctx: dict[str, Any]) -> None:
    """Outside /api/ the same failures are a short page, rendered without the database."""
    failure = raising(OperationalError("server closed the connection"))
    ctx["monkeypatch"].setattr("customers.views._detail_context", failure)
    client = Client(raise_request_exception=False)
    client.force_login(ctx["agent"])
    response = client.get(f"/customers/{ctx['customer_a'].pk}/")

    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert 'id="error-detail"' in response.content.decode()
