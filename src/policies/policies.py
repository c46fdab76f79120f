"""Pure warranty and 三包 decisions (SPEC §4): typed inputs in, a decision with its reasons out.

No database here: ``policies.services`` builds the inputs from the policy version, the device and
its work-order history; this module applies 《部分商品修理更换退货责任规定》(1995) and the seeds'
promises as configured in a ``PolicyTerms``. Every reason names its rule and, where one applies,
the article, so the decision explains itself on the order's timeline and in the API.
"""

from __future__ import annotations

import calendar
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext

# ``_`` here builds a reason's text as msgid + parameters (still found by makemessages), rendered
# in the reader's language when shown; ``gettext`` translates at once (the summary).
from core.reasons import ReasonText, choice_param, list_param, register_choice_set
from core.reasons import reason_text as _
from policies.choices import (
    EXCLUSION_ARTICLES,
    ContractKind,
    Coverage,
    FaultCause,
    RemedyRequest,
    StartBasis,
    StartFallback,
    WarrantyStatus,
)

for _choices in (StartBasis, FaultCause, RemedyRequest, WarrantyStatus, Coverage, ContractKind):
    register_choice_set(_choices)  # so a stored reason's codes read as labels in any process

REMEDY_ORDER = (RemedyRequest.RETURN, RemedyRequest.EXCHANGE, RemedyRequest.REPAIR)
DEFAULT_EXCLUSIONS = frozenset(EXCLUSION_ARTICLES)


# --- date arithmetic ---------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """``day`` plus whole calendar months, clamped to the month's end (Jan 31 + 1 month = Feb 28/29)."""
    total = day.year * 12 + (day.month - 1) + months
    year, month0 = divmod(total, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(day.day, last))


def period_end(start: date, months: int) -> date:
    """The last covered day of a period of ``months`` starting on ``start`` (day before the anniversary)."""
    return add_months(start, months) - timedelta(days=1)


# --- inputs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PolicyTerms:
    """One version of a warranty policy, as the decision needs it (see ``models.WarrantyPolicy``)."""

    unit_months: int
    start_basis: str = StartBasis.INVOICE
    start_fallback: str = StartFallback.NEEDS_REVIEW
    parts_months: int | None = None
    parts: tuple[str, ...] = ()
    extend_for_repair_time: bool = True  # 第八条
    restart_on_exchange: bool = True  # 第十四条
    return_days: int = 7  # 第九条
    exchange_days: int = 15  # 第十条
    repeat_failure_threshold: int = 2  # 第十一条
    repeat_same_fault_consecutive: bool = False
    parts_wait_limit_days: int = 90  # 第十二条
    repairer_fault_limit_days: int = 30  # 第十二条
    depreciation_percent_per_day: Decimal = Decimal("0.100")  # 第十三条
    repair_warranty_days: int = 30  # 第六条
    parts_supply_years: int = 5  # 第七条
    excluded_causes: frozenset[str] = DEFAULT_EXCLUSIONS
    policy_id: int | None = None
    revision: int = 1
    name: str = ""


@dataclass(frozen=True)
class DeviceDates:
    purchased_on: date | None = None  # the invoice / sale date
    installed_on: date | None = None
    accepted_on: date | None = None
    production_stopped_on: date | None = None  # of the product model (第七条)


@dataclass(frozen=True)
class RepairRecord:
    """One repair of the device: in the shop (or on it) from ``opened_on`` to ``finished_on``."""

    opened_on: date
    finished_on: date | None = None  # None: still open
    fault_cause: str = FaultCause.UNKNOWN
    parts_wait_days: int = 0

    def days(self, on: date) -> int:
        end = self.finished_on or on
        return max(0, (min(end, on) - self.opened_on).days)


@dataclass(frozen=True)
class ContractCover:
    contract_id: int
    kind: str
    starts_on: date
    ends_on: date
    label: str = ""


@dataclass(frozen=True)
class WarrantyInputs:
    policy: PolicyTerms | None
    device: DeviceDates | None  # None: unknown device or model
    on: date
    request: str = RemedyRequest.REPAIR
    fault_cause: str = FaultCause.UNKNOWN
    repairs: tuple[RepairRecord, ...] = ()  # earlier, finished repairs
    exchanges: tuple[date, ...] = ()  # completed exchanges of the unit
    current_repair: RepairRecord | None = None  # the repair being decided, if under way
    contracts: tuple[ContractCover, ...] = ()


