"""The devices card on the customer page (core.panels)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from core.panels import PagePanel, register_page_panel


def customer_devices_context(request: HttpRequest, customer: Any) -> dict[str, Any]:
    from devices.selectors import devices_visible_to

    devices = devices_visible_to(request.user).filter(customer=customer).order_by("-id")
    return {"devices": list(devices)}


def register() -> None:
    register_page_panel(
        PagePanel(
            page="customer",
            name="devices",
            template="devices/panels/customer_devices.html",
            context=customer_devices_context,
            order=10,
        )
    )
