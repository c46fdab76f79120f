"""Writes for work orders. Every state change goes through ``workorder_transition``.

Each function runs in one transaction, checks permission and state, validates, saves with
``update_fields`` and appends a typed timeline event; side effects run on commit.
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from core.exceptions import PossibleDuplicate, TransitionNotAllowed
from core.numbering import next_number
from core.phones import phone_normalise
from core.scoping import unit_ids_visible_to
from core.search import search_document
from core.services import apply_changes, check_version, save_versioned
from customers.models import Customer
from customers.selectors import NO_DUPLICATES, CustomerDuplicates
from customers.services import customer_register, duplicate_refs
from devices.models import Device
from workorders.attachments import check_upload
from workorders.choices import (
    OPEN_STATUSES,
    ChargeType,
    CompletionStatus,
    EventKind,
    Priority,
    Satisfaction,
    Status,
    Urgency,
)
from workorders.hooks import (
    PendingEvent,
    TransitionContext,
    admitted_from_another_unit,
    assignment_refusal,
    deciders_for,
    repair_warranty_days,
    run_event_hooks,
)
from workorders.models import Attachment, MaterialLine, TimelineEvent, WorkOrder
from workorders.selectors import open_orders_of_device
from workorders.transitions import TRANSITIONS, TRANSITIONS_BY_ACTION, FieldSpec, Transition, guard_failure

logger = logging.getLogger(__name__)

CUSTOMER_LABEL = "customer"
SYSTEM_LABEL = "system"
MAX_AMOUNT = Decimal("10000000000")  # the money columns hold 12 digits, 2 of them decimals
URGENCY_PRIORITY: dict[str, int] = {
    Urgency.SAFETY: Priority.P1,
    Urgency.URGENT: Priority.P2,
    Urgency.NORMAL: Priority.P3,
}


@dataclass(frozen=True)
class Actor:
    """Who acts: a staff user, or the customer on the self-service pages (user is None)."""

    user: Any | None
    is_customer: bool = False

    @property
    def label(self) -> str:
        if self.is_customer:
            return CUSTOMER_LABEL
        return (self.user.get_full_name() or self.user.get_username()) if self.user is not None else SYSTEM_LABEL


def workorder_search_text(order: WorkOrder) -> str:
    device = order.device
    return search_document(
        [
            order.number,
            order.description,
            order.contact_phone,
            order.service_address,
            order.reported_serial,
            device.serial_number if device else "",
            order.product_model.name if order.product_model else "",
        ],
        names=[order.customer.name, order.applicant_name, order.applicant_unit],
    )


def _new_event(
    order: WorkOrder,
    kind: str,
    actor: Actor,
    *,
    note: str = "",
    from_status: str = "",
    to_status: str = "",
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> TimelineEvent:
    return TimelineEvent(
        order=order,
        kind=kind,
        actor=actor.user if not actor.is_customer else None,
        actor_label=actor.label,
        at=at or timezone.now(),
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=data or {},
    )


def _write_events(order: WorkOrder, events: list[TimelineEvent]) -> list[TimelineEvent]:
    """Write the events in one statement, then let the apps react to each, in order."""
    if len(events) == 1:
        events[0].save()
    else:
        TimelineEvent.objects.bulk_create(events)
    for event in events:
        run_event_hooks(order, event)
    return events


def _event(order: WorkOrder, kind: str, actor: Actor, **fields: Any) -> TimelineEvent:
    return _write_events(order, [_new_event(order, kind, actor, **fields)])[0]


def workorder_record_event(
    *,
    order: WorkOrder,
    kind: str,
    acting_user: Any | None,
    note: str = "",
    data: dict[str, Any] | None = None,
    by_customer: bool = False,
    at: datetime | None = None,
) -> TimelineEvent:
    """Append a typed event (warranty decision, quote, SLA alert…) for the other apps' services,
    which run it inside their own transaction. ``acting_user=None`` records the system."""
    return _event(order, kind, Actor(acting_user, is_customer=by_customer), note=note, data=data, at=at)


def _ensure_visible(unit_id: int, user: Any | None, field: str) -> None:
    if user is None:
        return
    visible = unit_ids_visible_to(user)
    if visible is not None and unit_id not in visible:
        raise ValidationError({field: _("Unknown %(field)s.") % {"field": field}})


@transaction.atomic
def workorder_create(
    *,
    acting_user: Any | None,
    customer: Customer,
    service_type: str,
    channel: str,
    description: str,
    device: Device | None = None,
    urgency: str = Urgency.NORMAL,
    applicant_name: str = "",
    contact_phone: str = "",
    applicant_unit: str = "",
    service_address: str = "",
    product_model: Any | None = None,
    reported_serial: str = "",
    by_customer: bool = False,
    submitted_at: datetime | None = None,
) -> WorkOrder:
    """Register a request (申请). Staff need ``add_workorder``; customers file through the portal."""
    actor = Actor(acting_user, is_customer=by_customer)
    if not by_customer and acting_user is not None and not acting_user.has_perm("workorders.add_workorder"):
        raise PermissionDenied(_("You may not register work orders."))
    _ensure_visible(customer.unit_id, acting_user, "customer")
    if device is not None and device.customer_id != customer.pk:
        raise ValidationError({"device": _("This device does not belong to the customer.")})
    order = WorkOrder(
        number=next_number("WO"),
        status=Status.SUBMITTED,
        service_type=service_type,
        channel=channel,
        urgency=urgency or Urgency.NORMAL,
        priority=URGENCY_PRIORITY.get(urgency or Urgency.NORMAL, Priority.P3),
        customer=customer,
        device=device,
        product_model=product_model or (device.product_model if device else None),
        reported_serial=(reported_serial or (device.serial_number if device else "")).strip(),
        applicant_unit=applicant_unit or (customer.name if customer.kind == "organisation" else ""),
        applicant_name=(applicant_name or customer.name).strip(),
        contact_phone=phone_normalise(contact_phone or customer.phone),
        service_address=(service_address or (device.location if device and device.location else customer.address)),
        description=(description or "").strip(),
        submitted_at=submitted_at or timezone.now(),
        unit=customer.unit,
        created_by=acting_user if not by_customer else None,
    )
    order.search_text = workorder_search_text(order)
    # Related rows were loaded (and scoped) by the caller and the number comes from the counter:
    # validate the values, not their existence again (saves five queries on the intake path).
    order.full_clean(exclude=["customer", "device", "product_model", "unit", "created_by"], validate_unique=False)
    order.save()
    _event(
        order,
        EventKind.CREATED,
        actor,
        to_status=Status.SUBMITTED,
        at=order.submitted_at,
        data={"channel": channel, "service_type": service_type},
    )
    return order


@transaction.atomic
def workorder_register_call(
    *,
    acting_user: Any,
    customer: Customer | None,
    new_customer: dict[str, Any] | None = None,
    uploads: Sequence[UploadedFile] = (),
    accept: bool = False,
    confirm_new_customer: bool = False,
    confirm_new_order: bool = False,
    **order_fields: Any,
) -> WorkOrder:
    """The agent's phone intake: the caller's customer record (created if new), the order, its
    attachments and, if asked, the acceptance — all in one transaction, or nothing.

    A new caller who may already be on file (customers.policies: the same phone) and a device
    with an open order are refused with ``PossibleDuplicate`` unless the agent confirmed that
    this is a new customer / a new order; the confirmation is recorded on the new order's
    timeline. A refusal is raised as the step's ValidationError with ``stage`` set ("customer",
    "order", "accept" or the refused file's name), so the form can put it on the right field.
    """
    stage = "customer"
    customers_confirmed: CustomerDuplicates = NO_DUPLICATES
    try:
        if new_customer is not None:
            registration = customer_register(
                acting_user=acting_user, confirm_duplicate=confirm_new_customer, **new_customer
            )
            customer, customers_confirmed = registration.customer, registration.duplicates
        if customer is None:
            raise ValidationError({"customer": _("Choose a customer.")})
        stage = "order"
        open_orders = _refuse_open_orders(acting_user, order_fields.get("device"), confirmed=confirm_new_order)
        order = workorder_create(acting_user=acting_user, customer=customer, **order_fields)
        _record_confirmed_duplicates(
            order,
            acting_user,
            customers=customers_confirmed if customers_confirmed.needs_confirmation else None,
            open_orders=open_orders,
        )
        for upload in uploads:
            stage = upload.name or "file"
            workorder_add_attachment(order=order, upload=upload, acting_user=acting_user)
        if accept:
            stage = "accept"
            order = workorder_transition(order=order, action="accept", acting_user=acting_user, data={})
    except ValidationError as error:
        error.stage = stage  # type: ignore[attr-defined]
        raise
    return order


@transaction.atomic
def workorder_create_at_intake(*, acting_user: Any, confirm_duplicate: bool, **fields: Any) -> WorkOrder:
    """``workorder_create`` for staff intake outside the console (``POST /work-orders``): a device
    with an open order the user sees is refused with ``PossibleDuplicate`` unless confirmed,
    and the confirmation is recorded on the new order's timeline."""
    if not acting_user.has_perm("workorders.add_workorder"):
        raise PermissionDenied(_("You may not register work orders."))
    open_orders = _refuse_open_orders(acting_user, fields.get("device"), confirmed=confirm_duplicate)
    order = workorder_create(acting_user=acting_user, **fields)
    _record_confirmed_duplicates(order, acting_user, customers=None, open_orders=open_orders)
    return order


def _refuse_open_orders(acting_user: Any, device: Device | None, *, confirmed: bool) -> list[WorkOrder]:
    """The device's open orders the user sees; refused unless the user confirmed a new order."""
    if device is None:
        return []
    open_orders = open_orders_of_device(user=acting_user, device_id=device.pk)
    if open_orders and not confirmed:
        raise PossibleDuplicate(
            _(
                "This device already has an open work order: %(numbers)s. Add the caller's report to it, "
                "or confirm that this is a new request."
            )
            % {"numbers": ", ".join(order.number for order in open_orders)},
            field="device",
            duplicates=[
                {"kind": "work_order", "id": order.pk, "label": order.number, "reasons": ["open_order_same_device"]}
                for order in open_orders
            ],
        )
    return open_orders


def _record_confirmed_duplicates(
    order: WorkOrder, acting_user: Any, *, customers: CustomerDuplicates | None, open_orders: list[WorkOrder]
) -> None:
    """On the new order's timeline: the user confirmed it is new despite these possible duplicates."""
    if not open_orders and customers is None:
        return
    data: dict[str, Any] = {}
    refs: list[dict[str, object]] = []
    if customers is not None:
        data["duplicate_customers"] = ", ".join(f"{m.customer.name} {m.customer.phone}" for m in customers.matches)
        refs += duplicate_refs(customers)
    if open_orders:
        data["open_orders"] = ", ".join(other.number for other in open_orders)
        refs += [{"kind": "work_order", "id": other.pk, "label": other.number} for other in open_orders]
    data["duplicates"] = refs
    _event(order, EventKind.DUPLICATE_CONFIRMED, Actor(acting_user), data=data)


