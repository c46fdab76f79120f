"""The follow-up card on a work order's page (its callbacks and complaints), and the rating button on
the customer's order page in the portal (core.panels: the portal sits below and imports nothing of
this app)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from core.panels import PagePanel, register_page_panel
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


def portal_survey_context(request: HttpRequest, order: Any) -> dict[str, Any] | None:
    """The survey's address while it can be answered, else None (no button). The customer of a
    completed order who opens the page before the job sent the link gets one at once."""
    from django.urls import reverse
    from django.utils import timezone

    from followup.surveys import survey_ensure, survey_refusal

    survey = survey_ensure(order)
    if survey is None or survey_refusal(survey, now=timezone.now()):
        return None
    return {"survey_url": reverse("followup:survey", args=[survey.token])}


def register() -> None:
    register_page_panel(
        PagePanel(
            page="portal_order",
            name="rate-service",
            template="followup/panels/portal_rate_service.html",
            context=portal_survey_context,
        )
    )
    register_order_panel(
        OrderPanel(
            name="followup",
            template="followup/partials/order_panel.html",
            context=order_followup_context,
            order=70,
            column="side",
        )
    )
