"""How a recorded warranty decision reads on the order's timeline (its reasons are on the card)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from policies.choices import Coverage, RemedyRequest, WarrantyStatus
from workorders.panels import choice_text


def warranty_event_params(event: Any) -> list[tuple[str, str]]:
    data = event.data or {}
    rows = [
        (_("warranty status"), choice_text(WarrantyStatus, data.get("status"))),
        (_("charge"), choice_text(Coverage, data.get("coverage"))),
    ]
    if data.get("ends_on"):
        rows.append((_("warranty ends"), str(data["ends_on"])))
    remedies = [choice_text(RemedyRequest, code) for code in data.get("remedies") or []]
    if remedies:
        rows.append((_("customer may choose"), "、".join(remedies)))
    return rows