@transaction.atomic
def workorder_add_repeat_request(
    *,
    order: WorkOrder,
    acting_user: Any,
    description: str,
    channel: str,
    uploads: Sequence[UploadedFile] = (),
) -> TimelineEvent:
    """The caller reports again about an open order: instead of a second order for the same
    request, their words (and files) go on that order's timeline."""
    if not acting_user.has_perm("workorders.add_workorder"):
        raise PermissionDenied(_("You may not register work orders."))
    if order.status not in OPEN_STATUSES:
        raise _not_allowed(
            order,
            EventKind.REPEAT_REQUEST,
            Actor(acting_user),
            _("Work order %(number)s is no longer open: register a new order instead.") % {"number": order.number},
        )
    note = (description or "").strip()
    if not note:
        raise ValidationError({"description": _("Write what the caller reports.")})
    if len(note) > 5000:
        raise ValidationError({"description": _("The description is too long (at most 5000 characters).")})
    event = _event(order, EventKind.REPEAT_REQUEST, Actor(acting_user), note=note, data={"channel": channel})
    for upload in uploads:
        workorder_add_attachment(order=order, upload=upload, acting_user=acting_user)
    return event


# --- transitions -----------------------------------------------------------------------------


def _permitted(transition: Transition, actor: Actor) -> bool:
    if actor.is_customer:
        return transition.customer_may
    if actor.user is None:
        return True  # system jobs
    return actor.user.has_perm(f"workorders.{transition.permission}")


