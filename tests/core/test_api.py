"""API plumbing (core.api): tokens, 401s, the language of errors, the OpenAPI document and docs."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from core.choices import Role
from core.models import ApiToken
from core.testing import make_user

API = "/api/v1"
PASSWORD = "demo-pass-2026"  # core.testing.make_user's default

SPEC_SERVICE_TYPES = {
    "repair", "installation", "maintenance", "inspection", "consultation", "technical_guidance", "training",
    "return", "exchange", "complaint", "software_upgrade", "claim",
}  # fmt: skip
SPEC_CHANNELS = {"web", "qr", "phone", "email", "wechat", "walk_in", "api"}


def post(client: Any, path: str, body: Any, **extra: Any) -> Any:
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(API + path, data=data, content_type="application/json", **extra)


def assert_error(response: Any, status: int, *fields: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"].strip()
    assert all(e["field"] and e["message"].strip() for e in body["errors"])
    assert set(fields) <= {e["field"] for e in body["errors"]}, body
    return body


# --- tokens --------------------------------------------------------------------------------------


def test_a_token_from_the_token_endpoint_authenticates_requests(agent):
    response = post(Client(), "/auth/token", {"username": "agent", "password": PASSWORD})

    assert response.status_code == 200, response.content
    token = response.json()["token"]
    assert set(response.json()) == {"token"} and len(token) >= 32
    me = Client(HTTP_AUTHORIZATION=f"Bearer {token}").get(f"{API}/auth/me")
    assert me.status_code == 200
    assert (me.json()["username"], me.json()["roles"], me.json()["unit"]["code"]) == ("agent", ["agent"], "HQ")


def test_tokens_are_stored_only_as_hashes(agent):
    token = post(Client(), "/auth/token", {"username": "agent", "password": PASSWORD}).json()["token"]
    record = ApiToken.objects.get(user=agent)
    assert record.key_hash == ApiToken.hash_key(token) and token not in record.key_hash


@pytest.mark.parametrize(
    "credentials",
    [{"username": "agent", "password": "wrong"}, {"username": "nobody", "password": PASSWORD}],
    ids=["wrong-password", "unknown-user"],
)
def test_wrong_credentials_are_401_with_the_uniform_body_and_no_hint_which(agent, credentials):
    response = post(Client(), "/auth/token", credentials)
    body = assert_error(response, 401, "password")
    assert "token" not in body
    other = post(Client(), "/auth/token", {"username": "nobody", "password": "wrong"})
    assert other.json() == body  # the same words whether the user exists or not


def test_an_inactive_user_gets_no_token(agent):
    agent.is_active = False
    agent.save(update_fields=["is_active"])
    assert_error(post(Client(), "/auth/token", {"username": "agent", "password": PASSWORD}), 401)


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({}, {"username", "password"}),
        ({"username": "agent"}, {"password"}),
        ({"username": 5, "password": ["x"]}, {"username", "password"}),
        ({"username": "", "password": PASSWORD}, {"username"}),
        ({"username": "a" * 151, "password": PASSWORD}, {"username"}),
    ],
    ids=["empty", "no-password", "wrong-types", "blank-username", "long-username"],
)
def test_bad_token_requests_name_the_fields(agent, body, fields):
    assert_error(post(Client(), "/auth/token", body), 422, *fields)


def test_a_malformed_token_request_is_400_naming_the_body(agent):
    assert_error(post(Client(), "/auth/token", "{username: agent"), 400, "body")


def test_a_revoked_token_no_longer_works(api_as, agent):
    token = post(Client(), "/auth/token", {"username": "agent", "password": PASSWORD}).json()["token"]
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")

    assert client.delete(f"{API}/auth/token").status_code == 204
    assert_error(client.get(f"{API}/work-orders"), 401)
    assert api_as(agent).get(f"{API}/work-orders").status_code == 200  # other tokens still work


def test_a_deactivated_users_token_stops_working(api_as, agent):
    client = api_as(agent)
    agent.is_active = False
    agent.save(update_fields=["is_active"])
    assert_error(client.get(f"{API}/work-orders"), 401)


PROTECTED = [
    ("get", "/work-orders"),
    ("post", "/work-orders"),
    ("get", "/work-orders/1"),
    ("patch", "/work-orders/1"),
    ("post", "/work-orders/1/transitions"),
    ("post", "/work-orders/1/comments"),
    ("post", "/work-orders/1/materials"),
    ("post", "/work-orders/1/attachments"),
    ("get", "/work-orders/1/attachments/1"),
    ("get", "/work-orders/actions"),
    ("get", "/auth/me"),
    ("delete", "/auth/token"),
]


@pytest.mark.parametrize(("method", "path"), PROTECTED, ids=[f"{m} {p}" for m, p in PROTECTED])
@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer", "Bearer not-a-token", "Bearer " + "x" * 5000, "Basic YWdlbnQ6ZGVtbw==", "Token abc"],
    ids=["none", "empty-bearer", "unknown", "huge", "basic", "other-scheme"],
)
def test_every_endpoint_but_the_token_one_needs_a_valid_bearer_token(agent, method, path, authorization):
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
    client = Client(**headers)
    if method == "get":
        response = client.get(API + path)
    else:
        response = getattr(client, method)(API + path, data="{}", content_type="application/json")
    assert_error(response, 401)


@pytest.mark.parametrize("authorization", [None, "Bearer not-a-token"], ids=["no-token", "wrong-token"])
def test_an_integrator_without_a_valid_token_gets_401_not_a_csrf_error(agent, authorization):
    """CSRF applies to the console's session cookie only; a server-to-server call has none."""
    headers = {"HTTP_AUTHORIZATION": authorization} if authorization else {}
    client = Client(enforce_csrf_checks=True, **headers)
    assert_error(post(client, "/work-orders", {}), 401)
    assert_error(client.delete(f"{API}/auth/token"), 401)