# --- the decision ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    """One reason: its rule, its text as a msgid with parameters (rendered in the reader's
    language whenever it is shown, never stored translated: issue 18, point 7) and the article."""

    rule: str
    text: ReasonText
    article: str = ""

    @property
    def message(self) -> str:
        return self.text.render()

    def as_dict(self) -> dict[str, Any]:
        """``message`` in the active language for readers of the JSON; ``msgid`` and ``params``
        so that a page shows it in its reader's language (``core.reasons.reason_message``)."""
        return {"rule": self.rule, "message": self.message, "article": self.article, **self.text.as_dict()}


@dataclass(frozen=True)
class WarrantyDecision:
    status: str
    coverage: str
    starts_on: date | None
    ends_on: date | None
    remedies: tuple[str, ...]
    reasons: tuple[Reason, ...]
    inputs: WarrantyInputs
    parts_ends_on: date | None = None
    repeat_repairs: int = 0
    repair_days: int = 0
    depreciation_percent: Decimal | None = None
    policy_id: int | None = None
    policy_revision: int | None = None

    def summary(self) -> str:
        return gettext("Warranty: %(status)s, %(coverage)s; remedies: %(remedies)s.") % {
            "status": WarrantyStatus(self.status).label,
            "coverage": Coverage(self.coverage).label,
            "remedies": ", ".join(str(RemedyRequest(r).label) for r in self.remedies) or "—",
        }

    def as_dict(self) -> dict[str, Any]:
        """JSON for the timeline, the decision record and the API (dates ISO, decimals as strings)."""
        return {
            "status": self.status,
            "coverage": self.coverage,
            "starts_on": _iso(self.starts_on),
            "ends_on": _iso(self.ends_on),
            "parts_ends_on": _iso(self.parts_ends_on),
            "remedies": list(self.remedies),
            "reasons": [reason.as_dict() for reason in self.reasons],
            "repeat_repairs": self.repeat_repairs,
            "repair_days": self.repair_days,
            "depreciation_percent": None if self.depreciation_percent is None else str(self.depreciation_percent),
            "policy": {"id": self.policy_id, "revision": self.policy_revision},
            "inputs": _jsonable(asdict(self.inputs)),
        }


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [_jsonable(item) for item in value]
        return sorted(items) if isinstance(value, set | frozenset) else items
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


@dataclass
class _Draft:
    inputs: WarrantyInputs
    reasons: list[Reason] = field(default_factory=list)

    def add(self, rule: str, text: ReasonText, article: str = "") -> None:
        self.reasons.append(Reason(rule, text, article))


def _parts_param(policy: PolicyTerms, default: ReasonText) -> Any:
    """The policy's listed parts (names from data), or a default phrase when it lists none."""
    return list_param(list(policy.parts), "、") if policy.parts else default


def _day(value: date) -> str:
    return value.isoformat()


def _start_date(policy: PolicyTerms, device: DeviceDates, draft: _Draft) -> date | None:
    """The day the period starts: the basis's date, else the policy's fallback, else None."""
    by_basis = {
        StartBasis.INVOICE: device.purchased_on,
        StartBasis.INSTALLATION: device.installed_on,
        StartBasis.ACCEPTANCE: device.accepted_on,
    }
    basis = StartBasis(policy.start_basis)
    start = by_basis.get(basis)
    article = "第八条" if basis == StartBasis.INVOICE else ""
    if start is not None:
        draft.add(
            "start_basis",
            _("The period counts from the %(basis)s, %(day)s.") % {"basis": choice_param(basis), "day": _day(start)},
            article,
        )
        return start
    if policy.start_fallback == StartFallback.OTHER_DATES:
        for other in (StartBasis.ACCEPTANCE, StartBasis.INSTALLATION, StartBasis.INVOICE):
            if by_basis[other] is not None:
                day = by_basis[other]
                assert day is not None
                draft.add(
                    "start_fallback",
                    _(
                        "No %(basis)s is recorded; by the policy's fallback the period counts from the "
                        "%(other)s, %(day)s."
                    )
                    % {"basis": choice_param(basis), "other": choice_param(other), "day": _day(day)},
                )
                return day
    draft.add(
        "no_proof_of_start",
        _("No %(basis)s is recorded (no proof of the start date): the decision needs review, not a guess.")
        % {"basis": choice_param(basis)},
        article,
    )
    return None


