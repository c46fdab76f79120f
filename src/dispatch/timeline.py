"""How bookings read on the order's timeline."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from workorders.panels import moment_text

ACTIONS = {
    "book": gettext_lazy("Booked"),
    "reschedule": gettext_lazy("Rescheduled"),
    "cancel": gettext_lazy("Cancelled"),
}


def appointment_event_params(event: Any) -> list[tuple[str, str]]:
    data = event.data or {}
    rows = []
    if data.get("action") in ACTIONS:
        rows.append((_("appointment"), str(ACTIONS[data["action"]])))
    technician = data.get("technician")
    if isinstance(technician, dict) and technician.get("name"):
        rows.append((_("technician"), str(technician["name"])))
    if data.get("window_start"):
        end = moment_text(data.get("window_end"))[-5:] if data.get("window_end") else ""
        rows.append((_("window"), f"{moment_text(data['window_start'])}–{end}"))
    return rows
