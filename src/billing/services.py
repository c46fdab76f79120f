"""Writes of billing: fee schedules, price lists, purchasing quotes, quotes and settlements.

Every function is keyword-only, runs in one transaction, checks permission and state,
validates (bad input → ``ValidationError`` naming the field) and records what it did on the
order's timeline. Order status changes go through ``workorders.services.workorder_transition``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.choices import (
    LineSource,
    PaymentMethod,
    PurchaseRequestStatus,
    QuoteStatus,
    RateUnit,
    SettlementStatus,
)
from billing.models import (
    FeeRate,
    FeeSchedule,
    PartPrice,
    PartPriceList,
    PurchaseQuoteRequest,
    Quote,
    QuoteLine,
    Settlement,
)
from billing.policies import PartItem, PricingDecision, QuoteInput, RateTerm, WaiverTerm, money, quote_price
from billing.selectors import fee_schedule_in_force, part_price_list_in_force
from core.choices import FeeKind
from core.numbering import next_number
from core.scoping import unit_ids_visible_to
from core.services import check_version, lock_for_update, save_versioned
from parts.services import part_ensure
from workorders.actions import workorder_approve_quote, workorder_quote
from workorders.choices import ChargeType, EventKind, Status
from workorders.models import WorkOrder
from workorders.services import workorder_record_event, workorder_update

MAX_MONEY = Decimal("9999999999.99")
MAX_QUANTITY = Decimal("99999999.99")
#: A settlement can be recorded once the order is under way and until it closes.
SETTLEABLE = frozenset(
    {
        Status.APPROVED,
        Status.ASSIGNED,
        Status.SCHEDULED,
        Status.IN_PROGRESS,
        Status.WAITING,
        Status.QC,
        Status.AWAITING_SIGNOFF,
        Status.COMPLETED,
        Status.FOLLOWED_UP,
    }
)


# --- input checks ---------------------------------------------------------------------------


def parse_decimal(value: Any, field: str, *, minimum: Decimal = Decimal("0"), maximum: Decimal = MAX_MONEY) -> Decimal:
    """A number with at most two decimals in [minimum, maximum], or a ValidationError naming ``field``."""
    if isinstance(value, float):
        value = repr(value)
    try:
        number = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("Enter a number.")}) from None
    if not number.is_finite():
        raise ValidationError({field: _("Enter a number.")})
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise ValidationError({field: _("Enter at most two decimal places.")})
    if number < 0:
        raise ValidationError({field: _("The value may not be negative.")})
    if number < minimum:
        raise ValidationError({field: _("The value must be at least %(minimum)s.") % {"minimum": minimum}})
    if number > maximum:
        raise ValidationError({field: _("The value is too large.")})
    return money(number)


def _decimal_or_error(
    errors: dict[str, str], value: Any, field: str, *, minimum: Decimal = Decimal("0"), maximum: Decimal = MAX_MONEY
) -> Decimal | None:
    """``parse_decimal`` for one of several inputs checked together: a refusal is added to
    ``errors`` (so every bad row or amount is reported at once) and gives ``None``."""
    try:
        return parse_decimal(value, field, minimum=minimum, maximum=maximum)
    except ValidationError as error:
        errors.update({k: v[0] for k, v in error.message_dict.items()})
        return None


def _require(user: Any, permission: str, message: str) -> None:
    if user is None or not user.has_perm(permission):
        raise PermissionDenied(message)


def _ensure_order_visible(order: WorkOrder, user: Any) -> None:
    visible = unit_ids_visible_to(user)
    if visible is not None and order.unit_id not in visible:
        raise ValidationError({"order": _("Unknown work order.")})


def _order_day(order: WorkOrder) -> date:
    return timezone.localdate(order.submitted_at)


# --- fee schedules and price lists ---------------------------------------------------------


@dataclass(frozen=True)
class RateSpec:
    kind: str
    unit: str
    amount: Any = None
    customer_may_provide: bool = False
    remark: str = ""


@transaction.atomic
def fee_schedule_create(
    *, acting_user: Any | None, effective_from: date, rates: Sequence[RateSpec], note: str = ""
) -> FeeSchedule:
    """A new version of the fee schedule. Versions are never edited: quotes keep the rates they used."""
    if acting_user is not None:
        _require(acting_user, "billing.add_feeschedule", _("You may not change the fee schedule."))
    if FeeSchedule.objects.filter(effective_from=effective_from).exists():
        raise ValidationError({"effective_from": _("A fee schedule with this effective date already exists.")})
    errors: dict[str, str] = {}
    seen: set[str] = set()
    cleaned: list[FeeRate] = []
    for index, spec in enumerate(rates):
        prefix = f"rates.{index}"
        if spec.kind not in FeeKind.values:
            errors[f"{prefix}.kind"] = _("Unknown fee kind.")
            continue
        if spec.kind in seen:
            errors[f"{prefix}.kind"] = _("Each fee may appear once.")
            continue
        seen.add(spec.kind)
        if spec.unit not in RateUnit.values:
            errors[f"{prefix}.unit"] = _("Choose per day, per hour or actual cost.")
            continue
        amount = None
        if spec.unit != RateUnit.ACTUAL:
            if spec.amount in (None, ""):
                errors[f"{prefix}.amount"] = _("Enter the rate.")
                continue
            amount = _decimal_or_error(errors, spec.amount, f"{prefix}.amount")
            if amount is None:
                continue
        cleaned.append(
            FeeRate(
                kind=spec.kind,
                unit=spec.unit,
                amount=amount,
                customer_may_provide=bool(spec.customer_may_provide),
                remark=(spec.remark or "").strip()[:200],
            )
        )
    if errors:
        raise ValidationError(errors)
    schedule = FeeSchedule(effective_from=effective_from, note=(note or "").strip()[:200], created_by=acting_user)
    schedule.full_clean()
    schedule.save()
    for rate in cleaned:
        rate.schedule = schedule
        rate.full_clean()
        rate.save()
    return schedule


@dataclass(frozen=True)
class PartPriceSpec:
    code: str
    name: str
    unit_price: Any
    unit_of_measure: str = "个"


@transaction.atomic
def part_price_list_create(
    *, acting_user: Any | None, effective_from: date, prices: Sequence[PartPriceSpec], note: str = ""
) -> PartPriceList:
    """A new version of the parts price list (附件2 零部件报价清单)."""
    if acting_user is not None:
        _require(acting_user, "billing.add_partpricelist", _("You may not change the parts price list."))
    if PartPriceList.objects.filter(effective_from=effective_from).exists():
        raise ValidationError({"effective_from": _("A price list with this effective date already exists.")})
    errors: dict[str, str] = {}
    rows: list[PartPrice] = []
    codes: set[str] = set()
    for index, spec in enumerate(prices):
        prefix = f"prices.{index}"
        code, name = (spec.code or "").strip(), (spec.name or "").strip()
        if not code:
            errors[f"{prefix}.code"] = _("Enter the part code.")
            continue
        if code in codes:
            errors[f"{prefix}.code"] = _("Part code %(code)s appears twice.") % {"code": code}
            continue
        codes.add(code)
        if not name:
            errors[f"{prefix}.name"] = _("Enter the part name.")
            continue
        unit_price = _decimal_or_error(errors, spec.unit_price, f"{prefix}.unit_price")
        if unit_price is None:
            continue
        rows.append(
            PartPrice(
                code=code[:64],
                name=name[:100],
                unit_price=unit_price,
                unit_of_measure=(spec.unit_of_measure or "个")[:16],
            )
        )
    if errors:
        raise ValidationError(errors)
    price_list = PartPriceList(effective_from=effective_from, note=(note or "").strip()[:200], created_by=acting_user)
    price_list.full_clean()
    price_list.save()
    for row in rows:
        row.price_list = price_list
        # The price list refers to the parts catalogue (one source of a part's code): a code the
        # catalogue does not know yet becomes a catalogue part.
        row.part = part_ensure(code=row.code, name=row.name, uom=row.unit_of_measure)
    PartPrice.objects.bulk_create(rows)
    return price_list


# --- purchasing quotes for parts not on the list -------------------------------------------


@transaction.atomic
def purchase_request_create(
    *, order: WorkOrder, acting_user: Any, description: str, quantity: Any
) -> PurchaseQuoteRequest:
    """Ask purchasing for the price of a part that is not on the price list."""
    _require(acting_user, "billing.add_quote", _("You may not draw up quotes."))
    _ensure_order_visible(order, acting_user)
    description = (description or "").strip()
    if not description:
        raise ValidationError({"description": _("Describe the part.")})
    request = PurchaseQuoteRequest(
        order=order,
        description=description[:100],
        quantity=parse_decimal(quantity, "quantity", minimum=Decimal("0.01"), maximum=MAX_QUANTITY),
        requested_by=acting_user,
    )
    request.full_clean()
    request.save()
    return request


@transaction.atomic
def purchase_request_price(
    *, request: PurchaseQuoteRequest, acting_user: Any, unit_price: Any, note: str = ""
) -> PurchaseQuoteRequest:
    """Purchasing enters the price; the order's draft quote waiting for it is priced again."""
    _require(acting_user, "billing.price_purchasequoterequest", _("You may not price parts."))
    request = lock_for_update(request)
    request.unit_price = parse_decimal(unit_price, "unit_price")
    request.status = PurchaseRequestStatus.PRICED
    request.priced_by, request.priced_at = acting_user, timezone.now()
    request.note = (note or "").strip()[:200]
    request.save(update_fields=["unit_price", "status", "priced_by", "priced_at", "note", "updated_at"])
    draft = (
        Quote.objects.filter(order=request.order_id, status=QuoteStatus.DRAFT, lines__purchase_request=request)
        .order_by("-number")
        .first()
    )
    if draft is not None:
        _reprice_draft(draft, request)
    return request


