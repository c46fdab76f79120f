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
    condition = (
        Q(devices=device)
        | Q(contract__devices=device)
        | Q(contract__customer_id=device.customer_id, contract__devices=None)
    )
    plans = list(plans_visible_to(user).filter(condition).distinct().order_by("-id")[:10])
    occurrences = list(occurrences_visible_to(user).filter(device=device).order_by("-due_on")[:6])
    return {"plans": plans, "occurrences": occurrences, "device": device}


def order_inspection_context(request: HttpRequest, order: Any) -> dict[str, Any] | None:
    """A maintenance order's card: its plan, due date and the inspection page (the technician's
    phone page for the checklist results) with the count recorded so far."""
    from maintenance.choices import PlanServiceType
    from maintenance.models import InspectionResult, Occurrence

    if order.service_type not in PlanServiceType.values or not request.user.has_perm(
        "maintenance.view_inspectionresult"
    ):
        return None  # only a maintenance or inspection order can come from a plan (no query for the rest)
    occurrence = Occurrence.objects.select_related("plan__checklist").filter(work_order=order).first()
    if occurrence is None:
        return None
    checklist = occurrence.plan.checklist
    return {
        "occurrence": occurrence,
        "order": order,
        "recorded": InspectionResult.objects.filter(order=order).count(),
        "flagged": InspectionResult.objects.filter(order=order, out_of_limit=True).count(),
        "items": checklist.items.count() if checklist else 0,
    }


def register() -> None:
    from core.panels import PagePanel, register_page_panel
    from workorders.panels import OrderPanel, register_order_panel

    register_page_panel(
        PagePanel(
            page="field_job",
            name="inspection",
            template="maintenance/panels/field_job_inspection.html",
            context=order_inspection_context,
            order=10,
        )
    )
    register_order_panel(
        OrderPanel(
            name="maintenance",
            template="maintenance/panels/order_inspection.html",
            context=order_inspection_context,
            order=75,
            column="side",
        )
    )

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