def _fault_class(cause: str) -> str:
    """An undiagnosed fault is presumed a quality fault (the repairer must show an exclusion)."""
    return FaultCause.QUALITY if cause in (FaultCause.QUALITY, FaultCause.UNKNOWN) else cause


def count_repeat_repairs(repairs: tuple[RepairRecord, ...], cause: str, *, consecutive: bool) -> int:
    """Earlier repairs of the same fault; with ``consecutive`` only the unbroken latest run counts."""
    target = _fault_class(cause)
    ordered = sorted(repairs, key=lambda r: (r.finished_on or r.opened_on, r.opened_on), reverse=True)
    count = 0
    for repair in ordered:
        if _fault_class(repair.fault_cause) == target:
            count += 1
        elif consecutive:
            break
    return count


def _extend(end: date, repairs: list[RepairRecord], on: date) -> tuple[date, int]:
    """第八条: each repair begun within the (already extended) period pushes its end by its days."""
    days = 0
    for repair in sorted(repairs, key=lambda r: r.opened_on):
        if repair.opened_on > end:
            continue
        spent = repair.days(on)
        end += timedelta(days=spent)
        days += spent
    return end, days


def _needs_review(
    draft: _Draft, *, starts_on: date | None = None, policy: PolicyTerms | None = None
) -> WarrantyDecision:
    return WarrantyDecision(
        status=WarrantyStatus.NEEDS_REVIEW,
        coverage=Coverage.NEEDS_REVIEW,
        starts_on=starts_on,
        ends_on=None,
        remedies=(RemedyRequest.REPAIR,),
        reasons=tuple(draft.reasons),
        inputs=draft.inputs,
        policy_id=policy.policy_id if policy else None,
        policy_revision=policy.revision if policy else None,
    )


