"""Do a creation once per key: the API's ``Idempotency-Key`` and the console forms' submission
token both use this, so a retried request or a double-clicked button never creates twice.

The key is reserved in the same transaction as the creation: of two concurrent attempts, the
second's insert of the key fails on the unique constraint, its creation is rolled back, and it
gets the first attempt's answer instead.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction

from core.models import IdempotencyRecord


class KeyReusedForAnotherRequest(Exception):
    """The key was used before with a different request: refuse rather than guess."""


def run_once(
    *, scope: str, user: Any | None, key: str, fingerprint: str, create: Callable[[], tuple[int, Any]]
) -> tuple[int, Any, bool]:
    """``(status, body, replayed)``: ``create()``'s answer, or the first answer for this key."""
    user = user if user is not None and getattr(user, "is_authenticated", False) else None
    existing = IdempotencyRecord.objects.filter(scope=scope, user=user, key=key).first()
    if existing is None:
        try:
            with transaction.atomic():
                status, body = create()
                IdempotencyRecord.objects.create(
                    scope=scope,
                    user=user,
                    key=key,
                    request_hash=fingerprint,
                    status_code=status,
                    response=json.loads(json.dumps(body, cls=DjangoJSONEncoder)),
                )
                return status, body, False
        except IntegrityError:
            existing = IdempotencyRecord.objects.filter(scope=scope, user=user, key=key).first()
            if existing is None:
                raise
    if existing.request_hash != fingerprint:
        raise KeyReusedForAnotherRequest(key)
    return existing.status_code, existing.response, True


def submit_once(*, scope: str, user: Any, token: str, create: Callable[[], int]) -> tuple[int, bool]:
    """A console form's creation, once per rendered form: ``(new record's id, replayed)``."""
    _status, body, replayed = run_once(
        scope=f"ui:{scope}", user=user, key=token, fingerprint="", create=lambda: (201, {"id": create()})
    )
    return int(body["id"]), replayed