def allowed_transitions(order: WorkOrder, actor: Actor) -> list[Transition]:
    """Actions this actor may take on this order now: state, permission and guards all agree."""
    return [
        transition
        for transition in TRANSITIONS
        if order.status in transition.sources
        and _permitted(transition, actor)
        and guard_failure(transition, order, by_customer=actor.is_customer) is None
        and _personal_duty_refusal(order, transition, actor) is None
    ]


def _clean_decimal(raw: Any) -> Decimal:
    try:
        amount = Decimal(str(raw))
    except InvalidOperation:
        raise ValueError(_("Enter an amount such as 120.00.")) from None
    exponent = amount.as_tuple().exponent
    if not amount.is_finite() or amount < 0 or amount >= MAX_AMOUNT or (isinstance(exponent, int) and exponent < -2):
        raise ValueError(_("Enter a non-negative amount below 10,000,000,000 with at most two decimals."))
    return amount.quantize(Decimal("0.01"))


def _clean_score(raw: Any) -> int:
    try:
        score = int(raw)
    except (TypeError, ValueError):
        raise ValueError(_("Enter a whole number from 1 to 5.")) from None
    if not 1 <= score <= 5:
        raise ValueError(_("Enter a whole number from 1 to 5."))
    return score


def _clean_datetime(raw: Any) -> datetime:
    moment = raw if isinstance(raw, datetime) else parse_datetime(str(raw))
    if moment is None:
        raise ValueError(_("Enter a date and time such as 2026-11-25T09:30:00+08:00."))
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _clean_technician(raw: Any, actor: Actor, order: WorkOrder) -> Any:
    """A technician the acting user may dispatch: active, allowed to work orders, in a visible unit."""
    technician_id = _int_or_none(raw)
    technician = (
        get_user_model().objects.filter(pk=technician_id, is_active=True).select_related("profile").first()
        if technician_id is not None
        else None
    )
    if technician is None or not technician.has_perm("workorders.work_on_workorder"):
        raise ValueError(_("Choose an active technician."))
    profile = getattr(technician, "profile", None)
    visible = unit_ids_visible_to(actor.user) if actor.user is not None else None
    if profile is None or (
        visible is not None
        and profile.unit_id not in visible
        and not admitted_from_another_unit(order, technician)  # on an approved loan to the order's unit
    ):
        raise ValueError(_("Choose an active technician."))
    serves = unit_ids_visible_to(technician)
    if serves is not None and order.unit_id not in serves and not admitted_from_another_unit(order, technician):
        # The technician could not even open the order (borrowing across units needs approval).
        raise ValueError(_("This technician's unit does not serve this order."))
    refusal = assignment_refusal(order, technician)
    if refusal:
        raise ValueError(refusal)
    return technician


