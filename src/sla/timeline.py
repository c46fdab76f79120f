"""How service-level alerts read on the order's timeline."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from core.choices import Role
from sla.choices import SlaStatus, Target
from workorders.panels import choice_text, moment_text


def sla_event_params(event: Any) -> list[tuple[str, str]]:
    data = event.data or {}
    target = data.get("target")
    rows = [
        (_("target"), _("Callback") if target == "callback" else choice_text(Target, target)),
        (_("state"), _("call back now") if data.get("state") == "due" else choice_text(SlaStatus, data.get("state"))),
    ]
    if data.get("deadline"):
        rows.append((_("deadline"), moment_text(data["deadline"])))
    if data.get("escalated_to"):
        rows.append((_("escalated to"), choice_text(Role, data["escalated_to"])))
    return rows
