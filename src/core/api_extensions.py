"""What apps above add to a lower app's API (ADR 0016): fields of its answers (a device's work
orders, a customer's devices) and steps of its creations (a product model's own warranty policy),
registered in their AppConfig.ready, so the lower app's API imports nothing above it. The lower
app's response schema declares the field, with a default for when no app fills it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest

FieldValues = Callable[[HttpRequest, Any], dict[str, Any]]
CreateStep = Callable[[HttpRequest, Any, Any], Any]

_FIELDS: dict[str, dict[str, FieldValues]] = {}
_CREATE_STEPS: dict[str, dict[str, CreateStep]] = {}


def register_api_fields(*, resource: str, name: str, values: FieldValues) -> None:
    """``values(request, obj)`` returns fields of ``resource``'s detail answers (one read may
    fill several); ``name`` says who adds them."""
    _FIELDS.setdefault(resource, {})[name] = values


def api_fields(resource: str, request: HttpRequest, obj: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for values in _FIELDS.get(resource, {}).values():
        fields.update(values(request, obj))
    return fields


def register_create_step(*, resource: str, name: str, step: CreateStep) -> None:
    """``step(request, created, payload)`` runs in the creation's transaction; its result is the
    answer's field ``name`` (a refusal — ValidationError — undoes the creation)."""
    _CREATE_STEPS.setdefault(resource, {})[name] = step


def run_create_steps(resource: str, request: HttpRequest, created: Any, payload: Any) -> dict[str, Any]:
    return {name: step(request, created, payload) for name, step in _CREATE_STEPS.get(resource, {}).items()}
