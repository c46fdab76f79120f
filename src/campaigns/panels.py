"""The campaigns card on the device page (core.panels): the campaigns the device is part of."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def device_campaigns_context(request: HttpRequest, device: Any) -> dict[str, Any] | None:
    from campaigns.selectors import campaigns_of_device

    if not request.user.has_perm("campaigns.view_campaign"):
        return None
    return {"device_campaigns": list(campaigns_of_device(device=device, user=request.user).order_by("-id")[:20])}


def register() -> None:
    from core.panels import PagePanel, register_page_panel

    register_page_panel(
        PagePanel(
            page="device",
            name="campaigns",
            template="campaigns/panels/device_campaigns.html",
            context=device_campaigns_context,
            order=40,
            column="main",
        )
    )
