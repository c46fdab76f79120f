"""Writes of preventive maintenance (SPEC §10): plans, the generation of their occurrences and
work orders, and inspection results. One function per business action, keyword-only, each in a
transaction; work orders are created through ``workorders.services``.

Generation never creates an occurrence twice: each occurrence is inserted in its own savepoint
and the unique (plan, device, due_on) constraint refuses a twin — a concurrent run that lost the
race catches the IntegrityError and creates nothing (insert-and-catch-conflict, not
check-then-insert). The read of the occurrences already there only saves work on a repeat run."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.exceptions import TransitionNotAllowed
from core.scoping import default_unit, unit_ids_visible_to
from core.services import check_version, save_versioned
from devices.models import Device
from devices.selectors import devices_visible_to
from maintenance.choices import ItemKind, NonWorkingDay, Outcome, PlanServiceType, Schedule
from maintenance.models import ChecklistTemplate, ChecklistTemplateItem, InspectionResult, MaintenancePlan, Occurrence
from maintenance.schedule import add_months, after, fixed_occurrences, shift_to_working_day
from policies.models import Contract
from workorders.choices import Channel, EventKind, Status
from workorders.models import WorkOrder
from workorders.services import workorder_create, workorder_record_event

logger = logging.getLogger(__name__)

#: How far ahead a generation may reach (a typo like 2062 would otherwise create decades of orders).
MAX_GENERATE_YEARS = 3
#: Devices handled per round of a generation (one read of the occurrences already there per round).
BATCH = 500
#: Occurrences created per transaction of a generation (fewer commits; a short write lock on SQLite).
COMMIT_EVERY = 50
FINISHED = frozenset({Status.COMPLETED, Status.FOLLOWED_UP, Status.CLOSED})
DROPPED = frozenset({Status.CANCELLED, Status.REJECTED})


# --- plans -----------------------------------------------------------------------------------


def _require(user: Any | None, permission: str, message: str) -> None:
    if user is not None and not user.has_perm(permission):
        raise PermissionDenied(message)


def _plan_unit(acting_user: Any | None) -> Any:
    profile = getattr(acting_user, "profile", None) if acting_user is not None else None
    unit = getattr(profile, "unit", None) if profile is not None else None
    return unit or default_unit()


def _clean_devices(acting_user: Any | None, device_ids: Sequence[int]) -> list[Device]:
    """The listed devices, each one the user sees (an unknown or another unit's device is refused
    by name: the same answer, so another station's devices are not revealed)."""
    ids = list(dict.fromkeys(int(pk) for pk in device_ids))
    queryset = Device.objects.all() if acting_user is None else devices_visible_to(acting_user)
    found = {device.pk: device for device in queryset.filter(pk__in=ids)}
    missing = [pk for pk in ids if pk not in found]
    if missing:
        raise ValidationError(
            {"devices": _("Unknown device: %(ids)s.") % {"ids": ", ".join(str(pk) for pk in missing)}}
        )
    return [found[pk] for pk in ids]


def _clean_contract(acting_user: Any | None, contract: Contract | None) -> None:
    if contract is None or acting_user is None:
        return
    visible = unit_ids_visible_to(acting_user)
    if visible is not None and contract.customer.unit_id not in visible:
        raise ValidationError({"contract": _("Unknown contract.")})


def _clean_intervals(interval_months: int | None, interval_days: int | None) -> None:
    if interval_months is None and interval_days is None:
        raise ValidationError({"interval_months": _("Give an interval in months or in days.")})
    if interval_months is not None and interval_days is not None:
        raise ValidationError({"interval_days": _("Give an interval in months or in days, not both.")})
    if interval_months is not None and interval_months < 1:
        raise ValidationError({"interval_months": _("The interval must be at least 1.")})
    if interval_days is not None and interval_days < 1:
        raise ValidationError({"interval_days": _("The interval must be at least 1.")})


def _check_calendar(code: str) -> None:
    from workcalendar.models import WorkCalendar

    if not WorkCalendar.objects.filter(code=code).exists():
        raise ValidationError({"calendar_code": _("Unknown work calendar.")})


@transaction.atomic
def plan_create(
    *,
    acting_user: Any | None,
    name: str,
    service_type: str,
    starts_on: date,
    interval_months: int | None = None,
    interval_days: int | None = None,
    devices: Sequence[int] = (),
    contract: Contract | None = None,
    schedule: str = Schedule.FIXED,
    ends_on: date | None = None,
    horizon_days: int = 14,
    non_working: str = NonWorkingDay.EARLIER,
    calendar_code: str = "standard",
    checklist: ChecklistTemplate | None = None,
) -> MaintenancePlan:
    """A plan over listed devices and/or every device of a contract; nothing saved when refused."""
    _require(acting_user, "maintenance.add_maintenanceplan", _("You may not create maintenance plans."))
    if not (name or "").strip():
        raise ValidationError({"name": _("This field is required.")})
    if service_type not in PlanServiceType.values:
        raise ValidationError({"service_type": _("Choose inspection or maintenance.")})
    _clean_intervals(interval_months, interval_days)
    if not devices and contract is None:
        raise ValidationError({"devices": _("Choose at least one device, or a contract.")})
    device_rows = _clean_devices(acting_user, devices)
    _clean_contract(acting_user, contract)
    if calendar_code != "standard" or non_working != NonWorkingDay.KEEP:
        _check_calendar(calendar_code)
    plan = MaintenancePlan(
        name=name.strip(),
        service_type=service_type,
        schedule=schedule,
        interval_months=interval_months,
        interval_days=interval_days,
        starts_on=starts_on,
        ends_on=ends_on,
        horizon_days=horizon_days,
        non_working=non_working,
        calendar_code=calendar_code,
        contract=contract,
        checklist=checklist,
        unit=_plan_unit(acting_user),
        created_by=acting_user,
    )
    plan.full_clean(exclude=["unit", "created_by", "contract", "checklist"])
    plan.save()
    plan.devices.set(device_rows)
    return plan


PLAN_EDITABLE = {
    "name",
    "schedule",
    "interval_months",
    "interval_days",
    "ends_on",
    "horizon_days",
    "non_working",
    "calendar_code",
    "checklist",
    "is_active",
}


@transaction.atomic
def plan_update(
    *,
    plan: MaintenancePlan,
    acting_user: Any | None,
    changes: dict[str, Any],
    devices: Sequence[int] | None = None,
    expected_version: int | None = None,
) -> MaintenancePlan:
    """Edit a plan. The start date and the service type stay (the occurrences already generated
    are counted from them); a changed interval applies to the occurrences not generated yet."""
    _require(acting_user, "maintenance.change_maintenanceplan", _("You may not edit maintenance plans."))
    plan = MaintenancePlan.objects.select_for_update().get(pk=plan.pk)
    check_version(plan, expected_version)
    unknown = set(changes) - PLAN_EDITABLE
    if unknown:
        raise ValidationError({field: _("This field cannot be changed.") for field in sorted(unknown)})
    for field, value in changes.items():
        setattr(plan, field, value)
    _clean_intervals(plan.interval_months, plan.interval_days)
    if "calendar_code" in changes:
        _check_calendar(plan.calendar_code)
    plan.full_clean(exclude=["unit", "created_by", "contract", "checklist"])
    if devices is not None:
        if not devices and plan.contract_id is None:
            raise ValidationError({"devices": _("Choose at least one device, or a contract.")})
        plan.devices.set(_clean_devices(acting_user, devices))
    save_versioned(plan, list(changes))
    return plan


def plan_devices(plan: MaintenancePlan) -> QuerySet[Device]:
    """The devices a plan covers: its listed devices and, for a contract plan, the contract's
    covered devices (every device of the contract's customer when it lists none)."""
    from django.db.models import Q

    condition = Q(maintenance_plans=plan)
    if plan.contract_id is not None:
        contract = plan.contract
        assert contract is not None
        if contract.devices.exists():
            condition |= Q(contracts=contract)
        else:
            condition |= Q(customer_id=contract.customer_id)
    return Device.objects.filter(condition).distinct().order_by("pk")


# --- generation ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    device: Device
    sequence: int
    due_on: date


def _is_working_day_for(plan: MaintenancePlan) -> Any:
    if plan.non_working == NonWorkingDay.KEEP:
        return lambda day: True
    from workcalendar.models import WorkCalendar
    from workcalendar.selectors import default_working_calendar, working_calendar

    try:
        calendar = working_calendar(plan.calendar_code)
    except WorkCalendar.DoesNotExist:
        calendar = default_working_calendar()
    return calendar.is_working_day


def _fixed_dues(plan: MaintenancePlan, devices: list[Device], until: date) -> list[Due]:
    dates = list(
        fixed_occurrences(
            plan.starts_on,
            until,
            interval_months=plan.interval_months,
            interval_days=plan.interval_days,
            ends_on=plan.ends_on,
        )
    )
    return [Due(device, k, due) for device in devices for k, due in dates]


def _floating_dues(plan: MaintenancePlan, devices: list[Device], until: date) -> list[Due]:
    """The next occurrence of each device: the start date at first, then one interval after the
    last occurrence's completion (after its due date when that order was cancelled or rejected);
    nothing while the last one is still open."""
    last: dict[int, Occurrence] = {}
    for occ in (
        Occurrence.objects.filter(plan=plan, device__in=devices)
        .select_related("work_order")
        .order_by("device_id", "sequence")
    ):
        last[occ.device_id] = occ
    dues = []
    for device in devices:
        previous = last.get(device.pk)
        if previous is None:
            sequence, due = 0, plan.starts_on
        else:
            order = previous.work_order
            if order is not None and order.status in FINISHED and order.completed_at is not None:
                base = timezone.localdate(order.completed_at)
            elif order is None or order.status in DROPPED:
                base = previous.due_on
            else:
                continue  # still open: the next one is counted from its completion
            sequence = previous.sequence + 1
            due = after(base, interval_months=plan.interval_months, interval_days=plan.interval_days)
        if due <= until and (plan.ends_on is None or due <= plan.ends_on):
            dues.append(Due(device, sequence, due))
    return dues


def _description(plan: MaintenancePlan, due_on: date, planned_on: date) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        if planned_on != due_on:
            return _("%(plan)s: due %(due)s, planned for %(planned)s (not a working day).") % {
                "plan": plan.name,
                "due": due_on.isoformat(),
                "planned": planned_on.isoformat(),
            }
        return _("%(plan)s: due %(due)s.") % {"plan": plan.name, "due": due_on.isoformat()}


def _create_occurrence(plan: MaintenancePlan, due: Due, is_working_day: Any) -> bool:
    """Insert the occurrence and create its work order, in one savepoint; False when the row was
    already there (a concurrent or earlier run created it: the unique constraint refused this one)."""
    planned_on = shift_to_working_day(due.due_on, plan.non_working, is_working_day)
    device = due.device
    try:
        with transaction.atomic():
            occurrence = Occurrence.objects.create(
                plan=plan, device=device, sequence=due.sequence, due_on=due.due_on, planned_on=planned_on
            )
            order = workorder_create(
                acting_user=None,
                customer=device.customer,
                device=device,
                service_type=plan.service_type,
                channel=Channel.API,
                description=_description(plan, due.due_on, planned_on),
            )
            if order.unit_id != device.unit_id:
                # Routed to the unit serving the device (its serving unit may differ from the owner's).
                WorkOrder.objects.filter(pk=order.pk).update(unit_id=device.unit_id)
                order.unit_id = device.unit_id
            occurrence.work_order = order
            occurrence.save(update_fields=["work_order"])
            workorder_record_event(
                order=order,
                kind=EventKind.COMMENT,
                acting_user=None,
                note=_description(plan, due.due_on, planned_on),
                data={
                    "maintenance_plan": plan.pk,
                    "due_on": due.due_on.isoformat(),
                    "planned_on": planned_on.isoformat(),
                },
            )
    except IntegrityError:
        return False
    return True


def plan_generate(*, plan: MaintenancePlan, until: date, acting_user: Any | None = None) -> int:
    """One work order per device and due occurrence up to ``until``; returns how many were created
    (0 on a repeat). Safe to call concurrently: see the module's docstring."""
    _require(acting_user, "maintenance.generate_maintenanceplan", _("You may not generate maintenance orders."))
    today = timezone.localdate()
    if until > add_months(today, 12 * MAX_GENERATE_YEARS):
        raise ValidationError({"until": _("Generate at most %(n)s years ahead.") % {"n": MAX_GENERATE_YEARS}})
    if not plan.is_active:
        raise TransitionNotAllowed(
            _("This plan is not active."), status="inactive", action="generate", allowed_actions=[]
        )
    is_working_day = _is_working_day_for(plan)
    devices = plan_devices(plan).select_related("customer")
    if acting_user is not None:
        visible = unit_ids_visible_to(acting_user)
        if visible is not None:
            devices = devices.filter(customer__unit_id__in=visible)
    created = 0
    device_ids = list(devices.values_list("pk", flat=True))
    for start in range(0, len(device_ids), BATCH):
        batch = list(devices.filter(pk__in=device_ids[start : start + BATCH]))
        if plan.schedule == Schedule.FLOATING:
            dues = _floating_dues(plan, batch, until)
        else:
            dues = _fixed_dues(plan, batch, until)
            there = set(
                Occurrence.objects.filter(plan=plan, device__in=batch, due_on__lte=until).values_list(
                    "device_id", "due_on"
                )
            )
            dues = [due for due in dues if (due.device.pk, due.due_on) not in there]
        # One commit per ``COMMIT_EVERY`` occurrences (each still in its own savepoint): a twin
        # inserted by a concurrent run waits for this one's commit, then fails on the constraint.
        for start_due in range(0, len(dues), COMMIT_EVERY):
            with transaction.atomic():
                for due in dues[start_due : start_due + COMMIT_EVERY]:
                    created += _create_occurrence(plan, due, is_working_day)
    if created:
        logger.info("maintenance plan %s: %s work orders created up to %s", plan.pk, created, until)
    return created


def plans_generate_due(*, today: date | None = None) -> int:
    """The daily run: every active plan up to today plus its planning horizon."""
    today = today or timezone.localdate()
    created = 0
    for plan in MaintenancePlan.objects.filter(is_active=True, starts_on__lte=today + timedelta(days=366)).order_by(
        "pk"
    ):
        try:
            created += plan_generate(plan=plan, until=today + timedelta(days=plan.horizon_days))
        except (ValidationError, TransitionNotAllowed):
            logger.exception("maintenance plan %s could not be generated", plan.pk)
    return created


# --- checklist templates ---------------------------------------------------------------------


@transaction.atomic
def checklist_template_create(
    *, acting_user: Any | None, code: str, name: str, items: Iterable[dict[str, Any]]
) -> ChecklistTemplate:
    _require(acting_user, "maintenance.add_maintenanceplan", _("You may not create checklists."))
    template = ChecklistTemplate(code=code, name=name)
    template.full_clean()
    template.save()
    for position, spec in enumerate(items, start=1):
        item = ChecklistTemplateItem(template=template, position=position * 10, **spec)
        item.full_clean(exclude=["template"])
        item.save()
    return template


# --- inspection results ----------------------------------------------------------------------


def _decimal(raw: Any, field: str) -> Decimal:
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("Enter a number.")}) from None
    if not value.is_finite() or abs(value) >= Decimal("1e9"):
        raise ValidationError({field: _("Enter a number.")})
    return value.quantize(Decimal("0.001"))