def _clean_field(spec: FieldSpec, raw: Any, actor: Actor, order: WorkOrder) -> Any:
    if spec.type == "text":
        text = str(raw).strip()
        if len(text) > spec.max_length:
            raise ValueError(_("Enter at most %(max)s characters.") % {"max": spec.max_length})
        return text
    if spec.type == "choice":
        if raw not in spec.choices:
            raise ValueError(_("Choose one of: %(choices)s.") % {"choices": ", ".join(spec.choices)})
        return raw
    if spec.type == "decimal":
        return _clean_decimal(raw)
    if spec.type == "score":
        return _clean_score(raw)
    if spec.type == "datetime":
        return _clean_datetime(raw)
    if spec.type == "user":
        return _clean_technician(raw, actor, order)
    raise ValueError("unknown field type")  # pragma: no cover


def _int_or_none(raw: Any) -> int | None:
    try:
        return int(raw)
    except (TypeError, ValueError):
        return None


def _clean_data(transition: Transition, data: dict[str, Any], order: WorkOrder, actor: Actor) -> dict[str, Any]:
    errors: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    for spec in transition.fields:
        raw = data.get(spec.name)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if spec.required:
                errors[spec.name] = _("%(field)s is required for this action.") % {"field": str(spec.label)}
            continue
        try:
            cleaned[spec.name] = _clean_field(spec, raw, actor, order)
        except ValueError as error:
            errors[spec.name] = str(error)
    if errors:
        raise ValidationError(errors)
    return cleaned


def _apply_effects(
    order: WorkOrder, transition: Transition, data: dict[str, Any], actor: Actor, now: datetime
) -> list[str]:
    """What each action writes besides the status. Returns the fields it changed."""
    action = transition.action
    if action == "accept":
        order.accepted_by, order.accepted_at = actor.user, now
        fields = ["accepted_by", "accepted_at"]
        if data.get("charge_type"):
            order.charge_type = data["charge_type"]
            fields.append("charge_type")
        if data.get("fault_cause"):
            order.fault_cause = data["fault_cause"]
            fields.append("fault_cause")
        return fields
    if action == "diagnose":
        order.fault_cause, order.diagnosis = data["fault_cause"], data["diagnosis"]
        return ["fault_cause", "diagnosis"]
    if action == "reject":
        order.reject_reason = data["reason"]
        return ["reject_reason"]
    if action in {"cancel", "decline_quote"}:
        order.cancel_reason = data["reason"]
        return ["cancel_reason"]
    if action == "quote":
        order.quoted_amount, order.charge_type = data["amount"], ChargeType.PAID
        order.quote_approved_at = None
        return ["quoted_amount", "charge_type", "quote_approved_at"]
    if action == "approve_quote":
        order.quote_approved_at = now
        return ["quote_approved_at"]
    if action == "assign":
        if order.technician_id and order.technician_id != data["technician"].pk and not data.get("reason"):
            raise ValidationError({"reason": _("Give a reason for reassigning the order.")})
        order.technician = data["technician"]
        return ["technician"]
    if action == "schedule":
        order.appointment_at = data["appointment_at"]
        return ["appointment_at"]
    if action == "pause":
        order.wait_reason = data["wait_reason"]
        return ["wait_reason"]
    if action == "resume":
        order.wait_reason = ""
        return ["wait_reason"]
    if action == "sign_off":
        order.applicant_signature, order.signed_off_at = data["signer_name"], now
        return ["applicant_signature", "signed_off_at", *_complete(order, now)]
    if action == "resolve_remotely":
        return _complete(order, now)
    if action == "close_incomplete":
        order.completion_status, order.completed_at = CompletionStatus.NOT_DONE, now
        order.incomplete_reason, order.wait_reason = data["reason"], ""
        return ["completion_status", "completed_at", "incomplete_reason", "wait_reason"]
    if action == "follow_up":
        order.satisfaction = data["satisfaction"]
        order.satisfaction_score = data.get("score")
        order.satisfaction_comment = data.get("note", "")
        return ["satisfaction", "satisfaction_score", "satisfaction_comment"]
    if action == "close":
        order.closed_at = now
        return ["closed_at"]
    if action == "reopen":
        # 第六条: a return within the repair warranty is repaired again free of charge.
        order.reopened_count += 1
        order.completion_status, order.completed_at, order.closed_at = CompletionStatus.NONE, None, None
        order.repair_warranty_ends_at = None
        order.satisfaction, order.satisfaction_score, order.satisfaction_comment = "", None, ""
        order.charge_type = ChargeType.FREE
        order.signed_off_at, order.applicant_signature, order.incomplete_reason = None, "", ""
        return [
            "signed_off_at",
            "applicant_signature",
            "incomplete_reason",
            "reopened_count",
            "completion_status",
            "completed_at",
            "repair_warranty_ends_at",
            "closed_at",
            "satisfaction",
            "satisfaction_score",
            "satisfaction_comment",
            "charge_type",
        ]
    return []