def _reprice_draft(quote: Quote, request: PurchaseQuoteRequest) -> None:
    for line in quote.lines.filter(purchase_request=request):
        line.unit_price = request.unit_price
        line.amount = money(line.quantity * request.unit_price) if request.unit_price is not None else None
        line.remark = _("priced by purchasing")
        line.save(update_fields=["unit_price", "amount", "remark"])
    _retotal(quote)


def _retotal(quote: Quote) -> None:
    """Waivers cancel the lines of their kind: recompute them, then the totals."""
    lines = list(quote.lines.all())
    charged = [line for line in lines if not line.is_waiver]
    for waiver in (line for line in lines if line.is_waiver):
        waived = sum(
            (line.amount for line in charged if line.kind == waiver.kind and line.amount is not None), Decimal(0)
        )
        waiver.unit_price = waiver.amount = -money(waived)
        waiver.save(update_fields=["unit_price", "amount"])
    quote.subtotal = money(sum((line.amount for line in charged if line.amount is not None), Decimal(0)))
    quote.waived = money(
        -sum((line.amount for line in lines if line.is_waiver and line.amount is not None), Decimal(0))
    )
    quote.total = money(quote.subtotal - quote.waived)
    quote.save(update_fields=["subtotal", "waived", "total", "updated_at"])


