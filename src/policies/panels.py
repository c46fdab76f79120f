"""The warranty card on a work order's page: the latest recorded decision, its reasons and remedies."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from workorders.panels import OrderPanel, register_order_panel


def order_warranty_context(request: HttpRequest, order: Any) -> dict[str, Any] | None:
    from policies.selectors import latest_order_decision
    from policies.waivers import fee_waivers_for_order

    record = latest_order_decision(order)
    if record is None:
        return None
    return {
        "record": record,
        "decision": record.result,
        "waivers": fee_waivers_for_order(order=order),
        "history_count": order.warranty_decisions.count(),
    }


def register() -> None:
    register_order_panel(
        OrderPanel(
            name="warranty",
            template="policies/partials/order_panel.html",
            context=order_warranty_context,
            order=20,
            column="main",
        )
    )
