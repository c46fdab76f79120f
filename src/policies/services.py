"""Warranty decisions from the database (policy version, device, work-order history) and the
writes of policies and contracts. The rules themselves are in ``policies.policies``.

Which policy version applies: the one in force on the device's sale date (the first of purchase,
installation, acceptance), because the terms are part of what was sold; a device without any date
takes the version in force on the decision date. A later version never changes a sold unit's
terms nor any decision already recorded (see docs/decisions/0009-warranty-policies.md).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.choices import FeeKind
from core.numbering import next_number
from core.services import apply_changes, check_version, lock_for_update, save_versioned
from policies.choices import EXCLUSION_ARTICLES, ContractKind, Coverage, FaultCause, RemedyRequest
from policies.models import Contract, WarrantyDecisionRecord, WarrantyPolicy
from policies.policies import (
    ContractCover,
    DeviceDates,
    PolicyTerms,
    RepairRecord,
    WarrantyDecision,
    WarrantyInputs,
    period_end,
    warranty_decide,
)
from policies.selectors import contracts_covering, latest_order_decision, policy_in_force, remember_order_decision
from workorders.choices import EventKind
from workorders.hooks import NO_CHANGE, Decision, PendingEvent, TransitionContext

#: Service types whose order asks for a remedy; the others get the repair decision for information.
REQUEST_BY_SERVICE_TYPE = {"return": RemedyRequest.RETURN, "exchange": RemedyRequest.EXCHANGE}
#: Orders whose paid-or-free follows the warranty coverage at acceptance.
CHARGED_BY_WARRANTY = frozenset({"repair", "return", "exchange"})
DONE_STATUSES = frozenset({"completed", "followed_up", "closed"})


# --- building the inputs -------------------------------------------------------------------------


def policy_terms(policy: WarrantyPolicy, product_model: Any) -> PolicyTerms:
    """The pure terms of a policy version; empty months take the model's catalogue months."""
    unit_months = policy.unit_months if policy.unit_months is not None else product_model.warranty_months
    parts_months = policy.parts_months
    if parts_months is None and policy.unit_months is None:
        parts_months = product_model.main_parts_warranty_months
    excluded = frozenset(code for code in (policy.excluded_causes or []) if code in EXCLUSION_ARTICLES)
    return PolicyTerms(
        unit_months=unit_months,
        start_basis=policy.start_basis,
        start_fallback=policy.start_fallback,
        parts_months=parts_months,
        parts=policy.parts_list,
        extend_for_repair_time=policy.extend_for_repair_time,
        restart_on_exchange=policy.restart_on_exchange,
        return_days=policy.return_days,
        exchange_days=policy.exchange_days,
        repeat_failure_threshold=policy.repeat_failure_threshold,
        repeat_same_fault_consecutive=policy.repeat_same_fault_consecutive,
        parts_wait_limit_days=policy.parts_wait_limit_days,
        repairer_fault_limit_days=policy.repairer_fault_limit_days,
        depreciation_percent_per_day=Decimal(policy.depreciation_percent_per_day),
        repair_warranty_days=policy.repair_warranty_days,
        parts_supply_years=policy.parts_supply_years,
        excluded_causes=excluded,
        policy_id=policy.pk,
        revision=policy.revision,
        name=policy.name,
    )


def _local_day(moment: Any) -> date | None:
    return timezone.localdate(moment) if moment else None


def _parts_wait_days(events: list[Any], until: date) -> int:
    """Days paused waiting for parts: each pause(wait_reason=parts) to the next resume (or ``until``)."""
    days, since = 0, None
    for event in events:
        if event.kind == "pause" and (event.data or {}).get("wait_reason") == "parts":
            since = since or timezone.localdate(event.at)
        elif event.kind in {"resume", "close_incomplete", "cancel"} and since is not None:
            days += max(0, (timezone.localdate(event.at) - since).days)
            since = None
    if since is not None:
        days += max(0, (until - since).days)
    return days


