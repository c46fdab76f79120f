"""The billing part of the public API v1: fee schedules, parts prices, an order's quote,
purchasing prices, settlements with their receipt PDF, finance review. Thin: parse, call
services/selectors, serialise. Money goes out as strings with two decimals."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from pydantic import Field

from billing import services
from billing.choices import PaymentMethod
from billing.models import FeeSchedule, PartPriceList, PurchaseQuoteRequest, Quote, Settlement
from billing.pdf import settlement_receipt_pdf
from billing.selectors import (
    fee_schedules,
    order_quote,
    part_price_lists,
    purchase_requests_visible_to,
    settlements_visible_to,
)
from core.api import (
    ERROR_RESPONSES,
    MAX_ID,
    Date,
    DateText,
    DateTime,
    DateTimeText,
    DecimalText,
    MoneyText,
    NumberText,
    PageQuery,
    StrictIn,
    idempotent_create,
    local_iso,
    money_text,
    paginate,
)
from core.choices import FeeKind
from workorders.models import WorkOrder
from workorders.selectors import workorders_visible_to

router = Router(tags=["billing"])

#: (prefix under /api/v1, router) pairs that aftersales.api mounts.
ROUTERS: list[tuple[str, Router]] = [("/billing", router)]

#: Numbers arrive as text or JSON numbers (never booleans); the service checks sign and decimals and names the field.
Number = NumberText


def _deny_without(request: HttpRequest, permission: str) -> None:
    from django.core.exceptions import PermissionDenied
    from django.utils.translation import gettext as _

    if not request.user.has_perm(permission):
        raise PermissionDenied(_("Permission denied."))


# --- fee schedules and price lists ---------------------------------------------------------


class RateIn(StrictIn):
    kind: Literal["labour", "parts", "software", "travel", "lodging", "meals", "allowance"]
    unit: Literal["per_day", "per_hour", "actual"]
    amount: Number | None = None
    customer_may_provide: bool = False
    remark: str = Field(default="", max_length=200)


class FeeScheduleIn(StrictIn):
    effective_from: Date
    note: str = Field(default="", max_length=200)
    rates: list[RateIn] = Field(max_length=len(FeeKind.values))


class RateOut(Schema):
    kind: str
    unit: str
    amount: MoneyText | None = Field(description="Null: charged at actual cost")
    customer_may_provide: bool
    remark: str


class FeeScheduleOut(Schema):
    id: int
    effective_from: DateText
    note: str
    rates: list[RateOut]


class FeeScheduleListOut(Schema):
    items: list[FeeScheduleOut]
    count: int


def fee_schedule_out(schedule: FeeSchedule) -> dict[str, Any]:
    return {
        "id": schedule.pk,
        "effective_from": schedule.effective_from.isoformat(),
        "note": schedule.note,
        "rates": [
            {
                "kind": rate.kind,
                "unit": rate.unit,
                "amount": money_text(rate.amount),
                "customer_may_provide": rate.customer_may_provide,
                "remark": rate.remark,
            }
            for rate in schedule.rates.all()
        ],
    }


@router.get(
    "/fee-schedules",
    response={200: FeeScheduleListOut, **ERROR_RESPONSES},
    summary="Fee schedule versions, newest first",
)
def list_fee_schedules(request: HttpRequest, page: Query[PageQuery]) -> Any:
    _deny_without(request, "billing.view_feeschedule")
    return paginate(fee_schedules(), page=page.page, page_size=page.page_size, serialize=fee_schedule_out)


@router.post(
    "/fee-schedules",
    response={201: FeeScheduleOut, **ERROR_RESPONSES},
    summary="A new fee schedule version (Idempotency-Key)",
)
def create_fee_schedule(request: HttpRequest, payload: FeeScheduleIn) -> Any:
    def create() -> tuple[int, dict[str, Any]]:
        schedule = services.fee_schedule_create(
            acting_user=request.user,
            effective_from=payload.effective_from,
            note=payload.note,
            rates=[services.RateSpec(**rate.dict()) for rate in payload.rates],
        )
        return 201, fee_schedule_out(FeeSchedule.objects.prefetch_related("rates").get(pk=schedule.pk))

    return idempotent_create(request, "billing.fee_schedules", create)


class PartPriceIn(StrictIn):
    code: str = Field(max_length=64)
    name: str = Field(max_length=100)
    unit_price: Number
    unit_of_measure: str = Field(default="个", max_length=16)


class PriceListIn(StrictIn):
    effective_from: Date
    note: str = Field(default="", max_length=200)
    prices: list[PartPriceIn] = Field(max_length=5000)


class PartPriceOut(Schema):
    code: str
    name: str
    unit_of_measure: str
    unit_price: MoneyText


class PriceListOut(Schema):
    id: int
    effective_from: DateText
    note: str
    prices: list[PartPriceOut]


class PriceListListOut(Schema):
    items: list[PriceListOut]
    count: int


def price_list_out(price_list: PartPriceList) -> dict[str, Any]:
    return {
        "id": price_list.pk,
        "effective_from": price_list.effective_from.isoformat(),
        "note": price_list.note,
        "prices": [
            {
                "code": p.code,
                "name": p.name,
                "unit_of_measure": p.unit_of_measure,
                "unit_price": money_text(p.unit_price),
            }
            for p in price_list.prices.all()
        ],
    }


@router.get(
    "/part-price-lists", response={200: PriceListListOut, **ERROR_RESPONSES}, summary="Parts price list versions"
)
def list_price_lists(request: HttpRequest, page: Query[PageQuery]) -> Any:
    _deny_without(request, "billing.view_partpricelist")
    return paginate(part_price_lists(), page=page.page, page_size=page.page_size, serialize=price_list_out)


@router.post(
    "/part-price-lists",
    response={201: PriceListOut, **ERROR_RESPONSES},
    summary="A new parts price list (Idempotency-Key)",
)
def create_price_list(request: HttpRequest, payload: PriceListIn) -> Any:
    def create() -> tuple[int, dict[str, Any]]:
        price_list = services.part_price_list_create(
            acting_user=request.user,
            effective_from=payload.effective_from,
            note=payload.note,
            prices=[services.PartPriceSpec(**p.dict()) for p in payload.prices],
        )
        return 201, price_list_out(part_price_lists().get(pk=price_list.pk))

    return idempotent_create(request, "billing.price_lists", create)


# --- quotes --------------------------------------------------------------------------------


def _order(request: HttpRequest, order_id: int) -> WorkOrder:
    if not 1 <= order_id <= MAX_ID:
        raise WorkOrder.DoesNotExist
    return workorders_visible_to(request.user).get(pk=order_id)


def _current_quote(request: HttpRequest, order: WorkOrder) -> Quote:
    """The order's current quote; none yet answers 404."""
    quote = order_quote(request.user, order)
    if quote is None:
        raise Quote.DoesNotExist
    return quote


