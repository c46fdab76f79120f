"""Reads of billing, each scoped by the unit of the order it belongs to (core.scoping)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Prefetch, QuerySet

from billing.choices import QuoteStatus
from billing.models import FeeSchedule, PartPrice, PartPriceList, PurchaseQuoteRequest, Quote, QuoteLine, Settlement
from core.scoping import scope_by_unit
from workorders.models import WorkOrder


def quotes_visible_to(user: Any) -> QuerySet[Quote]:
    """The one scoping rule for quotes: the unit responsible for the order."""
    quotes = Quote.objects.select_related("order", "schedule", "price_list").prefetch_related(
        Prefetch("lines", queryset=QuoteLine.objects.order_by("position"))
    )
    return scope_by_unit(quotes, user, field="order__unit", permission="billing.view_quote")


def settlements_visible_to(user: Any) -> QuerySet[Settlement]:
    settlements = Settlement.objects.select_related("order", "order__customer", "quote", "reviewed_by", "recorded_by")
    return scope_by_unit(settlements, user, field="order__unit", permission="billing.view_settlement")


def purchase_requests_visible_to(user: Any) -> QuerySet[PurchaseQuoteRequest]:
    requests = PurchaseQuoteRequest.objects.select_related("order", "priced_by", "requested_by")
    return scope_by_unit(requests, user, field="order__unit", permission="billing.view_purchasequoterequest")


def fee_schedule_in_force(on: date) -> FeeSchedule | None:
    """The version with the latest effective date on or before ``on``."""
    return FeeSchedule.objects.filter(effective_from__lte=on).order_by("-effective_from").first()


def part_price_list_in_force(on: date) -> PartPriceList | None:
    return PartPriceList.objects.filter(effective_from__lte=on).order_by("-effective_from").first()


def fee_schedules() -> QuerySet[FeeSchedule]:
    """Fee schedules are company-wide configuration (not unit data): no unit scoping."""
    return FeeSchedule.objects.prefetch_related("rates").order_by("-effective_from")


def part_price_lists() -> QuerySet[PartPriceList]:
    return PartPriceList.objects.prefetch_related(
        Prefetch("prices", queryset=PartPrice.objects.order_by("code"))
    ).order_by("-effective_from")


def order_quote(user: Any, order: WorkOrder) -> Quote | None:
    """The order's current quote: the newest one not superseded."""
    return (
        quotes_visible_to(user).filter(order=order).exclude(status=QuoteStatus.SUPERSEDED).order_by("-number").first()
    )


def order_quote_for_customer(order: WorkOrder) -> Quote | None:
    """For the customer's own page (the session proved the order): the quote sent or decided."""
    return (
        Quote.objects.filter(
            order=order, status__in=[QuoteStatus.SENT, QuoteStatus.APPROVED, QuoteStatus.DECLINED, QuoteStatus.WAIVED]
        )
        .prefetch_related(Prefetch("lines", queryset=QuoteLine.objects.order_by("position")))
        .order_by("-number")
        .first()
    )
