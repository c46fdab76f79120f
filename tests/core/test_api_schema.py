"""The OpenAPI document describes every body the API answers (docs/api.md).

Every success answer has a named schema of a JSON object (or a list of them), or a declared
non-JSON content type (PDFs, attachments); every error answer the uniform error body with its
``code`` enum; a free-form object appears only where the data is free-form by nature.
"""

from __future__ import annotations

import importlib
from collections import defaultdict
from typing import Any

import pytest
from django.test import Client
from ninja import Schema

from core.errors import ErrorCode, codes_for

API = "/api/v1"
ROUTER_MODULES = [
    "core.api",
    "catalog.api",
    "customers.api",
    "devices.api",
    "workorders.api",
    "workcalendar.api",
    "policies.api",
    "notify.api",
    "billing.api",
    "claims.api",
    "sla.api",
    "dispatch.api",
    "fieldwork.api",
    "followup.api",
    "campaigns.api",
    "training.api",
]
#: (schema, property) of answers that are free-form by nature: a timeline event's parameters
#: differ by event kind (docs of each app's timeline).
# Event data differs per event kind (the work order's timeline, a complaint's record): free-form by design.
FREE_FORM = {("TimelineEventOut", "data"), ("ComplaintEventOut", "data")}


@pytest.fixture(scope="module")
def document(django_db_blocker: Any) -> dict[str, Any]:
    with django_db_blocker.unblock():
        response = Client().get(f"{API}/openapi.json")
    assert response.status_code == 200
    return response.json()


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]


def component(document: dict[str, Any], schema: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    name = schema["$ref"].rsplit("/", 1)[1]
    return name, document["components"]["schemas"][name]


def is_free_form(schema: dict[str, Any]) -> bool:
    """An object (or list of them) whose members are not described."""
    if not schema:
        return True
    options = schema.get("anyOf") or schema.get("oneOf")
    if options:
        return any(is_free_form(option) for option in options if option.get("type") != "null")
    if schema.get("type") == "array":
        return is_free_form(schema.get("items", {}))
    if schema.get("type") == "object" and not schema.get("properties"):
        return schema.get("additionalProperties", True) in (True, {})
    return False


def refs_in(schema: Any) -> set[str]:
    if isinstance(schema, dict):
        found = {schema["$ref"].rsplit("/", 1)[1]} if "$ref" in schema else set()
        for value in schema.values():
            found |= refs_in(value)
        return found
    if isinstance(schema, list):
        return set().union(*(refs_in(item) for item in schema)) if schema else set()
    return set()


def answer_components(document: dict[str, Any]) -> set[str]:
    """Every component an answer (success or error) refers to, directly or through another."""
    pending = set()
    for _path, _method, operation in operations(document):
        for response in operation["responses"].values():
            pending |= refs_in(response.get("content", {}))
    seen: set[str] = set()
    while pending:
        name = pending.pop()
        if name not in seen:
            seen.add(name)
            pending |= refs_in(document["components"]["schemas"][name]) - seen
    return seen


def test_the_document_has_every_router(document: dict[str, Any]) -> None:
    assert len(operations(document)) >= 100


def test_every_success_answer_has_a_schema_that_is_not_a_bare_object(document: dict[str, Any]) -> None:
    untyped = []
    for path, method, operation in operations(document):
        for status, response in operation["responses"].items():
            if not str(status).startswith("2") or str(status) == "204":
                continue
            content = response.get("content") or {}
            if not content:
                untyped.append((method, path, status, "no content"))
                continue
            if "application/json" not in content:
                continue  # a file (PDF, attachment) with its content types declared
            schema = content["application/json"].get("schema", {})
            if schema.get("type") == "array":
                schema = schema.get("items", {})
            if "$ref" not in schema:
                untyped.append((method, path, status, schema))
                continue
            _name, target = component(document, schema)
            if target.get("type") != "object" or not target.get("properties"):
                untyped.append((method, path, status, target))
    assert untyped == []


def test_every_error_answer_is_the_uniform_body_with_its_codes(document: dict[str, Any]) -> None:
    wrong = []
    for path, method, operation in operations(document):
        responses = operation["responses"]
        takes_input = bool(operation.get("parameters") or operation.get("requestBody"))
        for status in ("401", "422") if takes_input else ("401",):
            if status not in {str(code) for code in responses}:
                wrong.append((method, path, f"{status} not declared"))
        for status, response in responses.items():
            if not str(status).startswith("4"):
                continue
            name, target = component(document, response["content"]["application/json"]["schema"])
            if not {"detail", "code", "errors"} <= set(target.get("required", [])):
                wrong.append((method, path, status, name, "fields"))
            if set(target["properties"]["code"]["enum"]) != set(codes_for(int(status))):
                wrong.append((method, path, status, name, target["properties"]["code"]))
    assert wrong == []


def test_the_error_schemas_together_document_every_code(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    documented = {
        code
        for schema in schemas.values()
        if set(schema.get("properties", {})) >= {"detail", "code", "errors"}
        for code in schema["properties"]["code"]["enum"]
    }
    assert documented == {item.value for item in ErrorCode}


def test_answers_are_free_form_only_where_the_data_is(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    loose = {
        (name, prop)
        for name in answer_components(document)
        for prop, schema in (schemas[name].get("properties") or {}).items()
        if is_free_form(schema)
    }
    assert loose == FREE_FORM


def test_no_two_schemas_share_a_name_with_different_shapes() -> None:
    """The document keys schemas by class name: a second class of the same name would replace
    the first silently, and one endpoint would be documented with another's body."""
    shapes: dict[str, dict[str, Any]] = defaultdict(dict)
    for module_name in ROUTER_MODULES:
        module = importlib.import_module(module_name)
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, Schema) and value.__module__ == module_name:
                shapes[value.__name__][module_name] = value.model_json_schema()
    clashes = {
        name: sorted(by_module)
        for name, by_module in shapes.items()
        if len({repr(sorted(shape.items())) for shape in by_module.values()}) > 1
    }
    assert clashes == {}