# --- quotes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartRequest:
    """A part the quote needs: ``code`` from the price list, or None for an unlisted part."""

    code: str | None
    description: str
    quantity: Any


def order_fee_waivers(order: WorkOrder) -> list[WaiverTerm]:
    """What warranty and contracts waive on this order (policies.waivers)."""
    from policies.waivers import fee_waivers_for_order

    return [
        WaiverTerm(kind=w.kind, source=w.source, label=str(w.label), reason=str(w.reason))
        for w in fee_waivers_for_order(order=order)
    ]


def _rates_of(schedule: FeeSchedule) -> dict[str, RateTerm]:
    return {
        rate.kind: RateTerm(
            kind=rate.kind,
            unit=rate.unit,
            amount=rate.amount,
            customer_may_provide=rate.customer_may_provide,
            remark=rate.remark,
        )
        for rate in schedule.rates.all()
    }


def _part_items(
    *,
    order: WorkOrder,
    acting_user: Any,
    parts: Iterable[PartRequest | tuple[Any, ...]],
    price_list: PartPriceList | None,
) -> list[PartItem]:
    items: list[PartItem] = []
    errors: dict[str, str] = {}
    requests = [raw if isinstance(raw, PartRequest) else PartRequest(*raw) for raw in parts]
    codes = {(part.code or "").strip() for part in requests} - {""}
    listed_by_code = (
        {price.code: price for price in price_list.prices.filter(code__in=codes)} if price_list and codes else {}
    )
    for index, part in enumerate(requests):
        prefix = f"parts.{index}"
        quantity = _decimal_or_error(
            errors, part.quantity, f"{prefix}.quantity", minimum=Decimal("0.01"), maximum=MAX_QUANTITY
        )
        if quantity is None:
            continue
        code = (part.code or "").strip()
        description = (part.description or "").strip()
        if code:
            listed = listed_by_code.get(code)
            if listed is None:
                errors[f"{prefix}.code"] = _("Part code “%(code)s” is not on the price list in force.") % {
                    "code": code[:64]
                }
                continue
            items.append(
                PartItem(
                    description=description or listed.name,
                    quantity=quantity,
                    unit_price=listed.unit_price,
                    source=LineSource.PRICE_LIST,
                    code=code,
                )
            )
            continue
        if not description:
            errors[f"{prefix}.description"] = _("Describe the part or give its code.")
            continue
        request = (
            PurchaseQuoteRequest.objects.filter(order=order, description__iexact=description[:100])
            .order_by("-created_at", "-id")
            .first()
        )
        if request is None:
            request = PurchaseQuoteRequest(
                order=order, description=description[:100], quantity=quantity, requested_by=acting_user
            )
            request.full_clean()
            request.save()
        items.append(
            PartItem(
                description=description[:100],
                quantity=quantity,
                unit_price=request.unit_price if request.status == PurchaseRequestStatus.PRICED else None,
                source=LineSource.PURCHASE,
                purchase_request_id=request.pk,
            )
        )
    if errors:
        raise ValidationError(errors)
    return items