def _complete(order: WorkOrder, now: datetime) -> list[str]:
    """The repair is done: from now on a return within the repair warranty reopens it free."""
    order.completion_status, order.completed_at = CompletionStatus.DONE, now
    order.repair_warranty_ends_at = now + timedelta(days=repair_warranty_days(order))
    return ["completion_status", "completed_at", "repair_warranty_ends_at"]


def _personal_duty_refusal(order: WorkOrder, transition: Transition, actor: Actor) -> str | None:
    """Field work is done by the assigned technician (or someone who may edit the order), and
    nobody passes QC on work they sent to QC themselves. The reason, or None when allowed."""
    user = actor.user
    if user is None or actor.is_customer:
        return None
    if (
        transition.permission == "work_on_workorder"
        and order.technician_id is not None
        and order.technician_id != user.pk
        and not user.has_perm("workorders.change_workorder")
    ):
        return str(_("This order is assigned to another technician."))
    if transition.action == "qc_pass":
        sent_by = (
            order.events.filter(kind=EventKind.SUBMIT_QC)
            .order_by("-at", "-id")
            .values_list("actor_id", flat=True)
            .first()
        )
        if sent_by is not None and sent_by == user.pk:
            return str(_("QC must be passed by someone other than the person who did the work."))
    return None


def _not_allowed(order: WorkOrder, action: str, actor: Actor, message: str) -> TransitionNotAllowed:
    return TransitionNotAllowed(
        message,
        status=order.status,
        action=action,
        allowed_actions=[t.action for t in allowed_transitions(order, actor)],
    )