def test_the_console_session_also_authenticates_and_unsafe_calls_need_csrf(agent, customer_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)

    assert client.get(f"{API}/work-orders").status_code == 200
    body = {"customer": customer_a.pk, "service_type": "repair", "channel": "web", "description": "x"}
    assert_error(post(client, "/work-orders", body), 403)


# --- the language of errors ----------------------------------------------------------------------


def test_errors_are_in_chinese_by_default(api_as, agent):
    response = post(api_as(agent), "/work-orders", {})

    assert response["Content-Language"] == "zh-hans"
    messages = {e["field"]: e["message"] for e in assert_error(response, 422, "customer")["errors"]}
    assert re.search(r"[\u4e00-\u9fff]", messages["customer"]), messages  # Chinese, whatever the wording
    english = post(api_as(agent), "/work-orders", {}, HTTP_ACCEPT_LANGUAGE="en").json()["errors"]
    assert messages["customer"] != {e["field"]: e["message"] for e in english}["customer"]


def test_errors_are_in_english_with_accept_language_en(api_as, agent):
    response = post(api_as(agent), "/work-orders", {}, HTTP_ACCEPT_LANGUAGE="en")

    assert response["Content-Language"] == "en"
    messages = {e["field"]: e["message"] for e in assert_error(response, 422, "customer")["errors"]}
    assert messages["customer"] == "This field is required."


