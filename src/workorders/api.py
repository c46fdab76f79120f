"""Work orders in the public API v1 (SPEC §14). Thin: parse, call selectors/services, serialise."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Schema
from ninja.files import UploadedFile
from pydantic import Field

from catalog.models import ProductModel
from core.api import ErrorOut, idempotent_create, paginate, parse_id
from customers.selectors import customers_visible_to
from devices.selectors import devices_visible_to
from workorders import services
from workorders.choices import Channel, ServiceType, Urgency
from workorders.models import TimelineEvent, WorkOrder
from workorders.selectors import WorkOrderFilters, workorder_list, workorders_visible_to

router = Router(tags=["work-orders"])

ERRORS: dict[int, Any] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


def iso(value: datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def money(value: Decimal | None) -> str | None:
    return f"{value:.2f}" if value is not None else None


class WorkOrderIn(Schema):
    customer: int
    device: int | None = None
    service_type: str
    channel: str = Channel.API
    description: str = Field(min_length=1, max_length=5000)
    urgent: bool = False
    urgency: str | None = None
    applicant_name: str = ""
    applicant_unit: str = ""
    contact_phone: str = ""
    service_address: str = ""
    product_model: str | None = None
    serial_number: str = ""


class WorkOrderPatch(Schema):
    version: int
    service_type: str | None = None
    urgency: str | None = None
    priority: int | None = None
    description: str | None = None
    applicant_name: str | None = None
    applicant_unit: str | None = None
    contact_phone: str | None = None
    service_address: str | None = None
    device: int | None = None
    charge_type: str | None = None
    actual_charge: Decimal | None = None
    payment_receiver: str | None = None


class TransitionIn(Schema):
    action: str
    version: int | None = None
    reason: str | None = None
    note: str | None = None
    technician: int | None = None
    appointment_at: datetime | None = None
    amount: str | None = None
    charge_type: str | None = None
    wait_reason: str | None = None
    satisfaction: str | None = None
    score: int | None = None
    signer_name: str | None = None


class CommentIn(Schema):
    note: str


class MaterialIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    model: str = ""
    unit_of_measure: str = "个"
    quantity: Decimal = Field(gt=0, max_digits=10, decimal_places=2)
    unit_price: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    extra: Decimal = Field(default=Decimal("0"), ge=0, max_digits=12, decimal_places=2)


class ListFilters(Schema):
    status: str = ""
    q: str = ""
    service_type: str = ""
    channel: str = ""
    urgency: str = ""
    unit: int | None = None
    customer: int | None = None
    device: int | None = None
    submitted_from: date | None = None
    submitted_to: date | None = None
    page: int = 1
    page_size: int = 20


def _check_choice(value: str | None, choices: type, field: str) -> None:
    if value is not None and value not in choices.values:
        raise ValidationError({field: _("Choose one of: %(choices)s.") % {"choices": ", ".join(choices.values)}})


def deadlines_of(order: WorkOrder) -> dict[str, Any]:
    """Service-level deadlines; filled in by the SLA module once an order is accepted."""
    return {"first_response": None, "on_site": None, "resolution": None}


def summary(order: WorkOrder) -> dict[str, Any]:
    return {
        "id": order.pk,
        "number": order.number,
        "status": order.status,
        "status_label": order.get_status_display(),
        "service_type": order.service_type,
        "channel": order.channel,
        "urgency": order.urgency,
        "priority": order.priority,
        "customer": {"id": order.customer_id, "name": order.customer.name},
        "device": {"id": order.device_id, "serial_number": order.device.serial_number} if order.device else None,
        "product_model": order.product_model.code if order.product_model else None,
        "unit": {"id": order.unit_id, "name": order.unit.name},
        "technician": order.technician_id,
        "description": order.description,
        "submitted_at": iso(order.submitted_at),
        "version": order.version,
    }


def event_out(event: TimelineEvent) -> dict[str, Any]:
    return {
        "kind": event.kind,
        "label": event.get_kind_display(),
        "at": iso(event.at),
        "actor": event.actor_label,
        "from_status": event.from_status or None,
        "to_status": event.to_status or None,
        "note": event.note,
        "data": event.data,
    }


def detail(order: WorkOrder, request: HttpRequest) -> dict[str, Any]:
    actor = services.Actor(request.user)
    return {
        **summary(order),
        "applicant_unit": order.applicant_unit,
        "applicant_name": order.applicant_name,
        "contact_phone": order.contact_phone,
        "service_address": order.service_address,
        "reported_serial": order.reported_serial,
        "accepted_at": iso(order.accepted_at),
        "appointment_at": iso(order.appointment_at),
        "charge_type": order.charge_type,
        "quoted_amount": money(order.quoted_amount),
        "actual_charge": money(order.actual_charge),
        "completion_status": order.completion_status or None,
        "completed_at": iso(order.completed_at),
        "satisfaction": order.satisfaction or None,
        "deadlines": deadlines_of(order),
        "materials": [
            {
                "name": m.name,
                "model": m.model,
                "unit": m.unit_of_measure,
                "quantity": str(m.quantity),
                "unit_price": money(m.unit_price),
                "extra": money(m.extra),
                "subtotal": money(m.subtotal),
            }
            for m in order.materials.all()
        ],
        "attachments": [
            {"id": a.pk, "kind": a.kind, "name": a.original_name, "size": a.size, "content_type": a.content_type}
            for a in order.attachments.all()
        ],
        "timeline": [event_out(event) for event in order.events.all()],
        "allowed_actions": [t.action for t in services.allowed_transitions(order, actor)],
    }


def _get_order(request: HttpRequest, order_id: int) -> WorkOrder:
    return get_object_or_404(
        workorders_visible_to(request.user).prefetch_related(
            Prefetch("events", queryset=TimelineEvent.objects.order_by("at", "id")), "materials", "attachments"
        ),
        pk=order_id,
    )


@router.post("", response={201: dict, **ERRORS}, summary="Create a work order (Idempotency-Key honoured)")
def create_work_order(request: HttpRequest, payload: WorkOrderIn) -> Any:
    _check_choice(payload.service_type, ServiceType, "service_type")
    _check_choice(payload.channel, Channel, "channel")
    _check_choice(payload.urgency, Urgency, "urgency")

    def create() -> tuple[int, dict[str, Any]]:
        customer = customers_visible_to(request.user).filter(pk=parse_id(payload.customer, "customer")).first()
        if customer is None:
            raise ValidationError({"customer": _("Unknown customer.")})
        device = None
        if payload.device is not None:
            device = devices_visible_to(request.user).filter(pk=parse_id(payload.device, "device")).first()
            if device is None:
                raise ValidationError({"device": _("Unknown device.")})
        product_model = None
        if payload.product_model:
            product_model = ProductModel.objects.filter(code=payload.product_model).first()
            if product_model is None:
                raise ValidationError({"product_model": _("Unknown product model.")})
        order = services.workorder_create(
            acting_user=request.user,
            customer=customer,
            device=device,
            service_type=payload.service_type,
            channel=payload.channel,
            description=payload.description,
            urgency=payload.urgency or (Urgency.URGENT if payload.urgent else Urgency.NORMAL),
            applicant_name=payload.applicant_name,
            applicant_unit=payload.applicant_unit,
            contact_phone=payload.contact_phone,
            service_address=payload.service_address,
            product_model=product_model,
            reported_serial=payload.serial_number,
        )
        return 201, {**summary(order), "deadlines": deadlines_of(order)}

    return idempotent_create(request, "work-orders", create)


@router.get("", response={200: dict, **ERRORS}, summary="List work orders (q matches Chinese text by words)")
def list_work_orders(request: HttpRequest, filters: Query[ListFilters]) -> Any:
    statuses = [s for s in filters.status.split(",") if s] if filters.status else None
    orders = workorder_list(
        user=request.user,
        filters=WorkOrderFilters(
            status=statuses,
            service_type=filters.service_type,
            channel=filters.channel,
            urgency=filters.urgency,
            unit=filters.unit,
            customer=filters.customer,
            device=filters.device,
            submitted_from=filters.submitted_from,
            submitted_to=filters.submitted_to,
            q=filters.q,
        ),
    )
    return paginate(orders, page=filters.page, page_size=filters.page_size, serialize=summary)


@router.get("/{order_id}", response={200: dict, **ERRORS}, summary="One work order with timeline and allowed actions")
def get_work_order(request: HttpRequest, order_id: int) -> Any:
    return detail(_get_order(request, order_id), request)


@router.patch("/{order_id}", response={200: dict, **ERRORS}, summary="Edit details (optimistic concurrency)")
def update_work_order(request: HttpRequest, order_id: int, payload: WorkOrderPatch) -> Any:
    order = _get_order(request, order_id)
    changes = payload.dict(exclude_unset=True)
    version = changes.pop("version")
    _check_choice(changes.get("service_type"), ServiceType, "service_type")
    _check_choice(changes.get("urgency"), Urgency, "urgency")
    if "device" in changes:
        device_id = changes["device"]
        changes["device"] = None
        if device_id is not None:
            changes["device"] = devices_visible_to(request.user).filter(pk=device_id).first()
            if changes["device"] is None:
                raise ValidationError({"device": _("Unknown device.")})
    for name in ("description", "applicant_name", "contact_phone"):
        if name in changes and (changes[name] is None or not str(changes[name]).strip()):
            raise ValidationError({name: _("This field may not be empty.")})
    services.workorder_update(order=order, acting_user=request.user, changes=changes, expected_version=version)
    return detail(_get_order(request, order_id), request)


@router.post(
    "/{order_id}/transitions",
    response={200: dict, **ERRORS},
    summary="Apply an action (accept, reject, cancel, assign, …); 409 names the allowed actions",
)
def transition_work_order(request: HttpRequest, order_id: int, payload: TransitionIn) -> Any:
    order = _get_order(request, order_id)
    data = payload.dict(exclude_none=True)
    action = data.pop("action")
    version = data.pop("version", None)
    services.workorder_transition(
        order=order, action=action, acting_user=request.user, data=data, expected_version=version
    )
    return detail(_get_order(request, order_id), request)


@router.post("/{order_id}/comments", response={201: dict, **ERRORS})
def comment_work_order(request: HttpRequest, order_id: int, payload: CommentIn) -> Any:
    order = _get_order(request, order_id)
    event = services.workorder_comment(order=order, acting_user=request.user, note=payload.note)
    return 201, event_out(event)


@router.post("/{order_id}/materials", response={201: dict, **ERRORS})
def add_material(request: HttpRequest, order_id: int, payload: MaterialIn) -> Any:
    order = _get_order(request, order_id)
    line = services.workorder_add_material(order=order, acting_user=request.user, **payload.dict())
    return 201, {"id": line.pk, "subtotal": money(line.subtotal)}


@router.post("/{order_id}/attachments", response={201: dict, **ERRORS}, summary="Attach a photo, PDF or video")
def add_attachment(request: HttpRequest, order_id: int, file: File[UploadedFile]) -> Any:
    order = _get_order(request, order_id)
    if not (
        request.user.has_perm("workorders.change_workorder") or request.user.has_perm("workorders.work_on_workorder")
    ):
        raise PermissionDenied(_("You may not add attachments."))
    attachment = services.workorder_add_attachment(order=order, upload=file, acting_user=request.user)
    return 201, {
        "id": attachment.pk,
        "kind": attachment.kind,
        "name": attachment.original_name,
        "size": attachment.size,
    }