def repair_history(
    *, device: Any, on: date, exclude_order_id: int | None = None
) -> tuple[list[RepairRecord], list[date]]:
    """Earlier finished repairs (a reopened order counts once more per reopening) and exchange dates."""
    from workorders.models import TimelineEvent, WorkOrder

    done = WorkOrder.objects.filter(device=device, completed_at__isnull=False, status__in=DONE_STATUSES)
    if exclude_order_id is not None:
        done = done.exclude(pk=exclude_order_id)
    orders = list(
        done.only("id", "service_type", "submitted_at", "accepted_at", "completed_at", "fault_cause", "reopened_count")
    )
    events_by_order: dict[int, list[Any]] = {}
    for event in TimelineEvent.objects.filter(
        order_id__in=[o.pk for o in orders], kind__in=["pause", "resume", "close_incomplete", "cancel"]
    ).order_by("at", "id"):
        events_by_order.setdefault(event.order_id, []).append(event)
    repairs: list[RepairRecord] = []
    exchanges: list[date] = []
    for order in orders:
        finished = _local_day(order.completed_at)
        assert finished is not None
        if finished > on:
            continue
        if order.service_type == "exchange":
            exchanges.append(finished)
            continue
        if order.service_type != "repair":
            continue
        opened = _local_day(order.submitted_at) or finished
        repairs.append(
            RepairRecord(
                opened_on=opened,
                finished_on=finished,
                fault_cause=order.fault_cause,
                parts_wait_days=_parts_wait_days(events_by_order.get(order.pk, []), finished),
            )
        )
        for _reopening in range(order.reopened_count):
            repairs.append(RepairRecord(opened_on=finished, finished_on=finished, fault_cause=order.fault_cause))
    return repairs, exchanges


#: Events that end a round of work on an order (the completion a reopening follows).
ROUND_ENDS = frozenset({"sign_off", "resolve_remotely", "close_incomplete"})


def _current_order_rounds(
    order: Any, *, on: date, fault_cause: str, first_acceptance: bool = False
) -> tuple[list[RepairRecord], RepairRecord]:
    """The order being decided: its earlier rounds (each reopening within the repair warranty
    follows a finished repair, 第六条: it counts as a repeat repair and dates the repair
    warranty) and the round under way, which starts at the last reopening."""
    from workorders.models import TimelineEvent

    # Accepted for the first time, an order has had no pause, end or reopening yet: nothing to read.
    events = (
        []
        if first_acceptance
        else list(
            TimelineEvent.objects.filter(
                order=order, kind__in=["pause", "resume", "reopen", *sorted(ROUND_ENDS)]
            ).order_by("at", "id")
        )
    )
    rounds: list[RepairRecord] = []
    opened = min(_local_day(order.submitted_at) or on, on)
    round_events: list[Any] = []
    finished: date | None = None
    for event in events:
        day = timezone.localdate(event.at)
        if event.kind in ROUND_ENDS:
            finished = day
        elif event.kind == "reopen":
            end = min(finished or day, on)
            rounds.append(
                RepairRecord(
                    opened_on=opened,
                    finished_on=max(end, opened),
                    fault_cause=order.fault_cause or FaultCause.UNKNOWN,
                    parts_wait_days=_parts_wait_days(round_events, end),
                )
            )
            opened, round_events, finished = min(day, on), [], None
        else:
            round_events.append(event)
    current = RepairRecord(
        opened_on=opened,
        finished_on=None,
        fault_cause=fault_cause,
        parts_wait_days=_parts_wait_days(round_events, on),
    )
    return rounds, current