def warranty_decide(inputs: WarrantyInputs) -> WarrantyDecision:
    """In or out of the period, free / paid / needs review, and the remedies the customer may choose."""
    draft = _Draft(inputs)
    policy, device, on = inputs.policy, inputs.device, inputs.on
    if device is None:
        draft.add("unknown_device", _("The device or its product model is not known: the decision needs review."))
        return _needs_review(draft)
    if policy is None:
        draft.add("no_policy", _("No warranty policy applies to this product model or its category."))
        return _needs_review(draft)
    draft.add(
        "policy",
        _("Policy “%(name)s”, revision %(revision)s: whole unit %(months)s months.")
        % {"name": policy.name, "revision": policy.revision, "months": policy.unit_months},
    )
    start = _start_date(policy, device, draft)
    if start is None:
        return _needs_review(draft, policy=policy)

    if policy.restart_on_exchange:
        exchanged = [day for day in inputs.exchanges if start <= day <= on]
        if exchanged:
            start = max(exchanged)
            draft.add(
                "restart_on_exchange",
                _("The unit was exchanged on %(day)s: a new period starts from that day.") % {"day": _day(start)},
                "第十四条",
            )
    if on < start:
        draft.add(
            "date_before_start",
            _("The date %(on)s is before the period starts (%(start)s): the decision needs review.")
            % {"on": _day(on), "start": _day(start)},
        )
        return _needs_review(draft, starts_on=start, policy=policy)

    repairs_in_period = [r for r in inputs.repairs if start <= r.opened_on <= on]
    extension_repairs = list(repairs_in_period)
    if inputs.current_repair is not None and start <= inputs.current_repair.opened_on <= on:
        extension_repairs.append(inputs.current_repair)
    base_end = period_end(start, policy.unit_months)
    end, repair_days = base_end, 0
    if policy.extend_for_repair_time:
        end, repair_days = _extend(base_end, extension_repairs, on)
        if repair_days:
            draft.add(
                "repair_time_extension",
                _("%(days)s days in repair or waiting for parts extend the period from %(base)s to %(end)s.")
                % {"days": repair_days, "base": _day(base_end), "end": _day(end)},
                "第八条",
            )
    parts_end = None
    if policy.parts_months is not None:
        parts_end = period_end(start, policy.parts_months) + timedelta(days=repair_days)
    in_period = on <= end
    status = WarrantyStatus.IN_WARRANTY if in_period else WarrantyStatus.EXPIRED
    draft.add(
        "period",
        (
            _("On %(on)s the unit is within its period (%(start)s to %(end)s).")
            if in_period
            else _("The period ended on %(end)s (it ran from %(start)s); %(on)s is after it.")
        )
        % {"on": _day(on), "start": _day(start), "end": _day(end)},
        "第八条",
    )
    _parts_supply(policy, device, on, draft)

    cause = inputs.fault_cause or FaultCause.UNKNOWN
    excluded = cause in policy.excluded_causes and cause not in (FaultCause.QUALITY, FaultCause.UNKNOWN)
    finished = [r for r in inputs.repairs if r.finished_on is not None and r.finished_on <= on]
    last_repair = max(finished, key=lambda r: r.finished_on or r.opened_on, default=None)
    in_repair_warranty = (
        last_repair is not None
        and last_repair.finished_on is not None
        and (on - last_repair.finished_on).days <= policy.repair_warranty_days
    )
    repeats = count_repeat_repairs(tuple(repairs_in_period), cause, consecutive=policy.repeat_same_fault_consecutive)
    remedies: set[str] = {RemedyRequest.REPAIR}
    depreciation: Decimal | None = None
    ends_on = end

    if excluded:
        coverage = Coverage.PAID
        draft.add(
            "exclusion",
            _(
                "The fault cause “%(cause)s” is not covered by the warranty: paid service, parts at "
                "out-of-warranty prices."
            )
            % {"cause": choice_param(FaultCause(cause))},
            EXCLUSION_ARTICLES.get(cause, ""),
        )
    elif in_period:
        coverage = Coverage.FREE
        draft.add(
            "covered_fault",
            _("A quality fault within the period is repaired free of charge, parts included."),
            "第八条",
        )
        depreciation = _period_remedies(policy, device, inputs, repeats, repair_days, remedies, draft)
    elif in_repair_warranty and last_repair is not None and last_repair.finished_on is not None:
        coverage = Coverage.FREE
        draft.add(
            "repair_warranty",
            _(
                "The last repair finished on %(day)s; within %(days)s days the repaired unit must work, so "
                "this repeat repair is free."
            )
            % {"day": _day(last_repair.finished_on), "days": policy.repair_warranty_days},
            "第六条",
        )
    else:
        contract = _extended_warranty(inputs, on)
        if contract is not None:
            coverage, status, ends_on = Coverage.FREE, WarrantyStatus.IN_WARRANTY, contract.ends_on
            draft.add(
                "extended_warranty",
                _("The extended warranty contract %(label)s covers the unit until %(end)s.")
                % {"label": contract.label, "end": _day(contract.ends_on)},
            )
        elif parts_end is not None and on <= parts_end:
            coverage = Coverage.NEEDS_REVIEW
            draft.add(
                "main_parts_period",
                _(
                    "The whole unit is out of its period, but %(parts)s stay covered until %(end)s: free "
                    "only if the fault is in them."
                )
                % {"parts": _parts_param(policy, _("the main parts")), "end": _day(parts_end)},
            )
        else:
            coverage = Coverage.PAID
            draft.add("period_expired", _("Out of the warranty period: paid service."))

    if in_period and not excluded and parts_end is not None and on > parts_end:
        draft.add(
            "listed_parts_expired",
            _("%(parts)s were covered only until %(end)s: if the fault is in them, they are charged.")
            % {"parts": _parts_param(policy, _("The listed parts")), "end": _day(parts_end)},
        )
    if cause == FaultCause.UNKNOWN and coverage == Coverage.FREE:
        draft.add(
            "presumed_quality_fault",
            _(
                "Not yet diagnosed: a quality fault is presumed (the repairer must show an exclusion); "
                "provisional until the diagnosis."
            ),
        )
    if inputs.request not in remedies:
        draft.add(
            "request_not_available",
            _("“%(request)s” is not available here; the customer may choose: %(remedies)s.")
            % {
                "request": choice_param(RemedyRequest(inputs.request)),
                "remedies": list_param([choice_param(RemedyRequest(r)) for r in REMEDY_ORDER if r in remedies], ", "),
            },
        )
    return WarrantyDecision(
        status=status,
        coverage=coverage,
        starts_on=start,
        ends_on=ends_on,
        parts_ends_on=parts_end,
        remedies=tuple(r for r in REMEDY_ORDER if r in remedies),
        reasons=tuple(draft.reasons),
        inputs=inputs,
        repeat_repairs=repeats,
        repair_days=repair_days,
        depreciation_percent=depreciation,
        policy_id=policy.policy_id,
        policy_revision=policy.revision,
    )