@transaction.atomic
def quote_build(
    *,
    order: WorkOrder,
    acting_user: Any,
    days: Any = 0,
    nights: Any = 0,
    hours: Any = 0,
    travel_cost: Any = 0,
    parts: Iterable[PartRequest | tuple[Any, ...]] = (),
    provided_by_customer: Iterable[str] = (),
) -> Quote:
    """Draw up a draft quote priced from the fee schedule and price list in force on the order's
    date, with the warranty's and contracts' waivers as separate lines. Replaces an earlier draft.

    A part not on the list gets a purchasing request; the draft cannot be sent until it is priced.
    """
    _require(acting_user, "billing.add_quote", _("You may not draw up quotes."))
    order = WorkOrder.objects.select_for_update(of=("self",)).select_related("customer", "device").get(pk=order.pk)
    _ensure_order_visible(order, acting_user)
    if order.status != Status.ACCEPTED:
        raise ValidationError(
            {
                "order": _("A quote is drawn up for an accepted order; this one is %(status)s.")
                % {"status": order.get_status_display()}
            }
        )
    errors: dict[str, str] = {}
    values: dict[str, Decimal] = {}
    for name, raw in (("days", days), ("nights", nights), ("hours", hours), ("travel_cost", travel_cost)):
        maximum = MAX_QUANTITY if name != "travel_cost" else MAX_MONEY
        value = _decimal_or_error(errors, raw if raw not in (None, "") else 0, name, maximum=maximum)
        if value is not None:
            values[name] = value
    provided = frozenset(str(kind) for kind in provided_by_customer)
    unknown = provided - set(FeeKind.values)
    if unknown:
        errors["provided_by_customer"] = _("Unknown fee kind.")
    if errors:
        raise ValidationError(errors)
    day = _order_day(order)
    schedule = fee_schedule_in_force(day)
    if schedule is None:
        raise ValidationError({"schedule": _("No fee schedule is in force on %(date)s.") % {"date": day.isoformat()}})
    parts = list(parts)
    price_list = part_price_list_in_force(day)
    items = _part_items(order=order, acting_user=acting_user, parts=parts, price_list=price_list)
    inputs = QuoteInput(parts=tuple(items), provided_by_customer=provided, **values)
    try:
        decision = quote_price(rates=_rates_of(schedule), inputs=inputs, waivers=order_fee_waivers(order))
    except ValueError as error:
        raise ValidationError({"provided_by_customer": str(error)}) from None
    if not decision.lines:
        raise ValidationError({"days": _("The quote has no lines: enter days, hours, travel cost or parts.")})
    Quote.objects.filter(order=order, status=QuoteStatus.DRAFT).update(status=QuoteStatus.SUPERSEDED)
    number = (Quote.objects.filter(order=order).aggregate(n=Max("number"))["n"] or 0) + 1
    quote = Quote(
        order=order,
        number=number,
        schedule=schedule,
        price_list=price_list if any(i.source == LineSource.PRICE_LIST for i in items) else None,
        subtotal=decision.subtotal,
        waived=decision.waived,
        total=decision.total,
        inputs={
            **{name: str(value) for name, value in values.items()},
            "parts": [
                {
                    "code": (p.code if isinstance(p, PartRequest) else p[0]) or None,
                    "description": (p.description if isinstance(p, PartRequest) else p[1]),
                    "quantity": str(p.quantity if isinstance(p, PartRequest) else p[2]),
                }
                for p in parts
            ],
            "provided_by_customer": sorted(provided),
        },
        reasons=[reason.as_dict() for reason in decision.reasons],
        created_by=acting_user,
    )
    quote.full_clean()
    quote.save()
    _save_lines(quote, decision)
    return quote