def repair_warranty_days_for(*, device: Any | None, on: date | None = None) -> int:
    """The repair warranty (第六条) of the policy version that applies to ``device``: how long a
    repaired unit must work; a return within it reopens the order free of charge. Without a
    device or policy, the regulation's 30 days."""
    day = on or timezone.localdate()
    if device is None:
        return 30
    sold_on = device.purchased_on or device.installed_on or device.accepted_on or day
    policy = policy_in_force(product_model=device.product_model, on=sold_on)
    return policy.repair_warranty_days if policy is not None else 30


def _device_dates(device: Any) -> DeviceDates:
    return DeviceDates(
        purchased_on=device.purchased_on,
        installed_on=device.installed_on,
        accepted_on=device.accepted_on,
        production_stopped_on=device.product_model.discontinued_on,
    )


def warranty_inputs(
    *,
    device: Any,
    on: date,
    request: str = RemedyRequest.REPAIR,
    fault_cause: str = FaultCause.UNKNOWN,
    current_order: Any | None = None,
    first_acceptance: bool = False,
) -> tuple[WarrantyInputs, WarrantyPolicy | None]:
    """Everything the decision needs, read from the database, and the policy version used."""
    if request not in RemedyRequest.values:
        raise ValidationError(
            {"request": _("Choose one of: %(choices)s.") % {"choices": ", ".join(RemedyRequest.values)}}
        )
    if fault_cause not in FaultCause.values:
        raise ValidationError(
            {"fault_cause": _("Choose one of: %(choices)s.") % {"choices": ", ".join(FaultCause.values)}}
        )
    sold_on = device.purchased_on or device.installed_on or device.accepted_on or on
    policy = policy_in_force(product_model=device.product_model, on=sold_on)
    repairs, exchanges = repair_history(
        device=device, on=on, exclude_order_id=current_order.pk if current_order else None
    )
    current = None
    if current_order is not None:
        earlier_rounds, current = _current_order_rounds(
            current_order, on=on, fault_cause=fault_cause, first_acceptance=first_acceptance
        )
        repairs.extend(earlier_rounds)
    contracts = tuple(
        ContractCover(contract_id=c.pk, kind=c.kind, starts_on=c.starts_on, ends_on=c.ends_on, label=c.number)
        for c in contracts_covering(device=device, on=on)
    )
    inputs = WarrantyInputs(
        policy=policy_terms(policy, device.product_model) if policy is not None else None,
        device=_device_dates(device),
        on=on,
        request=request,
        fault_cause=fault_cause,
        repairs=tuple(repairs),
        exchanges=tuple(exchanges),
        current_repair=current,
        contracts=contracts,
    )
    return inputs, policy


# Dates a person could mean; far ones would only overflow the period arithmetic.
EARLIEST_WARRANTY_DAY, LATEST_WARRANTY_DAY = date(1990, 1, 1), date(2199, 12, 31)


def warranty_check_on(on: date) -> None:
    if not EARLIEST_WARRANTY_DAY <= on <= LATEST_WARRANTY_DAY:
        raise ValidationError(
            {
                "on": _("Choose a date between %(first)s and %(last)s.")
                % {"first": EARLIEST_WARRANTY_DAY.isoformat(), "last": LATEST_WARRANTY_DAY.isoformat()}
            }
        )


def warranty_decision(
    *, device: Any, on: date, request: str = RemedyRequest.REPAIR, fault_cause: str = FaultCause.UNKNOWN
) -> WarrantyDecision:
    """The decision for a fault of ``device`` on ``on`` (not recorded). Any date, past or future:
    a future date is answered from what is known today (the repairs finished so far, the
    contracts on record), so an agent can ask whether the appointment day is still covered."""
    warranty_check_on(on)
    inputs, _policy = warranty_inputs(device=device, on=on, request=request, fault_cause=fault_cause)
    return warranty_decide(inputs)


def warranty_status(*, device: Any, on: date) -> WarrantyDecision:
    """In or out of the period on ``on`` (the decision for an undiagnosed repair)."""
    return warranty_decision(device=device, on=on)


