"""The "Quote & settlement" card on the work-order detail page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from billing.choices import QuoteStatus
from billing.forms import PhoneConfirmForm, QuoteBuildForm, SettlementForm
from billing.selectors import order_quote, purchase_requests_visible_to, settlements_visible_to
from billing.services import SETTLEABLE, order_fee_waivers
from workorders.choices import Status
from workorders.models import WorkOrder


def quote_panel_context(request: HttpRequest, order: WorkOrder) -> dict[str, Any] | None:
    user = request.user
    if not user.has_perm("billing.view_quote"):
        return None
    quote = order_quote(user, order)
    may_quote = user.has_perm("billing.add_quote") and order.status == Status.ACCEPTED
    may_confirm = (
        quote is not None
        and quote.status == QuoteStatus.SENT
        and order.status == Status.QUOTED
        and user.has_perm("workorders.record_customer_action")
    )
    may_settle = user.has_perm("billing.add_settlement") and order.status in SETTLEABLE
    settlements = (
        list(settlements_visible_to(user).filter(order=order)) if user.has_perm("billing.view_settlement") else []
    )
    if quote is None and not may_quote and not settlements:
        return None
    lines = list(quote.lines.all()) if quote is not None else []
    initial = {}
    if quote is not None and quote.status in {QuoteStatus.APPROVED, QuoteStatus.WAIVED}:
        initial = {"actual_charge": quote.total, "amount_paid": quote.total}
    return {
        "order": order,
        "quote": quote,
        "lines": lines,
        "complete": all(line.amount is not None for line in lines),
        "waivers": order_fee_waivers(order) if may_quote else [],
        "build_form": QuoteBuildForm(prefix="quote") if may_quote else None,
        "may_send": may_quote and quote is not None and quote.status == QuoteStatus.DRAFT,
        "confirm_form": PhoneConfirmForm(prefix="phone") if may_confirm else None,
        "settlement_form": SettlementForm(prefix="settle", initial=initial)
        if may_settle and not any(s.status != "rejected" for s in settlements)
        else None,
        "settlements": settlements,
        "purchase_requests": list(purchase_requests_visible_to(user).filter(order=order)),
    }