def _save_lines(quote: Quote, decision: PricingDecision) -> None:
    QuoteLine.objects.bulk_create(
        [
            QuoteLine(
                quote=quote,
                position=position,
                kind=line.kind,
                description=line.description[:200],
                quantity=line.quantity,
                unit_price=line.unit_price,
                amount=line.amount,
                source=line.source,
                provided_by_customer=line.provided_by_customer,
                is_waiver=line.is_waiver,
                remark=line.remark[:300],
                part_code=line.part_code,
                purchase_request_id=line.purchase_request_id,
            )
            for position, line in enumerate(decision.lines, start=1)
        ]
    )


def quote_lines_data(quote: Quote) -> list[dict[str, Any]]:
    """The lines as JSON (timeline event, API)."""
    return [
        {
            "kind": line.kind,
            "description": line.description,
            "quantity": str(line.quantity),
            "unit_price": None if line.unit_price is None else str(line.unit_price),
            "amount": None if line.amount is None else str(line.amount),
            "source": line.source,
            "provided_by_customer": line.provided_by_customer,
            "is_waiver": line.is_waiver,
            "remark": line.remark,
        }
        for line in quote.lines.order_by("position")
    ]


@transaction.atomic
def quote_send(*, quote: Quote, acting_user: Any, note: str = "") -> Quote:
    """Notify the customer of the fees before anyone goes out (先将售后服务费用通知用户).

    A quote whose total is zero (everything waived by warranty or contract) is not sent for
    approval: the order is marked free instead, and the timeline says why.
    """
    _require(acting_user, "billing.add_quote", _("You may not send quotes."))
    quote = Quote.objects.select_for_update().select_related("order").get(pk=quote.pk)
    _ensure_order_visible(quote.order, acting_user)
    if quote.status != QuoteStatus.DRAFT:
        raise ValidationError(
            {
                "quote": _("Only a draft quote can be sent; this one is %(status)s.")
                % {"status": quote.get_status_display()}
            }
        )
    if not quote.is_complete:
        raise ValidationError({"quote": _("A part still waits for the purchasing department's price.")})
    order = quote.order
    lines = quote_lines_data(quote)
    now = timezone.now()
    if quote.total == 0:
        if order.charge_type != ChargeType.FREE:
            workorder_update(order=order, acting_user=acting_user, changes={"charge_type": ChargeType.FREE})
        quote.status = QuoteStatus.WAIVED
        explanation = _("Every charge is waived (warranty or contract): the order is free and needs no approval.")
    else:
        workorder_quote(order=order, acting_user=acting_user, amount=quote.total, note=note)
        quote.status = QuoteStatus.SENT
        explanation = note
    quote.sent_at, quote.sent_by = now, acting_user
    quote.save(update_fields=["status", "sent_at", "sent_by", "updated_at"])
    workorder_record_event(
        order=order,
        kind=EventKind.QUOTE_LINES,
        acting_user=acting_user,
        note=explanation,
        data={
            "quote": quote.number,
            "status": quote.status,
            "subtotal": str(quote.subtotal),
            "waived": str(quote.waived),
            "total": str(quote.total),
            "schedule": quote.schedule.effective_from.isoformat() if quote.schedule else None,
            "lines": lines,
            "reasons": quote.reasons,
        },
    )
    return quote