def _period_remedies(
    policy: PolicyTerms,
    device: DeviceDates,
    inputs: WarrantyInputs,
    repeats: int,
    repair_days: int,
    remedies: set[str],
    draft: _Draft,
) -> Decimal | None:
    """Return / exchange within the period (第九、十、十一、十二条); the refund's depreciation (第十三条)."""
    on = inputs.on
    sale = device.purchased_on
    if sale is None:
        draft.add("no_sale_date", _("No sale date is recorded: the 7 and 15 day windows cannot be applied."), "第九条")
    else:
        since_sale = (on - sale).days
        if since_sale <= policy.return_days:
            remedies.update({RemedyRequest.RETURN, RemedyRequest.EXCHANGE})
            draft.add(
                "return_window",
                _(
                    "A performance fault %(days)s days after the sale (within %(limit)s): return, exchange "
                    "or repair, as the customer chooses."
                )
                % {"days": since_sale, "limit": policy.return_days},
                "第九条",
            )
        elif since_sale <= policy.exchange_days:
            remedies.add(RemedyRequest.EXCHANGE)
            draft.add(
                "exchange_window",
                _(
                    "A performance fault %(days)s days after the sale (within %(limit)s): exchange or "
                    "repair, as the customer chooses."
                )
                % {"days": since_sale, "limit": policy.exchange_days},
                "第十条",
            )
    refund = False
    if repeats >= policy.repeat_failure_threshold:
        remedies.update({RemedyRequest.EXCHANGE, RemedyRequest.RETURN})
        refund = True
        draft.add(
            "repeated_failure",
            (
                _(
                    "Already repaired %(count)s consecutive times for the same fault (threshold %(limit)s): "
                    "free exchange for the same model, or a refund."
                )
                if policy.repeat_same_fault_consecutive
                else _(
                    "Already repaired %(count)s times for the same fault in the period (threshold %(limit)s): "
                    "free exchange for the same model, or a refund."
                )
            )
            % {"count": repeats, "limit": policy.repeat_failure_threshold},
            "第十一条",
        )
    current = inputs.current_repair
    if current is not None:
        open_days = current.days(on)
        waited = min(current.parts_wait_days, open_days)
        if waited > policy.parts_wait_limit_days:
            remedies.add(RemedyRequest.EXCHANGE)
            draft.add(
                "parts_wait_limit",
                _(
                    "Not repaired after %(days)s days for lack of parts (limit %(limit)s): free exchange "
                    "for the same model."
                )
                % {"days": waited, "limit": policy.parts_wait_limit_days},
                "第十二条",
            )
        own = open_days - waited
        if own > policy.repairer_fault_limit_days:
            remedies.add(RemedyRequest.EXCHANGE)
            draft.add(
                "repairer_fault_limit",
                _(
                    "The repair took %(days)s days through the repairer's own delay (limit %(limit)s): free "
                    "exchange at the repairer's cost."
                )
                % {"days": own, "limit": policy.repairer_fault_limit_days},
                "第十二条",
            )
    if refund and sale is not None:
        days_used = max(0, (on - sale).days - repair_days)
        percent = (policy.depreciation_percent_per_day * days_used).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        percent = min(percent, Decimal("100.00"))
        draft.add(
            "refund_depreciation",
            _(
                "A refund when the customer declines an available exchange is reduced by depreciation: "
                "%(days)s days of use (repair time excluded) × %(rate)s%% = %(percent)s%%."
            )
            % {"days": days_used, "rate": policy.depreciation_percent_per_day, "percent": percent},
            "第十三条",
        )
        return percent
    return None


def _parts_supply(policy: PolicyTerms, device: DeviceDates, on: date, draft: _Draft) -> None:
    stopped = device.production_stopped_on
    if stopped is None:
        return
    until = add_months(stopped, 12 * policy.parts_supply_years)
    if on <= until:
        draft.add(
            "parts_supply",
            _("Production stopped on %(stopped)s: parts must stay available until %(until)s.")
            % {"stopped": _day(stopped), "until": _day(until)},
            "第七条",
        )
    else:
        draft.add(
            "parts_supply_ended",
            _("Production stopped on %(stopped)s: the duty to supply parts ended on %(until)s.")
            % {"stopped": _day(stopped), "until": _day(until)},
            "第七条",
        )


def _extended_warranty(inputs: WarrantyInputs, on: date) -> ContractCover | None:
    covering = [
        c for c in inputs.contracts if c.kind == ContractKind.EXTENDED_WARRANTY and c.starts_on <= on <= c.ends_on
    ]
    return max(covering, key=lambda c: c.ends_on, default=None)
