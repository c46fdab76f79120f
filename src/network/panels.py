"""The technical-support card on a work order's page: the order's escalations and their answers,
and the "escalate" button for the station."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from workorders.panels import OrderPanel, register_order_panel


def order_support_context(request: HttpRequest, order: Any) -> dict[str, Any] | None:
    from core.choices import UnitKind
    from network.selectors import support_visible_to

    user = request.user
    if not user.has_perm("network.view_supportrequest"):
        return None
    requests = list(support_visible_to(user).filter(order=order).order_by("-created_at"))
    station_order = order.unit is not None and order.unit.kind == UnitKind.STATION
    may_escalate = (
        station_order and user.has_perm("network.add_supportrequest") and not any(r.status == "open" for r in requests)
    )
    if not requests and not may_escalate:
        return None
    return {"order": order, "support_requests": requests, "may_escalate": may_escalate}


def register() -> None:
    register_order_panel(
        OrderPanel(
            name="network-support",
            template="network/partials/order_panel.html",
            context=order_support_context,
            order=75,
            column="side",
        )
    )