class ScheduleRef(Schema):
    id: int
    effective_from: DateText


class QuoteLineOut(Schema):
    kind: str
    description: str
    quantity: DecimalText
    unit_price: MoneyText | None
    amount: MoneyText | None = Field(description="Null until priced (a part waiting for purchasing's price)")
    source: str
    provided_by_customer: bool
    is_waiver: bool
    remark: str


class QuoteReasonOut(Schema):
    rule: str
    message: str


class QuoteOut(Schema):
    id: int
    order: int
    version: int = Field(description="The quote's number for the order (1, 2, …)")
    status: str
    schedule: ScheduleRef | None
    lines: list[QuoteLineOut]
    subtotal: MoneyText
    waived: MoneyText
    total: MoneyText
    complete: bool = Field(description="Every line priced")
    reasons: list[QuoteReasonOut]
    sent_at: DateTimeText | None
    decided_at: DateTimeText | None
    decided_via: str
    confirmed_by: str


def quote_out(quote: Quote) -> dict[str, Any]:
    return {
        "id": quote.pk,
        "order": quote.order_id,
        "version": quote.number,
        "status": quote.status,
        "schedule": {"id": quote.schedule_id, "effective_from": quote.schedule.effective_from.isoformat()}
        if quote.schedule
        else None,
        "lines": services.quote_lines_data(quote),
        "subtotal": money_text(quote.subtotal),
        "waived": money_text(quote.waived),
        "total": money_text(quote.total),
        "complete": quote.is_complete,
        "reasons": quote.reasons,
        "sent_at": local_iso(quote.sent_at),
        "decided_at": local_iso(quote.decided_at),
        "decided_via": quote.decided_via,
        "confirmed_by": quote.confirmed_by,
    }


class QuotePartIn(StrictIn):
    code: str | None = Field(default=None, max_length=64, description="Price-list code; null for an unlisted part")
    description: str = Field(default="", max_length=100)
    quantity: Number = "1"


class QuoteBuildIn(StrictIn):
    days: Number = "0"
    nights: Number = "0"
    hours: Number = "0"
    travel_cost: Number = "0"
    parts: list[QuotePartIn] = Field(default=[], max_length=50)
    provided_by_customer: list[Literal["travel", "lodging", "meals", "allowance", "labour"]] = Field(
        default=[], max_length=7
    )