@transaction.atomic
def quote_confirm_by_phone(
    *, quote: Quote, acting_user: Any, confirmed_by: str, confirmed_at: datetime | None = None, note: str = ""
) -> Quote:
    """The agent records that the customer confirmed the quote by phone: who on the customer's
    side, and when. The approval is the work order's ``approve_quote`` transition."""
    confirmed_by = (confirmed_by or "").strip()
    if not confirmed_by:
        raise ValidationError({"confirmed_by": _("Enter who confirmed the quote on the customer's side.")})
    if len(confirmed_by) > 64:
        raise ValidationError({"confirmed_by": _("Enter at most 64 characters.")})
    quote = Quote.objects.select_related("order").get(pk=quote.pk)
    _ensure_order_visible(quote.order, acting_user)
    if quote.status != QuoteStatus.SENT:
        raise ValidationError({"quote": _("Only a quote sent to the customer can be confirmed.")})
    when = confirmed_at or timezone.now()
    if timezone.is_naive(when):
        raise ValidationError({"confirmed_at": _("Enter a date and time with its time zone.")})
    if when > timezone.now() + timedelta(minutes=5):
        raise ValidationError({"confirmed_at": _("The confirmation cannot be in the future.")})
    phone_note = _("Confirmed by phone by %(who)s at %(when)s.") % {
        "who": confirmed_by,
        "when": timezone.localtime(when).strftime("%Y-%m-%d %H:%M"),
    }
    workorder_approve_quote(
        order=quote.order, acting_user=acting_user, confirmed_by=confirmed_by, note=f"{phone_note} {note}".strip()
    )
    quote.refresh_from_db()
    quote.decided_at = when
    quote.save(update_fields=["decided_at", "updated_at"])
    return quote


def quote_follow_order_event(order: WorkOrder, event: Any) -> None:
    """Timeline hook: keep the quote's status in step with the order's quote actions, whoever
    took them (the customer on the portal, an agent by phone, the API)."""
    kind = event.kind
    if kind not in {"quote", "approve_quote", "decline_quote"}:
        return
    sent = Quote.objects.filter(order_id=order.pk, status=QuoteStatus.SENT).order_by("-number")
    if kind == "quote":
        for earlier in sent:
            earlier.status = QuoteStatus.SUPERSEDED
            earlier.save(update_fields=["status", "updated_at"])
        return
    quote = sent.first()
    if quote is None:
        return
    by_customer = event.actor_id is None and event.actor_label == "customer"
    quote.status = QuoteStatus.APPROVED if kind == "approve_quote" else QuoteStatus.DECLINED
    quote.decided_at = event.at
    quote.decided_via = "portal" if by_customer else "phone"
    quote.confirmed_by = str((event.data or {}).get("confirmed_by") or "")[:64]
    quote.recorded_by_id = event.actor_id
    quote.save(update_fields=["status", "decided_at", "decided_via", "confirmed_by", "recorded_by", "updated_at"])


# --- settlement -----------------------------------------------------------------------------


