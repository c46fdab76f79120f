"""Who is acting and in which request, for the change log, without threading it through calls."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

current_user: ContextVar[Any | None] = ContextVar("current_user", default=None)
current_request_id: ContextVar[str] = ContextVar("current_request_id", default="")


@contextlib.contextmanager
def acting_as(user: Any | None, request_id: str | None = None) -> Iterator[None]:
    user_token = current_user.set(user)
    request_token = current_request_id.set(request_id or uuid.uuid4().hex)
    try:
        yield
    finally:
        current_user.reset(user_token)
        current_request_id.reset(request_token)