@router.get(
    "/orders/{order_id}/quote", response={200: QuoteOut, **ERROR_RESPONSES}, summary="The order's current quote"
)
def get_quote(request: HttpRequest, order_id: int) -> Any:
    return quote_out(_current_quote(request, _order(request, order_id)))


@router.post(
    "/orders/{order_id}/quote", response={201: QuoteOut, **ERROR_RESPONSES}, summary="Draw up (price) a draft quote"
)
def build_quote(request: HttpRequest, order_id: int, payload: QuoteBuildIn) -> Any:
    order = _order(request, order_id)

    def create() -> tuple[int, dict[str, Any]]:
        quote = services.quote_build(
            order=order,
            acting_user=request.user,
            days=payload.days,
            nights=payload.nights,
            hours=payload.hours,
            travel_cost=payload.travel_cost,
            parts=[services.PartRequest(p.code, p.description, p.quantity) for p in payload.parts],
            provided_by_customer=payload.provided_by_customer,
        )
        return 201, quote_out(quote)

    return idempotent_create(request, f"billing.quote.{order.pk}", create)


class SendIn(StrictIn):
    note: str = Field(default="", max_length=300)


@router.post(
    "/orders/{order_id}/quote/send",
    response={200: QuoteOut, **ERROR_RESPONSES},
    summary="Send the draft to the customer",
)
def send_quote(request: HttpRequest, order_id: int, payload: SendIn) -> Any:
    order = _order(request, order_id)
    quote = _current_quote(request, order)
    return quote_out(services.quote_send(quote=quote, acting_user=request.user, note=payload.note))


class ConfirmIn(StrictIn):
    confirmed_by: str = Field(max_length=64, description="Who on the customer's side confirmed by phone")
    confirmed_at: DateTime | None = None
    note: str = Field(default="", max_length=300)


@router.post(
    "/orders/{order_id}/quote/confirm",
    response={200: QuoteOut, **ERROR_RESPONSES},
    summary="Record the customer's approval given by phone",
)
def confirm_quote(request: HttpRequest, order_id: int, payload: ConfirmIn) -> Any:
    order = _order(request, order_id)
    quote = _current_quote(request, order)
    quote = services.quote_confirm_by_phone(
        quote=quote,
        acting_user=request.user,
        confirmed_by=payload.confirmed_by,
        confirmed_at=payload.confirmed_at,
        note=payload.note,
    )
    return quote_out(order_quote(request.user, order) or quote)


# --- purchasing quotes ---------------------------------------------------------------------


class PurchaseRequestOut(Schema):
    id: int
    order: int
    description: str
    quantity: DecimalText
    status: str
    unit_price: MoneyText | None
    priced_at: DateTimeText | None
    note: str


class PurchaseRequestListOut(Schema):
    items: list[PurchaseRequestOut]
    count: int


def purchase_out(item: PurchaseQuoteRequest) -> dict[str, Any]:
    return {
        "id": item.pk,
        "order": item.order_id,
        "description": item.description,
        "quantity": str(item.quantity),
        "status": item.status,
        "unit_price": money_text(item.unit_price),
        "priced_at": local_iso(item.priced_at),
        "note": item.note,
    }


class PurchaseFilters(PageQuery):
    status: Literal["open", "priced", ""] = ""


@router.get(
    "/purchase-requests", response={200: PurchaseRequestListOut, **ERROR_RESPONSES}, summary="Parts waiting for a price"
)
def list_purchase_requests(request: HttpRequest, filters: Query[PurchaseFilters]) -> Any:
    items = purchase_requests_visible_to(request.user)
    if filters.status:
        items = items.filter(status=filters.status)
    return paginate(items, page=filters.page, page_size=filters.page_size, serialize=purchase_out)


class PriceIn(StrictIn):
    unit_price: Number
    note: str = Field(default="", max_length=200)


@router.post(
    "/purchase-requests/{request_id}/price",
    response={200: PurchaseRequestOut, **ERROR_RESPONSES},
    summary="Purchasing's price",
)
def price_purchase_request(request: HttpRequest, request_id: int, payload: PriceIn) -> Any:
    if not 1 <= request_id <= MAX_ID:
        raise PurchaseQuoteRequest.DoesNotExist
    item = purchase_requests_visible_to(request.user).get(pk=request_id)
    return purchase_out(
        services.purchase_request_price(
            request=item, acting_user=request.user, unit_price=payload.unit_price, note=payload.note
        )
    )


