"""The follow-up card on a work order's page: its callbacks and complaints."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from workorders.panels import OrderPanel, register_order_panel


def order_followup_context(request: HttpRequest, order: Any) -> dict[str, Any] | None:
    """Callbacks and the survey exist once the order was completed: an open order's card reads
    nothing (the order page keeps its query budget) and links to its complaints."""
    from followup.models import Survey
    from followup.selectors import callbacks_visible_to, complaints_visible_to
    from workorders.choices import Status

    user = request.user
    may_callbacks = user.has_perm("followup.view_callbacktask")
    may_complaints = user.has_perm("followup.view_complaint")
    if not (may_callbacks or may_complaints):
        return None
    finished = order.completed_at is not None and order.status in {Status.COMPLETED, Status.FOLLOWED_UP, Status.CLOSED}
    callbacks = (
        list(callbacks_visible_to(user).filter(order=order).order_by("-visit_at")) if may_callbacks and finished else []
    )
    complaints = list(complaints_visible_to(user).filter(work_order=order)) if may_complaints and finished else []
    survey = Survey.objects.filter(order=order).first() if finished else None
    return {
        "survey": survey,
        "order": order,
        "callbacks": callbacks,
        "complaints": complaints,
        "finished": finished,
        "may_complaints": may_complaints,
        "may_complain": user.has_perm("followup.add_complaint"),
    }


def register() -> None:
    register_order_panel(
        OrderPanel(
            name="followup",
            template="followup/partials/order_panel.html",
            context=order_followup_context,
            order=70,
            column="side",
        )
    )
