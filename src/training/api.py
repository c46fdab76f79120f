"""Training records in the API v1: record a training with its attendees, take a signature, the
form as a PDF, and the contracts' trainings due. Thin: resolve in scope, call the services."""

from __future__ import annotations

from typing import Any, Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from core.api import ERROR_RESPONSES, Date, Id, PageQuery, StrictIn, TrainingHours, idempotent_create, paginate
from core.models import OrgUnit
from customers.selectors import customers_visible_to
from devices.selectors import devices_visible_to
from policies.selectors import contracts_visible_to
from training import services
from training.models import TrainingRecord
from training.pdf import training_form_pdf
from training.selectors import commitments_due, trainings_visible_to

router = Router(tags=["training"])

ROUTERS: list[tuple[str, Router]] = [("/training", router)]


class AttendeeIn(StrictIn):
    name: str = Field(min_length=1, max_length=64)
    organisation: str = Field(default="", max_length=100)
    position: str = Field(default="", max_length=64)


class TrainingIn(StrictIn):
    kind: Literal["initial", "during_use", "centralised"]
    audience: Literal["customer", "station_staff"] = "customer"
    content: str = Field(min_length=1, max_length=5000)
    held_on: Date
    duration_hours: TrainingHours
    attendees: list[AttendeeIn] = Field(min_length=1, max_length=200)
    trainer_name: str = Field(default="", max_length=64)
    customer: Id | None = None
    device: Id | None = None
    contract: Id | None = None
    unit: Id | None = Field(default=None, description="Station staff training: the station trained")
    location: str = Field(default="", max_length=200)
    satisfaction: Literal["very_satisfied", "satisfied", "neutral", "unsatisfied", ""] = ""
    comment: str = Field(default="", max_length=5000)


class AttendeeOut(Schema):
    id: int
    name: str
    organisation: str
    position: str
    signed: bool


class TrainingOut(Schema):
    id: int
    number: str
    kind: str
    audience: str
    content: str
    held_on: str
    duration_hours: str
    trainer_name: str
    customer: int | None
    device: int | None
    contract: int | None
    unit: int
    satisfaction: str
    attendees: list[AttendeeOut]
    signatures: int


class TrainingListOut(Schema):
    items: list[TrainingOut]
    count: int


class TrainingSignatureIn(StrictIn):
    image: str = Field(min_length=1, max_length=700_000, description="PNG data URL or base64")
    signer_name: str = Field(default="", max_length=64)
    attendee: Id | None = None


class TrainingSignatureOut(Schema):
    id: int
    signer_name: str
    attendee: int | None


class DueOut(Schema):
    contract: int
    contract_number: str
    customer: str
    trainings_per_year: int
    last_held_on: str | None
    next_due_on: str | None
    alert: bool
    overdue: bool


class DueListOut(Schema):
    items: list[DueOut]
    count: int


class CommitmentIn(StrictIn):
    contract: Id
    trainings_per_year: int = Field(ge=1, le=12)
    note: str = Field(default="", max_length=200)


def training_out(record: TrainingRecord) -> dict[str, Any]:
    signed = {s.attendee_id for s in record.signatures.all()}
    return {
        "id": record.pk,
        "number": record.number,
        "kind": record.kind,
        "audience": record.audience,
        "content": record.content,
        "held_on": record.held_on.isoformat(),
        "duration_hours": str(record.duration_hours),
        "trainer_name": record.trainer_name,
        "customer": record.customer_id,
        "device": record.device_id,
        "contract": record.contract_id,
        "unit": record.unit_id,
        "satisfaction": record.satisfaction,
        "attendees": [
            {
                "id": a.pk,
                "name": a.name,
                "organisation": a.organisation,
                "position": a.position,
                "signed": a.pk in signed,
            }
            for a in record.attendees.all()
        ],
        "signatures": len(record.signatures.all()),
    }


def _records(request: HttpRequest) -> Any:
    return trainings_visible_to(request.user).prefetch_related("attendees", "signatures")