def _unknown_device_decision(*, on: date, request: str, fault_cause: str) -> WarrantyDecision:
    return warranty_decide(WarrantyInputs(policy=None, device=None, on=on, request=request, fault_cause=fault_cause))


# --- the decisions on a work order ---------------------------------------------------------------


def _decision_for_order(
    *, order: Any, trigger: str, first_acceptance: bool = False
) -> tuple[WarrantyDecisionRecord, PendingEvent]:
    """Decide for the order now and keep the decision (never rewritten); the ``warranty`` event
    that puts it on the timeline is returned for the caller to write."""
    on = timezone.localdate()
    request = REQUEST_BY_SERVICE_TYPE.get(order.service_type, RemedyRequest.REPAIR)
    fault_cause = order.fault_cause or FaultCause.UNKNOWN
    policy = None
    if order.device_id is None:
        decision = _unknown_device_decision(on=on, request=request, fault_cause=fault_cause)
    else:
        inputs, policy = warranty_inputs(
            device=order.device,
            on=on,
            request=request,
            fault_cause=fault_cause,
            current_order=order,
            first_acceptance=first_acceptance,
        )
        decision = warranty_decide(inputs)
    result = decision.as_dict()
    record = WarrantyDecisionRecord(
        order=order,
        device_id=order.device_id,
        policy=policy,
        policy_revision=policy.revision if policy else None,
        trigger=trigger,
        decided_on=on,
        request=request,
        fault_cause=fault_cause,
        status=decision.status,
        coverage=decision.coverage,
        result=result,
    )
    # The order, device and policy were just read: no need to query that they exist.
    record.full_clean(exclude=["order", "device", "policy"])
    record.save()
    remember_order_decision(order, record)
    event = PendingEvent(
        kind=EventKind.WARRANTY,
        # No translated summary as the note: the timeline shows the decision from its data in the
        # reader's language (policies.timeline), the card its reasons (issue 18, point 7).
        note="",
        data={**{k: v for k, v in result.items() if k != "inputs"}, "record": record.pk, "trigger": trigger},
    )
    return record, event


def _charge_follows(order: Any, value: str) -> tuple[str, ...]:
    if order.charge_type == value:
        return ()
    order.charge_type = value
    return ("charge_type",)


def warranty_decide_on_transition(order: Any, context: TransitionContext) -> Decision:
    """The decider (before the transition's save): decide at acceptance, and again when the
    diagnosis changes the fault cause; the charge follows the decision while nobody chose it."""
    if context.action == "accept":
        # From submitted or info requested (never a reopening, which leads straight to accepted).
        first = order.reopened_count == 0
        record, event = _decision_for_order(order=order, trigger="accept", first_acceptance=first)
        decided = record.coverage in (Coverage.FREE, Coverage.PAID)
        fields: tuple[str, ...] = ()
        if order.service_type in CHARGED_BY_WARRANTY and order.charge_type == "undetermined" and decided:
            fields = _charge_follows(order, record.coverage)
        return Decision(fields=fields, events=(event,))
    previous = latest_order_decision(order)  # diagnose
    if previous is not None and previous.fault_cause == order.fault_cause:
        return NO_CHANGE
    record, event = _decision_for_order(order=order, trigger="diagnose")
    recorded = Decision(events=(event,))
    if order.service_type not in CHARGED_BY_WARRANTY or order.quoted_amount is not None:
        return recorded
    if record.coverage not in (Coverage.FREE, Coverage.PAID):
        return recorded
    fields = ()
    if order.charge_type == "undetermined":
        fields = _charge_follows(order, record.coverage)
    elif previous is None:
        if order.charge_type == "free" and record.coverage == Coverage.PAID:
            fields = _charge_follows(order, "paid")
    elif previous.coverage != record.coverage and order.charge_type == previous.coverage:
        # The charge followed the earlier decision, which the diagnosis changed (an exclusion
        # found, or a covered fault after all). A charge someone chose against the decision
        # (goodwill, the repair warranty's free reopening) stays as it was.
        fields = _charge_follows(order, record.coverage)
    return Decision(fields=fields, events=(event,))