def out_of_limits(value: Decimal | None, lower: Decimal | None, upper: Decimal | None) -> bool:
    if value is None:
        return False
    return (lower is not None and value < lower) or (upper is not None and value > upper)


def checklist_of_order(order: WorkOrder) -> ChecklistTemplate | None:
    occurrence = Occurrence.objects.filter(work_order=order).select_related("plan__checklist").first()
    return occurrence.plan.checklist if occurrence is not None else None


@transaction.atomic
def inspection_record(
    *,
    order: WorkOrder,
    acting_user: Any | None,
    item: ChecklistTemplateItem,
    outcome: str = "",
    value: Any = None,
    note: str = "",
) -> InspectionResult:
    """Record (or correct) one checklist item on a maintenance order: ok or issue for a check, a
    measured value for a measure (flagged when outside the item's limits). Only while the order
    is being worked on, by its technician or someone who may edit orders."""
    from workorders.selectors import workorders_visible_to

    _require(acting_user, "maintenance.add_inspectionresult", _("You may not record inspection results."))
    if acting_user is not None and not workorders_visible_to(acting_user).filter(pk=order.pk).exists():
        raise ValidationError({"order": _("Unknown work order.")})
    order = WorkOrder.objects.select_for_update(of=("self",)).get(pk=order.pk)
    if (
        acting_user is not None
        and order.technician_id is not None
        and order.technician_id != acting_user.pk
        and not acting_user.has_perm("workorders.change_workorder")
    ):
        raise PermissionDenied(_("This order is assigned to another technician."))
    if order.status in FINISHED | DROPPED:
        raise TransitionNotAllowed(
            _("Results cannot be recorded on an order that is %(status)s.") % {"status": order.get_status_display()},
            status=order.status,
            action="record_result",
            allowed_actions=[],
        )
    checklist = checklist_of_order(order)
    if checklist is None or item.template_id != checklist.pk:
        raise ValidationError({"item": _("This item is not on the order's checklist.")})
    number: Decimal | None = None
    if item.kind == ItemKind.MEASURE:
        if value in (None, ""):
            raise ValidationError({"value": _("Enter the measured value.")})
        number = _decimal(value, "value")
        outcome = Outcome.MEASURED
    elif outcome not in {Outcome.OK, Outcome.ISSUE}:
        raise ValidationError({"outcome": _("Choose ok or issue.")})
    if outcome == Outcome.ISSUE and not (note or "").strip():
        raise ValidationError({"note": _("Describe the issue.")})
    flagged = out_of_limits(number, item.lower_limit, item.upper_limit)
    result, _created = InspectionResult.objects.update_or_create(
        order=order,
        item=item,
        defaults={
            "outcome": outcome,
            "value": number,
            "unit": item.unit,
            "lower_limit": item.lower_limit,
            "upper_limit": item.upper_limit,
            "out_of_limit": flagged,
            "note": (note or "").strip()[:500],
            "recorded_at": timezone.now(),
            "recorded_by": acting_user,
        },
    )
    text = item.label + ": " + (result.value_text if number is not None else str(Outcome(outcome).label))
    if flagged:
        text += " " + _("(out of limits)")
    workorder_record_event(
        order=order,
        kind=EventKind.COMMENT,
        acting_user=acting_user,
        note=text,
        data={"inspection_item": item.pk, "outcome": outcome, "out_of_limit": flagged},
    )
    return result


