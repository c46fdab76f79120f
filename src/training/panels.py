"""The trainings card on the device page (core.panels)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def device_trainings_context(request: HttpRequest, device: Any) -> dict[str, Any] | None:
    from training.selectors import trainings_of_device

    if not request.user.has_perm("training.view_trainingrecord"):
        return None
    return {"device_trainings": list(trainings_of_device(device=device, user=request.user)[:20])}


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
