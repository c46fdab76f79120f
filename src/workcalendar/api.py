"""The workcalendar part of the public API v1."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["workcalendar"])

#: (prefix under /api/v1, router) pairs that aftersales.api mounts.
ROUTERS: list[tuple[str, Router]] = [("/work-calendars", router)]
