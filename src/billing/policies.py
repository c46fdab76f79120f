"""Pure pricing of a quote (SPEC §5, seed 000 第三篇 附件1/2): no database, no side effects.

The rules, each recorded as a reason on the decision:

- travel (交通费) at the actual cost the agent enters;
- lodging (住宿费), meals (餐饮费) and the personnel allowance (人员补贴) per day at the schedule's
  rates; labour per hour at the schedule's rate;
- any of them "provided by the customer" (客户提供 / 对方提供) → a line at 0.00 with that remark,
  only where the schedule allows it;
- parts at the price list's price; a part not on the list at purchasing's price (附件2未包含的,
  由采购部门提供相关报价), or without a price until purchasing answers;
- each waiver (warranty, contract) of a fee kind is a separate negative line cancelling the
  lines of that kind;
- every amount is quantity × unit price rounded half-up to 0.01; totals are sums of rounded lines.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from billing.choices import LineSource, RateUnit
from core.choices import FeeKind

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

#: The per-day and per-hour fees in the order a quote lists them.
TIME_FEES: tuple[tuple[str, str], ...] = (
    (FeeKind.LABOUR, "hours"),
    (FeeKind.LODGING, "nights"),
    (FeeKind.MEALS, "days"),
    (FeeKind.ALLOWANCE, "days"),
)


def money(value: Decimal) -> Decimal:
    """Round half-up to the cent (the one rounding rule for money)."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class RateTerm:
    kind: str
    unit: str
    amount: Decimal | None
    customer_may_provide: bool = False
    remark: str = ""


@dataclass(frozen=True)
class PartItem:
    """A part on the quote: ``unit_price`` None while purchasing has not priced it."""

    description: str
    quantity: Decimal
    unit_price: Decimal | None
    source: str  # LineSource.PRICE_LIST | LineSource.PURCHASE
    code: str = ""
    purchase_request_id: int | None = None


@dataclass(frozen=True)
class WaiverTerm:
    kind: str
    source: str  # "warranty" | "contract"
    label: str
    reason: str


@dataclass(frozen=True)
class QuoteInput:
    days: Decimal = ZERO  # days on site: meals and allowance
    nights: Decimal = ZERO  # lodging
    hours: Decimal = ZERO  # labour
    travel_cost: Decimal = ZERO  # actual cost (train, bus, taxi…)
    parts: tuple[PartItem, ...] = ()
    provided_by_customer: frozenset[str] = frozenset()


@dataclass(frozen=True)
class PricedLine:
    kind: str
    description: str
    quantity: Decimal
    unit_price: Decimal | None
    amount: Decimal | None
    source: str
    provided_by_customer: bool = False
    is_waiver: bool = False
    remark: str = ""
    part_code: str = ""
    purchase_request_id: int | None = None


@dataclass(frozen=True)
class Reason:
    rule: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"rule": self.rule, "message": self.message}


@dataclass(frozen=True)
class PricingDecision:
    lines: tuple[PricedLine, ...]
    subtotal: Decimal
    waived: Decimal
    total: Decimal
    reasons: tuple[Reason, ...] = field(default_factory=tuple)

    @property
    def complete(self) -> bool:
        return all(line.amount is not None for line in self.lines)


def _fee_label(kind: str) -> str:
    return str(FeeKind(kind).label)


def _provided_line(kind: str, quantity: Decimal, source: str) -> PricedLine:
    """A fee the customer provides themselves (客户提供): listed, at 0.00, with that remark."""
    return PricedLine(
        kind=kind,
        description=_fee_label(kind),
        quantity=quantity,
        unit_price=ZERO,
        amount=ZERO,
        source=source,
        provided_by_customer=True,
        remark=_("provided by the customer"),
    )


def _time_line(kind: str, quantity: Decimal, rate: RateTerm | None, provided: bool) -> tuple[PricedLine, Reason]:
    label = _fee_label(kind)
    if rate is None or rate.amount is None:
        raise ValueError(_("The fee schedule has no rate for %(fee)s.") % {"fee": label})
    if provided:
        line = _provided_line(kind, quantity, LineSource.SCHEDULE)
        return line, Reason(f"{kind}.provided", _("%(fee)s: provided by the customer, not charged.") % {"fee": label})
    amount = money(quantity * rate.amount)
    unit = _("hour") if rate.unit == RateUnit.PER_HOUR else _("day")
    line = PricedLine(
        kind=kind,
        description=label,
        quantity=quantity,
        unit_price=rate.amount,
        amount=amount,
        source=LineSource.SCHEDULE,
        remark=rate.remark,
    )
    message = _("%(fee)s: %(quantity)s × %(rate)s per %(unit)s = %(amount)s (fee schedule).") % {
        "fee": label,
        "quantity": quantity,
        "rate": rate.amount,
        "unit": unit,
        "amount": amount,
    }
    return line, Reason(f"{kind}.rate", message)