@transaction.atomic
def settlement_record(
    *,
    order: WorkOrder,
    acting_user: Any,
    actual_charge: Any,
    payment_method: str,
    amount_paid: Any,
    receiver: str,
    paid_at: datetime | None = None,
    note: str = "",
) -> Settlement:
    """Record the final charge and payment (实际收费, 收款人) with a receipt number; finance reviews it."""
    _require(acting_user, "billing.add_settlement", _("You may not record settlements."))
    order = WorkOrder.objects.select_for_update(of=("self",)).get(pk=order.pk)
    _ensure_order_visible(order, acting_user)
    if order.status not in SETTLEABLE:
        raise ValidationError(
            {
                "order": _(
                    "A settlement is recorded once the work is under way and before the order closes; "
                    "this one is %(status)s."
                )
                % {"status": order.get_status_display()}
            }
        )
    if Settlement.objects.filter(order=order).exclude(status=SettlementStatus.REJECTED).exists():
        raise ValidationError(
            {"order": _("This order already has a settlement; finance must reject it before a new one.")}
        )
    errors: dict[str, str] = {}
    amounts: dict[str, Decimal] = {}
    for name, raw in (("actual_charge", actual_charge), ("amount_paid", amount_paid)):
        amount = _decimal_or_error(errors, raw, name)
        if amount is not None:
            amounts[name] = amount
    if payment_method not in PaymentMethod.values:
        errors["payment_method"] = _("Choose a payment method.")
    receiver = (receiver or "").strip()
    if not receiver:
        errors["receiver"] = _("Enter who received the payment.")
    elif len(receiver) > 64:
        errors["receiver"] = _("Enter at most 64 characters.")
    when = paid_at or timezone.now()
    if timezone.is_naive(when):
        errors["paid_at"] = _("Enter a date and time with its time zone.")
    elif when > timezone.now() + timedelta(minutes=5):
        errors["paid_at"] = _("The payment cannot be in the future.")
    if not errors and amounts["amount_paid"] > amounts["actual_charge"]:
        errors["amount_paid"] = _("The amount paid cannot exceed the actual charge.")
    if not errors and payment_method == PaymentMethod.NONE and amounts["amount_paid"] != 0:
        errors["payment_method"] = _("Choose how the customer paid.")
    if errors:
        raise ValidationError(errors)
    quote = (
        Quote.objects.filter(order=order, status__in=[QuoteStatus.APPROVED, QuoteStatus.WAIVED])
        .order_by("-number")
        .first()
    )
    settlement = Settlement(
        order=order,
        quote=quote,
        receipt_number=next_number("RC"),
        actual_charge=amounts["actual_charge"],
        payment_method=payment_method,
        amount_paid=amounts["amount_paid"],
        paid_at=when,
        receiver=receiver,
        note=(note or "").strip()[:300],
        recorded_by=acting_user,
    )
    settlement.full_clean()
    settlement.save()
    workorder_update(
        order=order,
        acting_user=acting_user,
        changes={"actual_charge": settlement.actual_charge, "payment_receiver": receiver},
    )
    workorder_record_event(
        order=order,
        kind=EventKind.SETTLEMENT,
        acting_user=acting_user,
        note=settlement.note,
        data={
            "receipt": settlement.receipt_number,
            "actual_charge": str(settlement.actual_charge),
            "amount_paid": str(settlement.amount_paid),
            "payment_method": settlement.payment_method,
            "receiver": receiver,
            "status": settlement.status,
        },
    )
    return settlement


@transaction.atomic
def settlement_review(
    *, settlement: Settlement, acting_user: Any, approve: bool, note: str = "", expected_version: int | None = None
) -> Settlement:
    """Finance reviews a recorded settlement: approve, or reject with the reason."""
    _require(acting_user, "billing.review_settlement", _("You may not review settlements."))
    settlement = Settlement.objects.select_for_update().select_related("order").get(pk=settlement.pk)
    _ensure_order_visible(settlement.order, acting_user)
    check_version(settlement, expected_version)
    if settlement.status != SettlementStatus.RECORDED:
        raise ValidationError({"status": _("This settlement was already reviewed.")})
    note = (note or "").strip()
    if not approve and not note:
        raise ValidationError({"note": _("Give the reason for rejecting the settlement.")})
    if settlement.recorded_by_id is not None and settlement.recorded_by_id == acting_user.pk:
        raise PermissionDenied(_("A settlement is reviewed by someone other than the person who recorded it."))
    settlement.status = SettlementStatus.REVIEWED if approve else SettlementStatus.REJECTED
    settlement.reviewed_by, settlement.reviewed_at, settlement.review_note = acting_user, timezone.now(), note[:300]
    save_versioned(settlement, ["status", "reviewed_by", "reviewed_at", "review_note"])
    workorder_record_event(
        order=settlement.order,
        kind=EventKind.SETTLEMENT,
        acting_user=acting_user,
        note=note,
        data={"receipt": settlement.receipt_number, "status": settlement.status},
    )
    return settlement
