"""The device page's card of its maintenance plans and next occurrences (core.panels)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def device_plans_context(request: HttpRequest, device: Any) -> dict[str, Any] | None:
    from django.db.models import Q

    from maintenance.selectors import occurrences_visible_to, plans_visible_to

    user = request.user
    if not user.has_perm("maintenance.view_maintenanceplan"):
        return None
    condition = Q(devices=device) | Q(contract__devices=device) | Q(
        contract__customer_id=device.customer_id, contract__devices=None
    )
    plans = list(plans_visible_to(user).filter(condition).distinct().order_by("-id")[:10])
    occurrences = list(occurrences_visible_to(user).filter(device=device).order_by("-due_on")[:6])
    return {"plans": plans, "occurrences": occurrences, "device": device}


def register() -> None:
    from core.panels import PagePanel, register_page_panel

    register_page_panel(
        PagePanel(
            page="device",
            name="maintenance",
            template="maintenance/panels/device_plans.html",
            context=device_plans_context,
            order=40,
            column="side",
        )
    )
