"""Work orders in the public API v1 (SPEC §14). Thin: parse, call selectors/services, serialise.

Every read and every write starts from ``workorders_visible_to(user)``: an order of another unit
answers 404 exactly like one that does not exist. Ids of customers, devices and technicians that
the user may not see are refused as "unknown" (400 naming the field), never 403, so the API does
not reveal what exists elsewhere.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Header, Query, Router, Schema
from ninja import Status as Answer
from pydantic import Field, WithJsonSchema

from catalog.selectors import product_models_visible_to
from core.api import (
    ERROR_RESPONSES,
    LAX,
    Date,
    DateTime,
    DecimalNumber,
    Id,
    Money,
    PageQuery,
    StrictIn,
    Upload,
    idempotent_create,
    money_text,
    paginate,
    person_ref,
)
from customers.selectors import customers_visible_to
from devices.selectors import devices_visible_to
from workorders import services
from workorders.attachments import SIGNATURES
from workorders.choices import Channel, ChargeType, Satisfaction, ServiceType, Status, Urgency, WaitReason
from workorders.list_extensions import list_related, order_api_fields
from workorders.models import Attachment, MaterialLine, TimelineEvent, WorkOrder
from workorders.selectors import WorkOrderFilters, workorder_list, workorders_visible_to
from workorders.transitions import TRANSITIONS, TRANSITIONS_BY_ACTION

router = Router(tags=["work-orders"])

ERRORS: dict[int, Any] = ERROR_RESPONSES
STATUS_LIST_PATTERN = "^$|^({0})(,({0}))*$".format("|".join(Status.values))
Quantity = Annotated[
    DecimalNumber,
    Field(gt=0, max_digits=10, decimal_places=2),
    WithJsonSchema({"type": "string", "pattern": r"^(?!0+(\.0+)?$)\d{1,8}(\.\d{1,2})?$", "examples": ["2"]}),
]
ActionCode = Literal[tuple(TRANSITIONS_BY_ACTION)]  # type: ignore[valid-type]


def iso(value: datetime | None) -> datetime | None:
    return timezone.localtime(value) if value else None


# --- input ---------------------------------------------------------------------------------


class WorkOrderIn(StrictIn):
    customer: Id
    device: Id | None = None
    service_type: Annotated[ServiceType, LAX]
    channel: Annotated[Channel, LAX] = Channel.API
    description: str = Field(min_length=1, max_length=5000, description="A correct and detailed fault description.")
    urgent: bool = False
    urgency: Annotated[Urgency, LAX] | None = Field(None, description="Overrides `urgent` when given.")
    applicant_name: str = Field("", max_length=64)
    applicant_unit: str = Field("", max_length=100)
    contact_phone: str = Field("", max_length=32)
    service_address: str = Field("", max_length=200)
    product_model: str | None = Field(None, max_length=64, description="Product model code, without a device.")
    serial_number: str = Field("", max_length=64, description="Serial number as reported, without a device.")
    confirm_duplicate: bool = Field(
        False,
        description=(
            "A device with an open order you may see refuses a new one (409 `possible_duplicate`, listing "
            "the orders in `duplicates`): comment on that order instead, or send `true` for a new request "
            "(recorded on the new order's timeline)."
        ),
    )


class WorkOrderPatch(StrictIn):
    version: int = Field(ge=1, description="The version you edited; a stale one answers 409.")
    service_type: Annotated[ServiceType, LAX] | None = None
    urgency: Annotated[Urgency, LAX] | None = None
    priority: int | None = Field(None, ge=1, le=4)
    description: str | None = Field(None, max_length=5000)
    applicant_name: str | None = Field(None, max_length=64)
    applicant_unit: str | None = Field(None, max_length=100)
    contact_phone: str | None = Field(None, max_length=32)
    service_address: str | None = Field(None, max_length=200)
    device: Id | None = None
    product_model: str | None = Field(None, max_length=64, description="Product model code.")
    reported_serial: str | None = Field(None, max_length=64)
    charge_type: Annotated[ChargeType, LAX] | None = None
    actual_charge: Money | None = None
    payment_receiver: str | None = Field(None, max_length=64)
    technician_signature: str | None = Field(None, max_length=64)
    supervisor_signature: str | None = Field(None, max_length=64)


class TransitionIn(StrictIn):
    """The action and the data it needs; `GET /work-orders/actions` lists what each action takes."""

    action: ActionCode  # type: ignore[valid-type]
    version: int | None = Field(None, ge=1, description="Optional optimistic-concurrency check.")
    reason: str | None = Field(None, max_length=2000)
    note: str | None = Field(None, max_length=5000)
    technician: Id | None = Field(None, description="User id of the technician (assign).")
    appointment_at: DateTime | None = Field(None, description="Appointment (schedule), ISO 8601 with offset.")
    amount: Money | None = Field(None, description="Quoted amount (quote).")
    charge_type: Annotated[ChargeType, LAX] | None = Field(None, description="Paid or free (accept).")
    wait_reason: Annotated[WaitReason, LAX] | None = None
    satisfaction: Annotated[Satisfaction, LAX] | None = None
    score: int | None = Field(None, ge=1, le=5)
    signer_name: str | None = Field(None, max_length=64)


class CommentIn(StrictIn):
    note: str = Field(min_length=1, max_length=5000)


class MaterialIn(StrictIn):
    name: str = Field(min_length=1, max_length=100)
    model: str = Field("", max_length=64)
    unit_of_measure: str = Field("个", min_length=1, max_length=16)
    quantity: Quantity
    unit_price: Money
    extra: Money = Decimal("0")


class ListFilters(PageQuery):
    status: str = Field(
        "",
        max_length=400,
        description="One status or several separated by commas.",
        json_schema_extra={"pattern": STATUS_LIST_PATTERN},
    )
    q: str = Field("", max_length=200, description="Words of number, description, names, phone, serial.")
    service_type: ServiceType | None = None
    channel: Channel | None = None
    urgency: Urgency | None = None
    unit: Id | None = None
    customer: Id | None = None
    device: Id | None = None
    submitted_from: Date | None = None
    submitted_to: Date | None = None


# --- output --------------------------------------------------------------------------------


class Ref(Schema):
    id: int
    name: str


class OrderDeviceRef(Schema):
    id: int
    serial_number: str


class Deadlines(Schema):
    """Service-level deadlines (SPEC §6) in business time, set at acceptance; ``null`` until a
    service level applies. ``status``: on_track, at_risk, breached, met or stopped."""

    first_response: datetime | None = None
    on_site: datetime | None = None
    resolution: datetime | None = None
    status: str | None = None


class WorkOrderSummaryOut(Schema):
    id: int
    number: str
    status: Status
    status_label: str
    service_type: ServiceType
    channel: Channel
    urgency: Urgency
    priority: int
    customer: Ref
    device: OrderDeviceRef | None
    product_model: str | None = Field(description="Product model code.")
    unit: Ref = Field(description="Responsible unit (station / centre).")
    technician: Ref | None
    description: str
    submitted_at: datetime
    version: int


class WorkOrderCreatedOut(WorkOrderSummaryOut):
    deadlines: Deadlines


class WorkOrderListOut(Schema):
    items: list[WorkOrderSummaryOut]
    count: int


class MaterialOut(Schema):
    id: int
    name: str
    model: str
    unit: str
    quantity: str
    unit_price: str
    extra: str
    subtotal: str


class AttachmentOut(Schema):
    id: int
    kind: str
    name: str
    size: int
    content_type: str


class TimelineEventOut(Schema):
    id: int
    kind: str
    label: str
    at: datetime
    actor: str
    from_status: str | None
    to_status: str | None
    note: str
    data: dict[str, Any]


class WorkOrderDetailOut(WorkOrderSummaryOut):
    applicant_unit: str
    applicant_name: str
    contact_phone: str
    service_address: str
    reported_serial: str
    accepted_at: datetime | None
    appointment_at: datetime | None
    charge_type: ChargeType
    quoted_amount: str | None
    quote_approved_at: datetime | None
    wait_reason: str | None
    actual_charge: str | None
    payment_receiver: str
    completion_status: str | None
    completed_at: datetime | None
    incomplete_reason: str
    reject_reason: str
    cancel_reason: str
    satisfaction: str | None
    satisfaction_score: int | None
    closed_at: datetime | None
    reopened_count: int
    deadlines: Deadlines
    materials: list[MaterialOut]
    attachments: list[AttachmentOut]
    timeline: list[TimelineEventOut]
    allowed_actions: list[str] = Field(description="Actions this user may take now (state, role and rules).")


class ActionFieldOut(Schema):
    name: str
    type: str
    required: bool
    label: str
    choices: list[str]


class ActionOut(Schema):
    action: str
    label: str
    sources: list[str] = Field(description="States the action may start from.")
    target: str
    customer_may: bool
    fields: list[ActionFieldOut]


# --- serialisers ---------------------------------------------------------------------------


def deadlines_of(order: WorkOrder) -> dict[str, Any]:
    """Service-level deadlines and status, from the SLA app (workorders.list_extensions); all null
    while no service level applies. Details: ``GET /api/v1/service-levels/orders/{id}``."""
    return order_api_fields(order).get("deadlines") or dict(NO_DEADLINES)


NO_DEADLINES = {"first_response": None, "on_site": None, "resolution": None, "status": None}


def summary(order: WorkOrder) -> dict[str, Any]:
    return {
        "id": order.pk,
        "number": order.number,
        "status": order.status,
        "status_label": str(order.get_status_display()),
        "service_type": order.service_type,
        "channel": order.channel,
        "urgency": order.urgency,
        "priority": order.priority,
        "customer": {"id": order.customer_id, "name": order.customer.name},
        "device": {"id": order.device_id, "serial_number": order.device.serial_number} if order.device else None,
        "product_model": order.product_model.code if order.product_model else None,
        "unit": {"id": order.unit_id, "name": order.unit.name},
        "technician": person_ref(order.technician),
        "description": order.description,
        "submitted_at": iso(order.submitted_at),
        "version": order.version,
    }


def material_out(line: MaterialLine) -> dict[str, Any]:
    return {
        "id": line.pk,
        "name": line.name,
        "model": line.model,
        "unit": line.unit_of_measure,
        "quantity": f"{Decimal(line.quantity):.2f}",
        "unit_price": money_text(line.unit_price),
        "extra": money_text(line.extra),
        "subtotal": money_text(line.subtotal),
    }


def attachment_out(attachment: Attachment) -> dict[str, Any]:
    return {
        "id": attachment.pk,
        "kind": attachment.kind,
        "name": attachment.original_name,
        "size": attachment.size,
        "content_type": attachment.content_type,
    }


def event_out(event: TimelineEvent) -> dict[str, Any]:
    return {
        "id": event.pk,
        "kind": event.kind,
        "label": str(event.get_kind_display()),
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
        "quoted_amount": money_text(order.quoted_amount),
        "quote_approved_at": iso(order.quote_approved_at),
        "wait_reason": order.wait_reason or None,
        "actual_charge": money_text(order.actual_charge),
        "payment_receiver": order.payment_receiver,
        "completion_status": order.completion_status or None,
        "completed_at": iso(order.completed_at),
        "incomplete_reason": order.incomplete_reason,
        "reject_reason": order.reject_reason,
        "cancel_reason": order.cancel_reason,
        "satisfaction": order.satisfaction or None,
        "satisfaction_score": order.satisfaction_score,
        "closed_at": iso(order.closed_at),
        "reopened_count": order.reopened_count,
        "deadlines": deadlines_of(order),
        "materials": [material_out(line) for line in order.materials.all()],
        "attachments": [attachment_out(a) for a in order.attachments.all()],
        "timeline": [event_out(event) for event in order.events.all()],
        "allowed_actions": [t.action for t in services.allowed_transitions(order, actor)],
    }


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


def _get_order(request: HttpRequest, order_id: int) -> WorkOrder:
    # The rows the apps above answer with (the SLA clocks of "deadlines") come in the same query.
    return get_object_or_404(
        workorders_visible_to(request.user)
        .select_related(*list_related())
        .prefetch_related(
            Prefetch("events", queryset=TimelineEvent.objects.order_by("at", "id")), "materials", "attachments"
        ),
        pk=order_id,
    )


def _visible_device(request: HttpRequest, device_id: int) -> Any:
    device = devices_visible_to(request.user).filter(pk=device_id).first()
    if device is None:
        raise ValidationError({"device": _("Unknown device.")})
    return device


def _known_product_model(request: HttpRequest, code: str) -> Any:
    product_model = product_models_visible_to(request.user).filter(code=code.strip()).first()
    if product_model is None:
        raise ValidationError({"product_model": _("Unknown product model.")})
    return product_model


class ObjectMissing(Attachment.DoesNotExist):
    """The attachment row exists but its file is gone from storage: answer 404, not 500."""


# --- endpoints -----------------------------------------------------------------------------


@router.post(
    "",
    response={201: WorkOrderCreatedOut, **ERRORS},
    summary="Create a work order (Idempotency-Key honoured)",
    description=(
        "Registers a request (申请) in status `submitted`. A retry with the same `Idempotency-Key` and body "
        "answers the first response and creates nothing; the same key with another body answers 422. "
        "A customer or device the user may not see is refused as unknown (400). A device that already has "
        "an open order answers 409 `possible_duplicate` unless `confirm_duplicate` is true."
    ),
)
def create_work_order(
    request: HttpRequest,
    payload: WorkOrderIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key", max_length=128),
) -> Any:
    def create() -> Answer:
        customer = customers_visible_to(request.user).filter(pk=payload.customer).first()
        if customer is None:
            raise ValidationError({"customer": _("Unknown customer.")})
        device = _visible_device(request, payload.device) if payload.device is not None else None
        product_model = _known_product_model(request, payload.product_model) if payload.product_model else None
        urgency = payload.urgency or (Urgency.URGENT if payload.urgent else Urgency.NORMAL)
        order = services.workorder_create_at_intake(
            acting_user=request.user,
            confirm_duplicate=payload.confirm_duplicate,
            customer=customer,
            device=device,
            service_type=_plain(payload.service_type),
            channel=_plain(payload.channel),
            description=payload.description,
            urgency=_plain(urgency),
            applicant_name=payload.applicant_name,
            applicant_unit=payload.applicant_unit,
            contact_phone=payload.contact_phone,
            service_address=payload.service_address,
            product_model=product_model,
            reported_serial=payload.serial_number,
        )
        return Answer(201, {**summary(order), "deadlines": deadlines_of(order)})

    return idempotent_create(request, "work-orders", create)


@router.get(
    "",
    response={200: WorkOrderListOut, **ERRORS},
    summary="List work orders (q matches Chinese text by words)",
    description="Newest first. `status` takes one status or several separated by commas.",
)
def list_work_orders(request: HttpRequest, filters: Query[ListFilters]) -> Any:
    statuses = [s.strip() for s in filters.status.split(",") if s.strip()] if filters.status else None
    unknown = [s for s in statuses or [] if s not in Status.values]
    if unknown:
        raise ValidationError({"status": _("Choose one of: %(choices)s.") % {"choices": ", ".join(Status.values)}})
    orders = workorder_list(
        user=request.user,
        filters=WorkOrderFilters(
            status=statuses,
            service_type=_plain(filters.service_type) or "",
            channel=_plain(filters.channel) or "",
            urgency=_plain(filters.urgency) or "",
            unit=filters.unit,
            customer=filters.customer,
            device=filters.device,
            submitted_from=filters.submitted_from,
            submitted_to=filters.submitted_to,
            q=filters.q,
        ),
    )
    return paginate(orders, page=filters.page, page_size=filters.page_size, serialize=summary)


@router.get(
    "/actions",
    response={200: list[ActionOut], **ERRORS},
    summary="The transition table: every action, its source states, target and data",
)
def list_actions(request: HttpRequest) -> Any:
    return [
        {
            "action": t.action,
            "label": str(t.label),
            "sources": sorted(str(s) for s in t.sources),
            "target": str(t.target),
            "customer_may": t.customer_may,
            "fields": [
                {
                    "name": f.name,
                    "type": f.type,
                    "required": f.required,
                    "label": str(f.label),
                    "choices": list(f.choices),
                }
                for f in t.fields
            ],
        }
        for t in TRANSITIONS
    ]


@router.get(
    "/{order_id}",
    response={200: WorkOrderDetailOut, **ERRORS},
    summary="One work order with its timeline and allowed actions",
)
def get_work_order(request: HttpRequest, order_id: int) -> Any:
    return detail(_get_order(request, order_id), request)


@router.patch(
    "/{order_id}",
    response={200: WorkOrderDetailOut, **ERRORS},
    summary="Edit details (optimistic concurrency: send the version you edited)",
)
def update_work_order(request: HttpRequest, order_id: int, payload: WorkOrderPatch) -> Any:
    order = _get_order(request, order_id)
    changes = {name: _plain(value) for name, value in payload.dict(exclude_unset=True).items()}
    version = changes.pop("version")
    if "device" in changes:
        changes["device"] = _visible_device(request, changes["device"]) if changes["device"] is not None else None
    if "product_model" in changes:
        code = changes["product_model"]
        changes["product_model"] = _known_product_model(request, code) if code else None
    for name in ("service_type", "urgency", "priority", "charge_type"):
        if name in changes and changes[name] is None:
            raise ValidationError({name: _("This field may not be empty.")})
    for name in ("description", "applicant_name", "contact_phone"):
        if name in changes and (changes[name] is None or not str(changes[name]).strip()):
            raise ValidationError({name: _("This field may not be empty.")})
    for name in (
        "applicant_unit",
        "service_address",
        "reported_serial",
        "payment_receiver",
        "technician_signature",
        "supervisor_signature",
    ):
        if name in changes and changes[name] is None:
            changes[name] = ""
    services.workorder_update(order=order, acting_user=request.user, changes=changes, expected_version=version)
    return detail(_get_order(request, order_id), request)


@router.post(
    "/{order_id}/transitions",
    response={200: WorkOrderDetailOut, **ERRORS},
    summary="Apply an action (accept, reject, cancel, assign, …); 409 names the state and allowed actions",
    description=(
        "`accept`, `reject` (with `reason`), `cancel` (with `reason`), `request_info`, `provide_info`, `quote` "
        "(with `amount`), `approve_quote`, `decline_quote`, `assign` (with `technician`), `schedule` (with "
        "`appointment_at`), `start`, `pause` (with `wait_reason`), `resume`, `submit_qc`, `qc_pass`, `qc_fail`, "
        "`sign_off` (with `signer_name`), `object`, `resolve_remotely`, `close_incomplete`, `follow_up` (with "
        "`satisfaction`), `close`, `reopen`. A missing field answers 400 naming it; an action not possible "
        "now answers 409 with `status` and `allowed_actions`; a role that may not answers 403."
    ),
)
def transition_work_order(request: HttpRequest, order_id: int, payload: TransitionIn) -> Any:
    # Only whether the user sees it: the transition reads the order itself, under lock.
    order = get_object_or_404(workorders_visible_to(request.user).select_related(None).only("pk"), pk=order_id)
    data = {name: _plain(value) for name, value in payload.dict(exclude_none=True).items()}
    action = data.pop("action")
    version = data.pop("version", None)
    services.workorder_transition(
        order=order, action=action, acting_user=request.user, data=data, expected_version=version
    )
    return detail(_get_order(request, order_id), request)


@router.post(
    "/{order_id}/comments",
    response={201: TimelineEventOut, **ERRORS},
    summary="Add a comment to the timeline",
)
def comment_work_order(request: HttpRequest, order_id: int, payload: CommentIn) -> Any:
    order = _get_order(request, order_id)
    event = services.workorder_comment(order=order, acting_user=request.user, note=payload.note)
    return Answer(201, event_out(event))


@router.post(
    "/{order_id}/materials",
    response={201: MaterialOut, **ERRORS},
    summary="Record a material line (model, unit, quantity, unit price, extra)",
)
def add_material(request: HttpRequest, order_id: int, payload: MaterialIn) -> Any:
    order = _get_order(request, order_id)
    line = services.workorder_add_material(order=order, acting_user=request.user, **payload.dict())
    return Answer(201, material_out(line))


@router.post(
    "/{order_id}/attachments",
    response={201: AttachmentOut, **ERRORS},
    summary="Attach a photo, PDF or video (multipart field `file`)",
    description="JPEG, PNG, GIF, WebP, PDF or MP4, recognised by content; larger than the limit answers 400.",
)
def add_attachment(request: HttpRequest, order_id: int, file: File[Upload]) -> Any:
    order = _get_order(request, order_id)
    attachment = services.workorder_add_attachment(order=order, upload=file, acting_user=request.user)
    return Answer(201, attachment_out(attachment))


@router.get(
    "/{order_id}/attachments/{attachment_id}",
    response={200: None, **ERRORS},
    summary="Download an attachment",
    openapi_extra={
        "responses": {
            200: {
                "description": "The file, with the content type recognised at upload",
                "content": {content_type: {} for _, _, content_type, _ in SIGNATURES},
            }
        }
    },
)
def download_attachment(request: HttpRequest, order_id: int, attachment_id: int) -> Any:
    order = _get_order(request, order_id)
    attachment = get_object_or_404(Attachment, order=order, pk=attachment_id)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise ObjectMissing from None
    return FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )
