"""The policies part of the public API v1."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["policies"])
device_router = Router(tags=["policies"])

#: (prefix under /api/v1, router) pairs that aftersales.api mounts.
ROUTERS: list[tuple[str, Router]] = [("/warranty", router), ("/devices", device_router)]