def repair_warranty_days_of_order(order: Any) -> int | None:
    """How long the order's repair must hold: the device policy's repair warranty (第六条)."""
    return repair_warranty_days_for(device=order.device) if order.device_id else None


# --- policies ----------------------------------------------------------------------------------

#: What a policy version says, in the order its form shows it.
POLICY_FIELDS = (
    "name",
    "category",
    "product_model",
    "effective_from",
    "unit_months",
    "parts_months",
    "parts",
    "start_basis",
    "start_fallback",
    "extend_for_repair_time",
    "restart_on_exchange",
    "return_days",
    "exchange_days",
    "repeat_failure_threshold",
    "repeat_same_fault_consecutive",
    "parts_wait_limit_days",
    "repairer_fault_limit_days",
    "depreciation_percent_per_day",
    "repair_warranty_days",
    "parts_supply_years",
    "excluded_causes",
    "note",
)
#: The terms a new version copies from the one it replaces, unless given.
TERM_FIELDS = set(POLICY_FIELDS) - {"name", "category", "product_model", "effective_from", "note"}


def _validate_exclusions(value: Any) -> list[str]:
    if not isinstance(value, list | tuple) or any(code not in EXCLUSION_ARTICLES for code in value):
        raise ValidationError(
            {
                "excluded_causes": _("Choose among: %(choices)s.")
                % {"choices": ", ".join(str(code) for code in EXCLUSION_ARTICLES)}
            }
        )
    return sorted({str(code) for code in value})


@transaction.atomic
def warranty_policy_create(*, acting_user: Any | None, **fields: Any) -> WarrantyPolicy:
    """A new policy version (never an edit of an old one). Terms not given are copied from the
    version in force for the same scope, so a version changes only what it says it changes."""
    if acting_user is not None and not acting_user.has_perm("policies.add_warrantypolicy"):
        raise PermissionDenied(_("You may not change warranty policies."))
    unknown = set(fields).difference(POLICY_FIELDS)
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})
    category, model = fields.get("category"), fields.get("product_model")
    if category is not None and model is not None:
        raise ValidationError({"product_model": _("A policy applies to a category or to a model, not both.")})
    if not fields.get("effective_from"):
        raise ValidationError({"effective_from": _("This field is required.")})
    previous = (
        WarrantyPolicy.objects.filter(category=category, product_model=model).order_by("-effective_from", "-id").first()
    )
    if previous is not None:
        if WarrantyPolicy.objects.filter(
            category=category, product_model=model, effective_from=fields["effective_from"]
        ).exists():
            raise ValidationError(
                {"effective_from": _("A version of this policy already takes effect on that day; choose another day.")}
            )
        for name in TERM_FIELDS:
            fields.setdefault(name, getattr(previous, name))
        fields.setdefault("name", previous.name)
    if "excluded_causes" in fields:
        fields["excluded_causes"] = _validate_exclusions(fields["excluded_causes"])
    if not (fields.get("name") or "").strip():
        raise ValidationError({"name": _("This field is required.")})
    policy = WarrantyPolicy(**fields)
    policy.revision = WarrantyPolicy.objects.filter(category=category, product_model=model).count() + 1
    policy.created_by = acting_user if acting_user is not None and acting_user.is_authenticated else None
    if policy.exchange_days < policy.return_days:
        raise ValidationError({"exchange_days": _("The exchange window cannot be shorter than the return window.")})
    policy.full_clean()
    policy.save()
    return policy


# --- contracts ---------------------------------------------------------------------------------

