"""The dispatch part of the public API v1."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["dispatch"])

#: (prefix under /api/v1, router) pairs that aftersales.api mounts.
ROUTERS: list[tuple[str, Router]] = [("/dispatch", router)]
