"""How quotes and settlements read on the order's timeline (the lines are on the card)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from billing.choices import QuoteStatus, SettlementStatus
from workorders.panels import choice_text


def quote_event_params(event: Any) -> list[tuple[str, str]]:
    data = event.data or {}
    rows = [(_("quote"), f"#{data.get('quote', '—')}"), (_("status"), choice_text(QuoteStatus, data.get("status")))]
    if data.get("waived") not in (None, "0.00"):
        rows.append((_("waived"), f"¥{data['waived']}"))
    if data.get("total") is not None:
        rows.append((_("total"), f"¥{data['total']}"))
    return rows


def settlement_event_params(event: Any) -> list[tuple[str, str]]:
    data = event.data or {}
    rows = [
        (_("receipt"), str(data.get("receipt", "—"))),
        (_("status"), choice_text(SettlementStatus, data.get("status"))),
    ]
    if data.get("actual_charge") is not None:
        rows.append((_("actual charge"), f"¥{data['actual_charge']}"))
    return rows
