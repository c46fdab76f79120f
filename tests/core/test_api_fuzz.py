"""Property-based fuzzing of the API from its own OpenAPI document (a small schemathesis).

For every operation under ``FUZZED_PREFIXES`` hypothesis builds requests from the documented
parameters and bodies — mostly valid values, mixed with arbitrary JSON of the wrong shape — and
checks the contract of SPEC §14: never a 5xx, and every 4xx carries the uniform error body.
Examples are derandomised so a failure reproduces; add prefixes as routers become stable.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aftersales.api import api
from workorders import services

FUZZED_PREFIXES = ("/api/v1/work-orders", "/api/v1/auth")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
DOCUMENT: dict[str, Any] = api.get_openapi_schema()
OPERATIONS = [
    (path, method, operation)
    for path, item in DOCUMENT["paths"].items()
    if path.startswith(FUZZED_PREFIXES)
    for method, operation in item.items()
    if method in {"get", "post", "patch", "put", "delete"}
]

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=40),
)
any_json = st.recursive(
    json_scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=3), st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=6,
)


def resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = DOCUMENT["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    if "allOf" in schema:
        return resolve(schema["allOf"][0])
    return schema


def valid_value(schema: dict[str, Any], name: str, known: dict[str, int]) -> st.SearchStrategy[Any]:
    """Values the schema allows (the request may still be refused by a business rule)."""
    schema = resolve(schema)
    if "anyOf" in schema:
        return st.one_of([valid_value(option, name, known) for option in schema["anyOf"]])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if kind == "integer":
        numbers = st.integers(min_value=schema.get("minimum", -10), max_value=min(schema.get("maximum", 10**6), 10**6))
        return st.one_of(st.just(known[name]), numbers) if name in known else numbers
    if kind == "number":
        return st.one_of(
            st.decimals(min_value=0, max_value=10**6, places=2).map(str),
            st.floats(min_value=0, max_value=1e6),
        )
    if kind == "boolean":
        return st.booleans()
    if kind == "null":
        return st.none()
    if kind == "array":
        return st.lists(valid_value(schema.get("items", {}), name, known), max_size=3)
    if kind == "object" and "properties" in schema:
        return body_strategy(schema, known)
    if kind == "string":
        if schema.get("format") == "date":
            return st.dates().map(lambda day: day.isoformat())
        if schema.get("format") == "date-time":
            return st.datetimes().map(lambda moment: moment.isoformat() + "+08:00")
        return st.text(min_size=schema.get("minLength", 0), max_size=min(schema.get("maxLength", 40), 40))
    return any_json


def body_strategy(schema: dict[str, Any], known: dict[str, int]) -> st.SearchStrategy[dict[str, Any]]:
    schema = resolve(schema)
    properties = schema.get("properties", {})
    required = set(schema.get("required", []))

    def field(name: str) -> st.SearchStrategy[Any]:
        return st.one_of(valid_value(properties[name], name, known), valid_value(properties[name], name, known),
                         any_json)  # fmt: skip

    return st.fixed_dictionaries(
        {name: field(name) for name in properties if name in required},
        optional={name: field(name) for name in properties if name not in required},
    )


safe_file_names = st.text(alphabet=st.sampled_from("abcXYZ019-_. 照片故障"), min_size=1, max_size=40).filter(
    lambda name: name.strip(" .")
)


def request_strategy(path: str, method: str, operation: dict[str, Any], known: dict[str, int]) -> Any:
    parameters = operation.get("parameters", [])
    path_params = {
        p["name"]: st.sampled_from([known.get(p["name"], 1), 0, 999999, 2**63]) for p in parameters if p["in"] == "path"
    }
    query = {p["name"]: st.one_of(valid_value(p["schema"], p["name"], known), st.text(max_size=30))
             for p in parameters if p["in"] == "query"}  # fmt: skip
    headers = {p["name"]: st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), max_size=140)
               for p in parameters if p["in"] == "header"}  # fmt: skip
    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" in content:
        body: Any = st.one_of(body_strategy(content["application/json"]["schema"], known), any_json)
    elif "multipart/form-data" in content:
        body = st.fixed_dictionaries({"file": st.tuples(safe_file_names, st.one_of(st.just(PNG), st.binary()))})
    else:
        body = st.none()
    return st.fixed_dictionaries(
        {"path": st.fixed_dictionaries(path_params), "body": body},
        optional={
            "query": st.fixed_dictionaries({}, optional=query),
            "headers": st.fixed_dictionaries({}, optional=headers),
        },
    )


def send(client: Any, path: str, method: str, request: dict[str, Any]) -> Any:
    url = path.format(**request["path"])
    extra = {f"HTTP_{name.upper().replace('-', '_')}": value for name, value in request.get("headers", {}).items()}
    query = {
        name: value if isinstance(value, str) else json.dumps(value)
        for name, value in (request.get("query") or {}).items()
        if value is not None
    }
    body = request["body"]
    if method == "get":
        return client.get(url, query, **extra)
    if query:
        url += "?" + urlencode(query)
    if isinstance(body, dict) and isinstance(body.get("file"), tuple):
        name, content = body["file"]
        return client.post(url, {"file": SimpleUploadedFile(name, content)}, **extra)
    data = json.dumps(body) if body is not None else ""
    return getattr(client, method)(url, data=data, content_type="application/json", **extra)


def assert_contract(response: Any, label: str) -> None:
    assert response.status_code < 500, (label, response.status_code, response.content[:500])
    if response.status_code >= 400:
        body = response.json()
        assert isinstance(body.get("detail"), str) and body["detail"], (label, body)
        assert isinstance(body.get("errors"), list), (label, body)


@pytest.fixture
def known_ids(agent: Any, customer_a: Any, device_a: Any, technician: Any) -> dict[str, int]:
    order = services.workorder_create(
        acting_user=agent, customer=customer_a, device=device_a, service_type="repair", channel="api", description="x"
    )
    upload = SimpleUploadedFile("a.png", PNG)
    attachment = services.workorder_add_attachment(order=order, upload=upload, acting_user=agent)
    return {
        "order_id": order.pk,
        "attachment_id": attachment.pk,
        "customer": customer_a.pk,
        "device": device_a.pk,
        "technician": technician.pk,
    }


def test_there_are_operations_to_fuzz():
    assert len(OPERATIONS) >= 10


@pytest.mark.parametrize(
    ("path", "method", "operation"),
    OPERATIONS,
    ids=[f"{method.upper()} {path.removeprefix('/api/v1')}" for path, method, _ in OPERATIONS],
)
def test_generated_requests_never_get_a_5xx(api_as, director, known_ids, path, method, operation):
    client = api_as(director)

    @settings(
        max_examples=40,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(request=request_strategy(path, method, operation, known_ids))
    def check(request: dict[str, Any]) -> None:
        response = send(client, path, method, request)
        assert_contract(response, f"{method.upper()} {path} {request!r}"[:600])

    check()