def quote_price(
    *, rates: Mapping[str, RateTerm], inputs: QuoteInput, waivers: Sequence[WaiverTerm] = ()
) -> PricingDecision:
    """Price a quote. Raises ``ValueError`` naming the fee when the schedule lacks a needed rate
    or a fee the customer cannot provide is marked as provided."""
    lines: list[PricedLine] = []
    reasons: list[Reason] = []
    for kind in inputs.provided_by_customer:
        rate = rates.get(kind)
        if rate is not None and not rate.customer_may_provide:
            raise ValueError(_("%(fee)s cannot be provided by the customer.") % {"fee": _fee_label(kind)})

    travel_provided = FeeKind.TRAVEL in inputs.provided_by_customer
    if inputs.travel_cost > 0 or travel_provided:
        if travel_provided:
            lines.append(_provided_line(FeeKind.TRAVEL, Decimal("1"), LineSource.ACTUAL))
            reasons.append(Reason("travel.provided", _("Travel: provided by the customer, not charged.")))
        else:
            cost = money(inputs.travel_cost)
            lines.append(
                PricedLine(
                    kind=FeeKind.TRAVEL,
                    description=_fee_label(FeeKind.TRAVEL),
                    quantity=Decimal("1"),
                    unit_price=cost,
                    amount=cost,
                    source=LineSource.ACTUAL,
                    remark=_("actual cost"),
                )
            )
            reasons.append(Reason("travel.actual", _("Travel at the actual cost: %(amount)s.") % {"amount": cost}))

    for kind, quantity_name in TIME_FEES:
        quantity: Decimal = getattr(inputs, quantity_name)
        if quantity <= 0:
            continue
        line, reason = _time_line(kind, quantity, rates.get(kind), kind in inputs.provided_by_customer)
        lines.append(line)
        reasons.append(reason)

    for part in inputs.parts:
        amount = money(part.quantity * part.unit_price) if part.unit_price is not None else None
        if part.unit_price is None:
            remark = _("waiting for the purchasing department's price")
            reasons.append(
                Reason(
                    "parts.purchase_pending",
                    _("%(part)s is not on the price list: purchasing prices it.") % {"part": part.description},
                )
            )
        elif part.source == LineSource.PURCHASE:
            remark = _("priced by purchasing")
            reasons.append(
                Reason(
                    "parts.purchase",
                    _("%(part)s is not on the price list: purchasing's price %(price)s.")
                    % {"part": part.description, "price": part.unit_price},
                )
            )
        else:
            remark = ""
            reasons.append(
                Reason(
                    "parts.price_list",
                    _("%(part)s at the price list's %(price)s.") % {"part": part.description, "price": part.unit_price},
                )
            )
        lines.append(
            PricedLine(
                kind=FeeKind.PARTS,
                description=part.description,
                quantity=part.quantity,
                unit_price=part.unit_price,
                amount=amount,
                source=part.source,
                remark=remark,
                part_code=part.code,
                purchase_request_id=part.purchase_request_id,
            )
        )

    waiver_lines: list[PricedLine] = []
    seen: set[str] = set()
    for waiver in waivers:
        if waiver.kind in seen:
            continue  # one waiver per fee kind is enough; the first (warranty before contract) names it
        charged = [line for line in lines if line.kind == waiver.kind and not line.is_waiver]
        if not charged:
            continue
        seen.add(waiver.kind)
        waived = sum((line.amount for line in charged if line.amount is not None), ZERO)
        source = LineSource.WARRANTY if waiver.source == "warranty" else LineSource.CONTRACT
        waiver_lines.append(
            PricedLine(
                kind=waiver.kind,
                description=waiver.label,
                quantity=Decimal("1"),
                unit_price=-waived,
                amount=-waived,
                source=source,
                is_waiver=True,
                remark=waiver.reason,
            )
        )
        reasons.append(Reason(f"waiver.{waiver.source}", f"{waiver.label}: {waiver.reason}"))

    all_lines = tuple(lines + waiver_lines)
    subtotal = sum((line.amount for line in lines if line.amount is not None), ZERO)
    waived_total = -sum((line.amount for line in waiver_lines if line.amount is not None), ZERO)
    return PricingDecision(
        lines=all_lines,
        subtotal=money(subtotal),
        waived=money(waived_total),
        total=money(subtotal - waived_total),
        reasons=tuple(reasons),
    )
