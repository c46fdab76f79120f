"""The devices card on the customer page (core.panels) and the devices of the customer API's
detail (core.api_extensions)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from core.panels import PagePanel, register_page_panel


def customer_devices_context(request: HttpRequest, customer: Any) -> dict[str, Any]:
    from devices.selectors import devices_visible_to

    devices = devices_visible_to(request.user).filter(customer=customer).order_by("-id")
    return {"devices": list(devices)}


def customer_api_devices(request: HttpRequest, customer: Any) -> dict[str, Any]:
    from devices.selectors import devices_visible_to

    devices = list(
        devices_visible_to(request.user).filter(customer=customer).order_by("id").values("id", "serial_number")
    )
    return {"device_ids": [device["id"] for device in devices], "devices": devices}


def register() -> None:
    from core.api_extensions import register_api_fields

    register_api_fields(resource="customer", name="devices", values=customer_api_devices)
    register_page_panel(
        PagePanel(
            page="customer",
            name="devices",
            template="devices/panels/customer_devices.html",
            context=customer_devices_context,
            order=10,
        )
    )
