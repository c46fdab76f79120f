"""The field-work part of the public API v1 (``/api/v1/field``)."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["field"])

#: (prefix under /api/v1, router) pairs that aftersales.api mounts.
ROUTERS: list[tuple[str, Router]] = [("/field", router)]