# --- settlements ---------------------------------------------------------------------------


class SettlementOut(Schema):
    id: int
    order: int
    receipt_number: str
    quote: int | None
    actual_charge: MoneyText
    payment_method: str
    amount_paid: MoneyText
    paid_at: DateTimeText
    receiver: str
    note: str
    status: str
    reviewed_at: DateTimeText | None
    review_note: str
    version: int
    receipt_url: str = Field(description="The receipt (收费单据) PDF")


class SettlementListOut(Schema):
    items: list[SettlementOut]
    count: int


def settlement_out(settlement: Settlement) -> dict[str, Any]:
    return {
        "id": settlement.pk,
        "order": settlement.order_id,
        "receipt_number": settlement.receipt_number,
        "quote": settlement.quote_id,
        "actual_charge": money_text(settlement.actual_charge),
        "payment_method": settlement.payment_method,
        "amount_paid": money_text(settlement.amount_paid),
        "paid_at": local_iso(settlement.paid_at),
        "receiver": settlement.receiver,
        "note": settlement.note,
        "status": settlement.status,
        "reviewed_at": local_iso(settlement.reviewed_at),
        "review_note": settlement.review_note,
        "version": settlement.version,
        "receipt_url": f"/api/v1/billing/settlements/{settlement.pk}/receipt.pdf",
    }


class SettlementIn(StrictIn):
    actual_charge: Number
    amount_paid: Number
    payment_method: Literal[tuple(PaymentMethod.values)]  # type: ignore[valid-type]
    receiver: str = Field(max_length=64)
    paid_at: DateTime | None = None
    note: str = Field(default="", max_length=300)


@router.post(
    "/orders/{order_id}/settlements",
    response={201: SettlementOut, **ERROR_RESPONSES},
    summary="Record the settlement (receipt number issued; Idempotency-Key)",
)
def create_settlement(request: HttpRequest, order_id: int, payload: SettlementIn) -> Any:
    order = _order(request, order_id)

    def create() -> tuple[int, dict[str, Any]]:
        settlement = services.settlement_record(order=order, acting_user=request.user, **payload.dict())
        return 201, settlement_out(settlement)

    return idempotent_create(request, f"billing.settlement.{order.pk}", create)


class SettlementFilters(PageQuery):
    status: Literal["recorded", "reviewed", "rejected", ""] = ""


@router.get(
    "/settlements", response={200: SettlementListOut, **ERROR_RESPONSES}, summary="Settlements (finance's review list)"
)
def list_settlements(request: HttpRequest, filters: Query[SettlementFilters]) -> Any:
    items = settlements_visible_to(request.user)
    if filters.status:
        items = items.filter(status=filters.status)
    return paginate(items, page=filters.page, page_size=filters.page_size, serialize=settlement_out)


def _settlement(request: HttpRequest, settlement_id: int) -> Settlement:
    if not 1 <= settlement_id <= MAX_ID:
        raise Settlement.DoesNotExist
    return settlements_visible_to(request.user).get(pk=settlement_id)


@router.get("/settlements/{settlement_id}", response={200: SettlementOut, **ERROR_RESPONSES}, summary="One settlement")
def get_settlement(request: HttpRequest, settlement_id: int) -> Any:
    return settlement_out(_settlement(request, settlement_id))


@router.get(
    "/settlements/{settlement_id}/receipt.pdf",
    response={200: None, **ERROR_RESPONSES},
    summary="The receipt (收费单据) as PDF",
    openapi_extra={"responses": {200: {"description": "The receipt", "content": {"application/pdf": {}}}}},
)
def get_receipt(request: HttpRequest, settlement_id: int) -> Any:
    settlement = _settlement(request, settlement_id)
    response = HttpResponse(settlement_receipt_pdf(settlement), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{settlement.receipt_number}.pdf"'
    return response


class SettlementReviewIn(StrictIn):
    decision: Literal["approve", "reject"]
    note: str = Field(default="", max_length=300)
    version: int | None = None


@router.post(
    "/settlements/{settlement_id}/review", response={200: SettlementOut, **ERROR_RESPONSES}, summary="Finance review"
)
def review_settlement(request: HttpRequest, settlement_id: int, payload: SettlementReviewIn) -> Any:
    settlement = _settlement(request, settlement_id)
    return settlement_out(
        services.settlement_review(
            settlement=settlement,
            acting_user=request.user,
            approve=payload.decision == "approve",
            note=payload.note,
            expected_version=payload.version,
        )
    )