@router.post("/records", response={201: TrainingOut, **ERROR_RESPONSES}, summary="Record a training (Idempotency-Key)")
def create_record(request: HttpRequest, payload: TrainingIn) -> Any:
    def create() -> tuple[int, dict[str, Any]]:
        user: Any = request.user
        customer = device = contract = unit = None
        if payload.customer is not None:
            customer = customers_visible_to(user).filter(pk=payload.customer).first()
            if customer is None:
                raise ValidationError({"customer": _("Unknown customer.")})
        if payload.device is not None:
            device = devices_visible_to(user).filter(pk=payload.device).first()
            if device is None:
                raise ValidationError({"device": _("Unknown device.")})
        if payload.contract is not None:
            contract = contracts_visible_to(user).filter(pk=payload.contract).first()
            if contract is None:
                raise ValidationError({"contract": _("Unknown contract.")})
        if payload.unit is not None:
            unit = OrgUnit.objects.filter(pk=payload.unit).first()
            if unit is None:
                raise ValidationError({"unit": _("Unknown unit.")})
        record = services.training_record_create(
            acting_user=user,
            kind=payload.kind,
            audience=payload.audience,
            content=payload.content,
            held_on=payload.held_on,
            duration_hours=payload.duration_hours,
            attendees=[a.model_dump() for a in payload.attendees],
            trainer=user,
            trainer_name=payload.trainer_name,
            customer=customer,
            device=device,
            contract=contract,
            unit=unit,
            location=payload.location,
            satisfaction=payload.satisfaction,
            comment=payload.comment,
        )
        return 201, training_out(_records(request).get(pk=record.pk))

    return idempotent_create(request, "training.record", create)


@router.get("/records", response={200: TrainingListOut, **ERROR_RESPONSES}, summary="Training records (scoped)")
def list_records(request: HttpRequest, filters: Query[PageQuery]) -> Any:
    return paginate(_records(request), page=filters.page, page_size=filters.page_size, serialize=training_out)


@router.get("/records/{record_id}", response={200: TrainingOut, **ERROR_RESPONSES}, summary="One training record")
def get_record(request: HttpRequest, record_id: Id) -> Any:
    return training_out(_records(request).get(pk=record_id))


@router.post(
    "/records/{record_id}/signatures",
    response={201: TrainingSignatureOut, **ERROR_RESPONSES},
    summary="An attendee signs (Idempotency-Key)",
)
def sign(request: HttpRequest, record_id: Id, payload: TrainingSignatureIn) -> Any:
    record = trainings_visible_to(request.user).get(pk=record_id)

    def create() -> tuple[int, dict[str, Any]]:
        signature = services.training_signature_capture(
            record=record,
            acting_user=request.user,
            image=payload.image,
            signer_name=payload.signer_name,
            attendee_id=payload.attendee,
        )
        return 201, {"id": signature.pk, "signer_name": signature.signer_name, "attendee": signature.attendee_id}

    return idempotent_create(request, "training.signature", create)


@router.get(
    "/records/{record_id}/pdf",
    summary="The training form (客户培训登记表) as a PDF",
    response={200: None, **ERROR_RESPONSES},
    openapi_extra={"responses": {200: {"description": "The signed form", "content": {"application/pdf": {}}}}},
)
def record_pdf(request: HttpRequest, record_id: Id) -> Any:
    record = _records(request).get(pk=record_id)
    response = HttpResponse(training_form_pdf(record), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{record.number}.pdf"'
    return response


@router.get("/due", response={200: DueListOut, **ERROR_RESPONSES}, summary="Contracts' next trainings")
def due(request: HttpRequest, alerts: bool = False) -> Any:
    if not request.user.has_perm("training.view_trainingcommitment"):
        raise PermissionDenied
    rows = commitments_due(user=request.user, today=timezone.localdate(), only_alerts=alerts)
    items = [
        {
            "contract": row.commitment.contract_id,
            "contract_number": row.commitment.contract.number,
            "customer": row.commitment.contract.customer.name,
            "trainings_per_year": row.commitment.trainings_per_year,
            "last_held_on": row.last_held_on.isoformat() if row.last_held_on else None,
            "next_due_on": row.due.next_due_on.isoformat() if row.due.next_due_on else None,
            "alert": row.due.alert,
            "overdue": row.due.overdue,
        }
        for row in rows
    ]
    return {"items": items, "count": len(items)}


@router.post("/commitments", response={200: DueOut, **ERROR_RESPONSES}, summary="Trainings a year a contract promises")
def set_commitment(request: HttpRequest, payload: CommitmentIn) -> Any:
    contract = contracts_visible_to(request.user).filter(pk=payload.contract).first()
    if contract is None:
        raise ValidationError({"contract": _("Unknown contract.")})
    services.training_commitment_set(
        contract=contract, acting_user=request.user, trainings_per_year=payload.trainings_per_year, note=payload.note
    )
    rows = [
        r
        for r in commitments_due(user=request.user, today=timezone.localdate())
        if r.commitment.contract_id == contract.pk
    ]
    row = rows[0] if rows else None
    return {
        "contract": contract.pk,
        "contract_number": contract.number,
        "customer": contract.customer.name,
        "trainings_per_year": payload.trainings_per_year,
        "last_held_on": row.last_held_on.isoformat() if row and row.last_held_on else None,
        "next_due_on": row.due.next_due_on.isoformat() if row and row.due.next_due_on else None,
        "alert": bool(row and row.due.alert),
        "overdue": bool(row and row.due.overdue),
    }