def test_without_accept_language_the_token_owners_language_is_used(api_as, org):
    english = make_user(Role.AGENT, org.hq, username="agent_en", language="en")
    response = post(api_as(english), "/work-orders", {})
    assert response["Content-Language"] == "en"
    assert assert_error(response, 422)["errors"][0]["message"] == "This field is required."
    # an explicit header still wins
    chinese = post(api_as(english), "/work-orders", {}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert chinese["Content-Language"] == "zh-hans"


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_kind_of_error_is_localised_and_names_its_field(api_as, agent, customer_a, language):
    client = api_as(agent)
    header = {"HTTP_ACCEPT_LANGUAGE": language}
    cases = [
        (post(client, "/work-orders", "{oops", **header), 400, "body"),
        (post(client, "/work-orders", [1], **header), 400, "body"),
        (post(client, "/work-orders", {"customer": "x"}, **header), 422, "customer"),
        (post(client, "/work-orders", {"customer": 999999, "service_type": "repair", "description": "x"}, **header),
         400, "customer"),
        (client.get(f"{API}/work-orders?page=0", **header), 422, "page"),
        (client.get(f"{API}/work-orders/999999", **header), 404, None),
        (Client().get(f"{API}/work-orders", **header), 401, None),
    ]  # fmt: skip
    for response, status, field in cases:
        assert response["Content-Language"] == language
        if field:
            assert_error(response, status, field)
        else:
            assert_error(response, status)


# --- the OpenAPI document and the docs -----------------------------------------------------------


@pytest.fixture
def openapi(db: Any) -> dict[str, Any]:
    response = Client().get(f"{API}/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return found + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


def test_the_openapi_document_is_served_with_the_spec_endpoints(openapi):
    assert openapi["openapi"].startswith("3.")
    assert openapi["info"]["title"] and openapi["info"]["version"]
    expected = {
        ("/api/v1/auth/token", "post"),
        ("/api/v1/work-orders", "post"),
        ("/api/v1/work-orders", "get"),
        ("/api/v1/work-orders/{order_id}", "get"),
        ("/api/v1/work-orders/{order_id}", "patch"),
        ("/api/v1/work-orders/{order_id}/transitions", "post"),
        ("/api/v1/work-orders/{order_id}/attachments", "post"),
        ("/api/v1/work-orders/{order_id}/comments", "post"),
        ("/api/v1/work-orders/{order_id}/materials", "post"),
    }
    assert expected <= {(path, method) for path, method, _ in _operations(openapi)}


def test_every_operation_has_a_unique_id_a_summary_and_declared_responses(openapi):
    ids = [operation["operationId"] for _, _, operation in _operations(openapi)]
    assert len(ids) == len(set(ids))
    for path, method, operation in _operations(openapi):
        if not path.startswith(("/api/v1/work-orders", "/api/v1/auth")):
            continue
        assert operation.get("summary", "").strip(), (path, method)
        assert operation["responses"], (path, method)
        if path != "/api/v1/auth/token":
            assert "401" in operation["responses"], (path, method)


def test_every_reference_in_the_document_resolves(openapi):
    components = openapi.get("components", {}).get("schemas", {})
    for ref in _refs(openapi):
        assert ref.startswith("#/components/schemas/"), ref
        name = ref.rsplit("/", 1)[1]
        assert name in components, ref
        assert re.fullmatch(r"[A-Za-z0-9._-]+", name), ref


def test_the_document_names_the_bearer_scheme_and_the_token_endpoint_is_open(openapi):
    schemes = openapi["components"]["securitySchemes"]
    assert any(s.get("type") == "http" and s.get("scheme") == "bearer" for s in schemes.values())
    token = openapi["paths"]["/api/v1/auth/token"]["post"]
    assert not token.get("security")
    create = openapi["paths"]["/api/v1/work-orders"]["post"]
    assert create["security"]


def _schema(openapi: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = openapi["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    if "allOf" in node:
        return _schema(openapi, node["allOf"][0])
    if "anyOf" in node:
        node = next(option for option in node["anyOf"] if option.get("type") != "null")
        return _schema(openapi, node)
    return node


def test_the_create_schema_lists_exactly_the_spec_codes(openapi):
    create = openapi["paths"]["/api/v1/work-orders"]["post"]
    body = _schema(openapi, create["requestBody"]["content"]["application/json"]["schema"])
    properties = body["properties"]

    assert set(body["required"]) >= {"customer", "service_type", "description"}
    assert set(_schema(openapi, properties["service_type"])["enum"]) == SPEC_SERVICE_TYPES
    assert set(_schema(openapi, properties["channel"])["enum"]) == SPEC_CHANNELS
    assert {"customer", "device", "service_type", "channel", "description", "urgent"} <= set(properties)
    headers = {p["name"] for p in create.get("parameters", []) if p["in"] == "header"}
    assert "Idempotency-Key" in headers


def test_the_documented_answers_have_the_spec_shapes(openapi):
    created = _schema(openapi, openapi["paths"]["/api/v1/work-orders"]["post"]["responses"]["201"]["content"][
        "application/json"]["schema"])  # fmt: skip
    assert {"id", "number", "status", "deadlines"} <= set(created["properties"])
    listed = _schema(openapi, openapi["paths"]["/api/v1/work-orders"]["get"]["responses"]["200"]["content"][
        "application/json"]["schema"])  # fmt: skip
    assert set(listed["properties"]) == {"items", "count"}
    detail = _schema(openapi, openapi["paths"]["/api/v1/work-orders/{order_id}"]["get"]["responses"]["200"][
        "content"]["application/json"]["schema"])  # fmt: skip
    assert {"timeline", "allowed_actions"} <= set(detail["properties"])
    refused = _schema(openapi, openapi["paths"]["/api/v1/work-orders/{order_id}/transitions"]["post"]["responses"][
        "409"]["content"]["application/json"]["schema"])  # fmt: skip
    assert {"detail", "errors", "status", "allowed_actions"} <= set(refused["properties"])
    error = _schema(openapi, openapi["paths"]["/api/v1/work-orders"]["post"]["responses"]["422"]["content"][
        "application/json"]["schema"])  # fmt: skip
    assert {"detail", "errors"} <= set(error["properties"])
    list_params = {p["name"] for p in openapi["paths"]["/api/v1/work-orders"]["get"]["parameters"]}
    assert {"status", "q", "page", "page_size"} <= list_params


def test_the_docs_page_loads_and_points_at_the_document(db):
    response = Client().get(f"{API}/docs")
    assert response.status_code == 200
    assert b"openapi.json" in response.content
    assert b"swagger" in response.content.lower()


def test_a_search_of_hundreds_of_words_is_answered_not_crashed(api_as, agent):
    response = api_as(agent).get("/api/v1/customers", {"q": " ".join(f"w{i}" for i in range(1200))})
    assert response.status_code == 200
