"""The claims card on a work order's page: its claims with their outcome, and "new claim"."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from workorders.choices import ServiceType
from workorders.panels import OrderPanel, register_order_panel


def order_claims_context(request: HttpRequest, order: Any) -> dict[str, Any] | None:
    """Shown on claim orders, and on any order that has claims the user may see."""
    from claims.selectors import claims_visible_to

    if not request.user.has_perm("claims.view_claim"):
        return None
    claims = list(claims_visible_to(request.user).filter(work_order=order).order_by("-id"))
    if not claims and order.service_type != ServiceType.CLAIM:
        return None
    return {"order": order, "claims": claims, "may_add": request.user.has_perm("claims.add_claim")}


def register() -> None:
    register_order_panel(
        OrderPanel(
            name="claims",
            template="claims/partials/order_panel.html",
            context=order_claims_context,
            order=60,
            column="main",
        )
    )
