"""How claim steps read on the order's timeline (the checklist is on the claim's page)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from claims.choices import ClaimOutcome, ClaimStatus
from workorders.panels import choice_text


def claim_event_params(event: Any) -> list[tuple[str, str]]:
    data = event.data or {}
    rows = [(_("claim"), str(data.get("claim", "—"))), (_("status"), choice_text(ClaimStatus, data.get("status")))]
    if data.get("outcome"):
        rows.append((_("outcome"), choice_text(ClaimOutcome, data["outcome"])))
    if data.get("payable_amount") not in (None, "0.00"):
        rows.append((_("payable"), f"¥{data['payable_amount']}"))
    return rows