# --- contracts -------------------------------------------------------------------------------


#: The annual maintenance fee per device (seed 004: 1,300 CNY per unit and year, software included,
#: hardware excluded); the fee schedule has no such rate kind yet (``MAINTENANCE_ANNUAL_FEE``).
def annual_fee_per_device() -> Decimal:
    return Decimal(str(getattr(settings, "MAINTENANCE_ANNUAL_FEE", "1300.00")))


@dataclass(frozen=True)
class RenewalQuote:
    devices: int
    per_device: Decimal
    total: Decimal
    starts_on: date
    ends_on: date


def contract_devices(contract: Contract) -> QuerySet[Device]:
    """The devices a contract covers: the listed ones, or every device of its customer."""
    listed = contract.devices.all()
    return listed if listed.exists() else Device.objects.filter(customer_id=contract.customer_id)


def renewal_quote(contract: Contract) -> RenewalQuote:
    """A year's renewal from the day after the term: covered devices × the annual fee."""
    count = contract_devices(contract).count()
    per_device = annual_fee_per_device()
    starts_on = contract.ends_on + timedelta(days=1)
    return RenewalQuote(
        devices=count,
        per_device=per_device,
        total=(per_device * count).quantize(Decimal("0.01")),
        starts_on=starts_on,
        ends_on=add_months(starts_on, 12) - timedelta(days=1),
    )


@transaction.atomic
def plan_from_contract(
    *, contract: Contract, acting_user: Any | None, interval_months: int = 3, checklist: ChecklistTemplate | None = None
) -> MaintenancePlan:
    """The inspection plan of an annual-maintenance contract over every device it covers: every
    ``interval_months`` from the term's start plus one interval, until the term ends. One per
    contract: a second call returns the first plan."""
    from policies.choices import ContractKind

    if contract.kind != ContractKind.ANNUAL_MAINTENANCE:
        raise ValidationError({"contract": _("Only an annual-maintenance contract gets its plan from the contract.")})
    existing = MaintenancePlan.objects.filter(contract=contract, is_active=True).order_by("pk").first()
    if existing is not None:
        return existing
    first = add_months(contract.starts_on, interval_months)
    if first > contract.ends_on:
        raise ValidationError({"contract": _("The contract ends before its first inspection is due.")})
    return plan_create(
        acting_user=acting_user,
        name=_("Inspection under contract %(number)s") % {"number": contract.number},
        service_type=PlanServiceType.INSPECTION,
        interval_months=interval_months,
        starts_on=first,
        ends_on=contract.ends_on,
        contract=contract,
        checklist=checklist,
    )