@transaction.atomic
def workorder_transition(
    *,
    order: WorkOrder,
    action: str,
    acting_user: Any | None,
    data: dict[str, Any] | None = None,
    by_customer: bool = False,
    expected_version: int | None = None,
) -> WorkOrder:
    """Apply one action of the transition table to the order, or refuse it with the reason."""
    actor = Actor(acting_user, is_customer=by_customer)
    transition = TRANSITIONS_BY_ACTION.get(action)
    if transition is None:
        raise ValidationError({"action": _("Unknown action “%(action)s”.") % {"action": action}})
    order = (
        WorkOrder.objects.select_for_update(of=("self",))
        .select_related("customer", "device__product_model")
        .get(pk=order.pk)
    )
    check_version(order, expected_version)
    if order.status not in transition.sources:
        raise _not_allowed(
            order,
            action,
            actor,
            _("“%(action)s” is not possible while the order is %(status)s.")
            % {"action": transition.label, "status": order.get_status_display()},
        )
    if not _permitted(transition, actor):
        raise PermissionDenied(_("You may not perform “%(action)s”.") % {"action": transition.label})
    duty_refusal = _personal_duty_refusal(order, transition, actor)
    if duty_refusal:
        raise PermissionDenied(duty_refusal)
    refusal = guard_failure(transition, order, by_customer=by_customer)
    if refusal:
        raise _not_allowed(order, action, actor, refusal)
    cleaned = _clean_data(transition, data or {}, order, actor)
    now = timezone.now()
    from_status = order.status
    fields = _apply_effects(order, transition, cleaned, actor, now)
    order.status = transition.target
    # The apps' decisions (warranty → charge type…) change the order before its one save.
    context = TransitionContext(
        action=action, from_status=from_status, acting_user=actor.user, by_customer=by_customer, data=cleaned, at=now
    )
    pending: list[PendingEvent] = []
    for decider in deciders_for(action):
        decision = decider.decide(order, context)
        fields.extend(name for name in decision.fields if name not in fields)
        pending.extend(decision.events)
    save_versioned(order, ["status", *fields])
    note = cleaned.get("reason") or cleaned.get("note") or ""
    params = {key: _event_value(value) for key, value in cleaned.items() if key not in {"reason", "note"}}
    events = [
        _new_event(
            order, action, actor, note=note, from_status=from_status, to_status=order.status, data=params, at=now
        )
    ]
    events += [_new_event(order, p.kind, Actor(None), note=p.note, data=p.data, at=now) for p in pending]
    if action == "object":
        events.append(
            _new_event(
                order,
                EventKind.ESCALATED,
                Actor(None),
                note=_("Customer objection escalated to the supervisor."),
                data={"to": "director"},
                at=now,
            )
        )
    _write_events(order, events)
    logger.info("work order %s: %s %s → %s by %s", order.number, action, from_status, order.status, actor.label)
    return order


def _event_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "pk"):
        return {
            "id": value.pk,
            "name": str(value.get_full_name() or value) if hasattr(value, "get_full_name") else str(value),
        }
    return value


# --- edits, materials, attachments, comments ------------------------------------------------

EDITABLE_FIELDS = {
    "service_type",
    "urgency",
    "priority",
    "description",
    "applicant_name",
    "applicant_unit",
    "contact_phone",
    "service_address",
    "device",
    "product_model",
    "reported_serial",
    "charge_type",
    "actual_charge",
    "payment_receiver",
    "technician_signature",
    "supervisor_signature",
}


FINISHED_STATUSES = frozenset({Status.CLOSED, Status.REJECTED, Status.CANCELLED})
CHARGE_DECIDABLE = frozenset({Status.SUBMITTED, Status.INFO_REQUESTED, Status.ACCEPTED})


def _refuse_if_finished(order: WorkOrder, action: str, acting_user: Any) -> None:
    if order.status in FINISHED_STATUSES:
        raise _not_allowed(
            order, action, Actor(acting_user), _("A closed, rejected or cancelled order cannot be changed.")
        )


@transaction.atomic
def workorder_update(
    *, order: WorkOrder, acting_user: Any, changes: dict[str, Any], expected_version: int | None = None
) -> WorkOrder:
    """Edit an order's details; each change is on the timeline with before → after."""
    if not acting_user.has_perm("workorders.change_workorder"):
        raise PermissionDenied(_("You may not edit work orders."))
    order = (
        WorkOrder.objects.select_for_update(of=("self",))
        .select_related("customer", "device", "product_model")
        .get(pk=order.pk)
    )
    check_version(order, expected_version)
    _refuse_if_finished(order, "edit", acting_user)
    if (
        "charge_type" in changes
        and changes["charge_type"] != order.charge_type
        and order.status not in CHARGE_DECIDABLE
    ):
        # Otherwise "paid → free" after a quote would bypass the approved-quote guard on dispatch.
        raise ValidationError({"charge_type": _("Paid or free is decided at acceptance; after that, send a quote.")})
    if "device" in changes and changes["device"] is not None and changes["device"].customer_id != order.customer_id:
        raise ValidationError({"device": _("This device does not belong to the customer.")})
    if changes.get("contact_phone"):
        changes = {**changes, "contact_phone": phone_normalise(changes["contact_phone"])}
    if "urgency" in changes and "priority" not in changes:
        changes = {**changes, "priority": URGENCY_PRIORITY.get(changes["urgency"], order.priority)}
    diff = apply_changes(order, changes, allowed=EDITABLE_FIELDS)
    if not diff:
        return order
    order.search_text = workorder_search_text(order)
    save_versioned(order, [*diff, "search_text"])
    _event(
        order,
        EventKind.UPDATED,
        Actor(acting_user),
        data={
            name: {"from": _event_value(before), "to": _event_value(after)} for name, (before, after) in diff.items()
        },
    )
    return order