CONTRACT_FIELDS = {"kind", "starts_on", "ends_on", "price", "waived_fee_kinds", "extends_months", "note", "is_active"}
#: What each kind waives unless the contract says otherwise (seed 004: 维保 covers labour and software).
DEFAULT_WAIVERS = {
    ContractKind.EXTENDED_WARRANTY: [FeeKind.LABOUR, FeeKind.PARTS],
    ContractKind.ANNUAL_MAINTENANCE: [FeeKind.LABOUR, FeeKind.SOFTWARE],
    ContractKind.SERVICE_PACKAGE: [],
}


def _clean_contract(contract: Contract, devices: list[Any] | None) -> None:
    errors: dict[str, str] = {}
    kinds = contract.waived_fee_kinds
    if not isinstance(kinds, list) or any(kind not in FeeKind.values for kind in kinds):
        errors["waived_fee_kinds"] = _("Choose among: %(choices)s.") % {"choices": ", ".join(FeeKind.values)}
    else:
        contract.waived_fee_kinds = [kind for kind in FeeKind.values if kind in kinds]
    if contract.starts_on and contract.ends_on and contract.ends_on < contract.starts_on:
        errors["ends_on"] = _("The term cannot end before it starts.")
    if contract.price is not None and Decimal(contract.price) != Decimal(contract.price).quantize(Decimal("0.01")):
        errors["price"] = _("Enter an amount with at most two decimals.")
    if devices is not None and any(device.customer_id != contract.customer_id for device in devices):
        errors["devices"] = _("Only devices of the contract's customer can be covered.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def contract_create(
    *,
    acting_user: Any | None,
    customer: Any,
    kind: str,
    starts_on: date,
    ends_on: date | None = None,
    price: Decimal = Decimal("0.00"),
    waived_fee_kinds: list[str] | None = None,
    devices: list[Any] | None = None,
    extends_months: int | None = None,
    note: str = "",
) -> Contract:
    """A contract; an extended warranty given only ``extends_months`` ends that many months after it starts."""
    if acting_user is not None and not acting_user.has_perm("policies.add_contract"):
        raise PermissionDenied(_("You may not manage contracts."))
    if kind not in ContractKind.values:
        raise ValidationError({"kind": _("Choose one of: %(choices)s.") % {"choices": ", ".join(ContractKind.values)}})
    if ends_on is None:
        if not extends_months:
            raise ValidationError({"ends_on": _("This field is required.")})
        ends_on = period_end(starts_on, extends_months)
    contract = Contract(
        number=next_number("CT"),
        kind=kind,
        customer=customer,
        starts_on=starts_on,
        ends_on=ends_on,
        price=price,
        waived_fee_kinds=list(DEFAULT_WAIVERS[ContractKind(kind)])
        if waived_fee_kinds is None
        else list(waived_fee_kinds),
        extends_months=extends_months,
        note=note,
    )
    _clean_contract(contract, devices)
    contract.full_clean()
    contract.save()
    if devices:
        contract.devices.set(devices)
    return contract


@transaction.atomic
def contract_update(
    *,
    contract: Contract,
    acting_user: Any | None,
    changes: dict[str, Any],
    expected_version: int | None = None,
) -> Contract:
    if acting_user is not None and not acting_user.has_perm("policies.change_contract"):
        raise PermissionDenied(_("You may not manage contracts."))
    contract = lock_for_update(contract)
    check_version(contract, expected_version)
    changes = dict(changes)
    devices = changes.pop("devices", None)
    if "kind" in changes and changes["kind"] not in ContractKind.values:
        raise ValidationError({"kind": _("Choose one of: %(choices)s.") % {"choices": ", ".join(ContractKind.values)}})
    diff = apply_changes(contract, changes, allowed=CONTRACT_FIELDS)
    _clean_contract(contract, list(devices) if devices is not None else None)
    devices_changed = devices is not None and {d.pk for d in devices} != set(
        contract.devices.values_list("pk", flat=True)
    )
    if diff or devices_changed:
        save_versioned(contract, list(diff))
    if devices_changed:
        contract.devices.set(devices)
    return contract
