"""The order-history cards on the customer and device pages (core.panels) and the work orders of
the device API's detail (core.api_extensions)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from core.panels import PagePanel, register_page_panel

RECENT_ORDERS = 20  # the customer page shows the newest; the list page has them all


def customer_orders_context(request: HttpRequest, customer: Any) -> dict[str, Any]:
    from workorders.selectors import workorders_visible_to

    orders = workorders_visible_to(request.user).filter(customer=customer).order_by("-submitted_at", "-id")
    return {"orders": list(orders[:RECENT_ORDERS]), "order_count": orders.count()}


def device_orders_context(request: HttpRequest, device: Any) -> dict[str, Any]:
    from workorders.selectors import workorders_visible_to

    orders = workorders_visible_to(request.user).filter(device=device).order_by("-submitted_at", "-id")
    return {"orders": list(orders)}


def device_api_work_orders(request: HttpRequest, device: Any) -> dict[str, Any]:
    from django.utils import timezone

    from workorders.selectors import workorders_visible_to

    orders = workorders_visible_to(request.user).filter(device=device).order_by("-submitted_at", "-id")
    return {
        "work_orders": [
            {
                "id": order.pk,
                "number": order.number,
                "status": order.status,
                "service_type": order.service_type,
                "submitted_at": timezone.localtime(order.submitted_at).isoformat(),
            }
            for order in orders
        ]
    }


def register() -> None:
    from core.api_extensions import register_api_fields

    register_api_fields(resource="device", name="work_orders", values=device_api_work_orders)
    register_page_panel(
        PagePanel(
            page="customer",
            name="orders",
            template="workorders/panels/customer_orders.html",
            context=customer_orders_context,
            order=20,
        )
    )
    register_page_panel(
        PagePanel(
            page="device",
            name="orders",
            template="workorders/panels/device_orders.html",
            context=device_orders_context,
            order=20,
        )
    )