@transaction.atomic
def workorder_add_material(
    *,
    order: WorkOrder,
    acting_user: Any,
    name: str,
    quantity: Decimal,
    unit_price: Decimal,
    model: str = "",
    unit_of_measure: str = "个",
    extra: Decimal = Decimal("0"),
) -> MaterialLine:
    if not may_edit_or_work(acting_user):
        raise PermissionDenied(_("You may not record materials."))
    _refuse_if_finished(order, "material", acting_user)
    line = MaterialLine(
        order=order,
        name=name.strip(),
        model=model.strip(),
        unit_of_measure=unit_of_measure,
        quantity=quantity,
        unit_price=unit_price,
        extra=extra,
    )
    line.full_clean()
    line.save()
    _event(
        order,
        EventKind.UPDATED,
        Actor(acting_user),
        note=_("Material added"),
        data={"material": name, "quantity": str(quantity), "subtotal": str(line.subtotal)},
    )
    return line


def may_edit_or_work(user: Any | None) -> bool:
    """Staff who may record materials, photos and comments on an order."""
    return user is not None and (
        user.has_perm("workorders.change_workorder") or user.has_perm("workorders.work_on_workorder")
    )


@transaction.atomic
def workorder_add_attachment(
    *, order: WorkOrder, upload: UploadedFile, acting_user: Any | None, by_customer: bool = False
) -> Attachment:
    """Attach a photo, PDF or video after checking its real type and size.

    Staff need to edit or work on the order; customers attach through the portal (by_customer).
    The stored file gets a generated name; the customer's file name is kept for display only.
    """
    if not by_customer and not may_edit_or_work(acting_user):
        raise PermissionDenied(_("You may not add attachments to this order."))
    _refuse_if_finished(order, "attachment", acting_user)
    kind, content_type = check_upload(upload)
    attachment = Attachment(
        order=order,
        kind=kind,
        original_name=(upload.name or "file")[:200],
        content_type=content_type,
        size=upload.size or 0,
        uploaded_by=None if by_customer else acting_user,
    )
    extension = os.path.splitext(upload.name or "")[1].lower()[:10]
    attachment.file.save(f"{uuid.uuid4().hex}{extension}", upload, save=False)
    attachment.save()
    _event(
        order,
        EventKind.ATTACHMENT,
        Actor(acting_user, is_customer=by_customer),
        note=attachment.original_name,
        data={"attachment": attachment.pk, "kind": kind},
    )
    return attachment


@transaction.atomic
def workorder_comment(*, order: WorkOrder, acting_user: Any, note: str) -> TimelineEvent:
    """A staff comment on the timeline, by those who edit or work on orders (console and API alike)."""
    if not may_edit_or_work(acting_user):
        raise PermissionDenied(_("You may not comment on work orders."))
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Write a comment.")})
    if len(note) > 5000:
        raise ValidationError({"note": _("The comment is too long (at most 5000 characters).")})
    return _event(order, EventKind.COMMENT, Actor(acting_user), note=note)


__all__ = [
    "Actor",
    "Satisfaction",
    "allowed_transitions",
    "workorder_add_attachment",
    "workorder_add_material",
    "workorder_add_repeat_request",
    "workorder_comment",
    "workorder_create",
    "workorder_create_at_intake",
    "workorder_transition",
    "workorder_update",
]
