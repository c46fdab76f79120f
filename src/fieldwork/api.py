"""The field-work part of the public API v1 (``/api/v1/field``): the technician's jobs of a day,
check-in, the code of conduct (ticked or explained), the repair log, sending to QC, the customer's
signature (base64 PNG) and the service report PDF. Thin: parse, call services/selectors, serialise."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from core.api import (
    ERROR_RESPONSES,
    Date,
    DateText,
    DateTime,
    DateTimeText,
    DecimalText,
    Id,
    Latitude,
    Longitude,
    StrictIn,
    idempotent_create,
    local_iso,
)
from fieldwork import selectors, services
from fieldwork.choices import ChecklistState
from fieldwork.models import CheckIn, CustomerSignature, RepairLogEntry, VisitChecklist
from fieldwork.policies import checklist_item_state
from fieldwork.selectors import FieldJob
from workorders.models import WorkOrder

router = Router(tags=["field"])

#: (prefix under /api/v1, router) pairs that aftersales.api mounts.
ROUTERS: list[tuple[str, Router]] = [("/field", router)]


class OrderStateOut(Schema):
    id: int
    number: str
    status: str


class JobOut(Schema):
    position: int = Field(description="1-based, in route order")
    order: OrderStateOut
    customer: str = Field(description="The customer's name")
    address: str
    phone: str
    service_type: str
    window_start: DateTimeText | None
    window_end: DateTimeText | None
    plan_sequence: int | None = Field(description="The stop's number in the approved route plan")
    source: str = Field(description="plan, appointment, scheduled or ongoing")


class JobsOut(Schema):
    day: DateText
    count: int
    items: list[JobOut]


class CheckInOut(Schema):
    id: int
    order: int
    visit: str = Field(description="The visit checked in for (one check-in per visit)")
    at: DateTimeText
    lat: DecimalText | None
    lon: DecimalText | None


class MarkOut(Schema):
    item: str
    label: str
    checked: bool
    state: ChecklistState = Field(description="done (ticked), explained (not done, with the reason) or open")
    reason: str = Field(description="Why it was not done (state explained); empty otherwise")
    at: DateTimeText | None = Field(description="When the current state was set")
    by: str | None = Field(description="Who set the current state")


class ChecklistOut(Schema):
    items: list[MarkOut]


class LogEntryOut(Schema):
    id: int
    text: str
    at: DateTimeText
    by: str | None = Field(description="The author's name")


class LogOut(Schema):
    items: list[LogEntryOut]


class RepairPlanOut(Schema):
    order: int
    materials: str
    people: int
    expected_minutes: int
    note: str
    version: int


class SignatureOut(Schema):
    id: int
    order: int
    signer_name: str
    at: DateTimeText


def _order(request: HttpRequest, order_id: int) -> WorkOrder:
    """A visible order, or 404 (``WorkOrder.DoesNotExist``)."""
    return selectors.field_job_for(request.user, order_id) or WorkOrder.objects.none().get()


def job_out(job: FieldJob, position: int) -> dict[str, Any]:
    order = job.order
    return {
        "position": position,
        "order": {"id": order.pk, "number": order.number, "status": order.status},
        "customer": order.customer.name,
        "address": order.service_address or order.customer.address,
        "phone": order.contact_phone,
        "service_type": order.service_type,
        "window_start": local_iso(job.window_start or order.appointment_at),
        "window_end": local_iso(job.window_end),
        "plan_sequence": job.sequence,
        "source": job.source,
    }


def check_in_out(check_in: CheckIn) -> dict[str, Any]:
    return {
        "id": check_in.pk,
        "order": check_in.order_id,
        "visit": check_in.visit_key,
        "at": local_iso(check_in.at),
        "lat": None if check_in.lat is None else str(check_in.lat),
        "lon": None if check_in.lon is None else str(check_in.lon),
    }


def mark_out(item: Any, mark: VisitChecklist | None) -> dict[str, Any]:
    by = mark.checked_by if mark else None
    return {
        "item": item.code,
        "label": item.display_label,
        "checked": bool(mark and mark.checked),
        "state": checklist_item_state(mark),
        "reason": mark.reason if mark else "",
        "at": local_iso(mark.checked_at) if mark else None,
        "by": (by.get_full_name() or by.get_username()) if by else None,
    }


def log_out(entry: RepairLogEntry) -> dict[str, Any]:
    author = entry.author
    return {
        "id": entry.pk,
        "text": entry.text,
        "at": local_iso(entry.at),
        "by": (author.get_full_name() or author.get_username()) if author else None,
    }


def signature_out(signature: CustomerSignature) -> dict[str, Any]:
    return {
        "id": signature.pk,
        "order": signature.order_id,
        "signer_name": signature.signer_name,
        "at": local_iso(signature.at),
    }


class DayQuery(Schema):
    day: Date | None = None


@router.get(
    "/jobs", response={200: JobsOut, **ERROR_RESPONSES}, summary="My jobs of a day (today by default), in route order"
)
def my_jobs(request: HttpRequest, query: Query[DayQuery]) -> Any:
    if not request.user.has_perm("workorders.work_on_workorder"):
        raise PermissionDenied(_("You may not carry out work orders."))
    day = query.day or timezone.localdate()
    jobs = selectors.field_jobs_for(request.user, day)
    return {"day": day.isoformat(), "count": len(jobs), "items": [job_out(job, i) for i, job in enumerate(jobs, 1)]}


class CheckInIn(StrictIn):
    at: DateTime | None = Field(default=None, description="Arrival time; now when left out.")
    lat: Latitude | None = None
    lon: Longitude | None = None


@router.post(
    "/jobs/{order_id}/check-in",
    response={201: CheckInOut, **ERROR_RESPONSES},
    summary="Check in on arrival (once per visit; Idempotency-Key honoured)",
)
def check_in(request: HttpRequest, order_id: Id, payload: CheckInIn) -> Any:
    def create() -> tuple[int, dict[str, Any]]:
        record = services.fieldwork_check_in(
            order=_order(request, order_id), acting_user=request.user, at=payload.at, lat=payload.lat, lon=payload.lon
        )
        return 201, check_in_out(record)

    return idempotent_create(request, "field-check-in", create)


@router.get(
    "/jobs/{order_id}/checklist", response={200: ChecklistOut, **ERROR_RESPONSES}, summary="The visit code of conduct"
)
def checklist(request: HttpRequest, order_id: Id) -> Any:
    order = _order(request, order_id)
    return {"items": [mark_out(item, mark) for item, mark in selectors.checklist_for(order)]}


class ChecklistIn(StrictIn):
    item: str = Field(min_length=1, max_length=40)
    checked: bool = True


@router.post("/jobs/{order_id}/checklist", response={200: MarkOut, **ERROR_RESPONSES}, summary="Tick or untick an item")
def checklist_mark(request: HttpRequest, order_id: Id, payload: ChecklistIn) -> Any:
    mark = services.checklist_mark(
        order=_order(request, order_id), acting_user=request.user, item_code=payload.item, checked=payload.checked
    )
    return mark_out(mark.item, mark)


class ChecklistExplainIn(StrictIn):
    item: str = Field(min_length=1, max_length=40)
    reason: str = Field(max_length=200, description="Why the item was not done (required)")


@router.post(
    "/jobs/{order_id}/checklist/explain",
    response={200: MarkOut, **ERROR_RESPONSES},
    summary="An item was not done: say why (it then no longer holds up QC or the sign-off)",
)
def checklist_explain(request: HttpRequest, order_id: Id, payload: ChecklistExplainIn) -> Any:
    mark = services.checklist_explain(
        order=_order(request, order_id), acting_user=request.user, item_code=payload.item, reason=payload.reason
    )
    return mark_out(mark.item, mark)


class SubmitQcIn(StrictIn):
    note: str = Field(default="", max_length=5000, description="What was done; empty: the repair log")


@router.post(
    "/jobs/{order_id}/submit-qc",
    response={200: OrderStateOut, **ERROR_RESPONSES},
    summary="Send the work to QC (409 checklist_incomplete names the items neither ticked nor explained)",
)
def submit_qc(request: HttpRequest, order_id: Id, payload: SubmitQcIn) -> Any:
    order = services.work_submit_qc(order=_order(request, order_id), acting_user=request.user, note=payload.note)
    return {"id": order.pk, "number": order.number, "status": order.status}


@router.get("/jobs/{order_id}/log", response={200: LogOut, **ERROR_RESPONSES}, summary="The repair log")
def repair_log(request: HttpRequest, order_id: Id) -> Any:
    order = _order(request, order_id)
    entries = selectors.repair_log_entries_visible_to(request.user).filter(order=order).order_by("at", "id")
    return {"items": [log_out(entry) for entry in entries]}


class LogIn(StrictIn):
    text: str = Field(max_length=5000)


@router.post("/jobs/{order_id}/log", response={201: LogEntryOut, **ERROR_RESPONSES}, summary="Add to the repair log")
def repair_log_add(request: HttpRequest, order_id: Id, payload: LogIn) -> Any:
    def create() -> tuple[int, dict[str, Any]]:
        entry = services.repair_log_add(order=_order(request, order_id), acting_user=request.user, text=payload.text)
        return 201, log_out(entry)

    return idempotent_create(request, "field-log", create)


def plan_out(plan: Any) -> dict[str, Any]:
    return {
        "order": plan.order_id,
        "materials": plan.materials,
        "people": plan.people,
        "expected_minutes": plan.expected_minutes,
        "note": plan.note,
        "version": plan.version,
    }


@router.get(
    "/jobs/{order_id}/plan", response={200: RepairPlanOut, **ERROR_RESPONSES}, summary="The repair plan (维修方案)"
)
def repair_plan(request: HttpRequest, order_id: Id) -> Any:
    order = _order(request, order_id)
    return plan_out(selectors.repair_plans_visible_to(request.user).get(order=order))


class RepairPlanIn(StrictIn):
    materials: str = Field(default="", max_length=5000)
    people: int = Field(default=1, ge=1, le=50)
    expected_minutes: int = Field(ge=1, le=60 * 24 * 30)
    note: str = Field(default="", max_length=5000)
    version: int | None = Field(default=None, description="The version read; a stale one gets 409")


@router.put(
    "/jobs/{order_id}/plan",
    response={200: RepairPlanOut, **ERROR_RESPONSES},
    summary="Save the repair plan: materials, people, time (versioned)",
)
def repair_plan_save(request: HttpRequest, order_id: Id, payload: RepairPlanIn) -> Any:
    plan = services.repair_plan_save(
        order=_order(request, order_id),
        acting_user=request.user,
        materials=payload.materials,
        people=payload.people,
        expected_minutes=payload.expected_minutes,
        note=payload.note,
        expected_version=payload.version,
    )
    return plan_out(plan)


class ObjectionIn(StrictIn):
    reason: str = Field(max_length=5000)


@router.post(
    "/jobs/{order_id}/objection",
    response={200: OrderStateOut, **ERROR_RESPONSES},
    summary="The customer objects to the work: recorded, escalated to the supervisor, back to work",
)
def objection(request: HttpRequest, order_id: Id, payload: ObjectionIn) -> Any:
    order = services.objection_record(order=_order(request, order_id), acting_user=request.user, reason=payload.reason)
    return {"id": order.pk, "number": order.number, "status": order.status}


class SignatureIn(StrictIn):
    signer_name: str = Field(max_length=64)
    image: str = Field(
        max_length=1_400_000, description="The drawn signature: a PNG as a data URL or bare base64. Blank is refused."
    )


@router.post(
    "/jobs/{order_id}/signature",
    response={201: SignatureOut, **ERROR_RESPONSES},
    summary="The customer signs off (PNG with ink); the service report is made",
)
def signature(request: HttpRequest, order_id: Id, payload: SignatureIn) -> Any:
    def create() -> tuple[int, dict[str, Any]]:
        record = services.signature_capture(
            order=_order(request, order_id),
            acting_user=request.user,
            image=payload.image,
            signer_name=payload.signer_name,
        )
        return 201, signature_out(record)

    return idempotent_create(request, "field-signature", create)


@router.get(
    "/jobs/{order_id}/report.pdf",
    response={200: None, **ERROR_RESPONSES},
    summary="The service report (服务报告单) PDF",
    openapi_extra={"responses": {200: {"content": {"application/pdf": {}}, "description": "PDF"}}},
)
def report(request: HttpRequest, order_id: Id) -> Any:
    record = services.service_report_latest(order=_order(request, order_id), acting_user=request.user)
    return FileResponse(record.file.open("rb"), as_attachment=True, filename=f"{record.number}.pdf")
