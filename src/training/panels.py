"""The trainings card on the device page (core.panels)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def device_trainings_context(request: HttpRequest, device: Any) -> dict[str, Any] | None:
    from training.selectors import trainings_of_device

    if not request.user.has_perm("training.view_trainingrecord"):
        return None
    return {"device_trainings": list(trainings_of_device(device=device, user=request.user)[:20])}


def customer_training_due_context(request: HttpRequest, customer: Any) -> dict[str, Any] | None:
    """The customer's contracts that promise trainings, with the next one due (alert when close)."""
    from django.utils import timezone

    from training.selectors import commitments_due

    if not request.user.has_perm("training.view_trainingcommitment"):
        return None
    rows = commitments_due(user=request.user, today=timezone.localdate(), customer=customer)
    return {"training_due": rows} if rows else None


def register() -> None:
    from core.panels import PagePanel, register_page_panel

    register_page_panel(
        PagePanel(
            page="device",
            name="trainings",
            template="training/panels/device_trainings.html",
            context=device_trainings_context,
            order=45,
            column="main",
        )
    )
    register_page_panel(
        PagePanel(
            page="customer",
            name="training-due",
            template="training/panels/customer_training_due.html",
            context=customer_training_due_context,
            order=60,
            column="main",
        )
    )
