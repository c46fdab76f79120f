"""Preventive maintenance in the public API v1 (SPEC §14.2): ``POST /maintenance-plans`` →
``201 {"id"}``, ``POST /maintenance-plans/{id}/generate {"until"}`` → ``{"created": N}``,
``GET /maintenance-plans/{id}/occurrences`` → ``{"items": [{"device","due_on","work_order"}],
"count"}``; and the inspection results of a maintenance order. Thin: parse, call, serialise."""

from __future__ import annotations

from typing import Annotated, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from core.api import ERROR_RESPONSES, LAX, MAX_ID, Date, DateText, PageQuery, StrictIn, idempotent_create, paginate
from maintenance import services
from maintenance.choices import NonWorkingDay, Outcome, PlanServiceType, Schedule
from maintenance.models import ChecklistTemplate, ChecklistTemplateItem, MaintenancePlan, Occurrence
from maintenance.selectors import plan_occurrences, plans_visible_to, results_visible_to
from policies.models import Contract
from workorders.selectors import workorders_visible_to

plans_router = Router(tags=["maintenance plans"])
inspections_router = Router(tags=["inspections"])

ROUTERS: list[tuple[str, Router]] = [("/maintenance-plans", plans_router), ("/inspections", inspections_router)]


class PlanIn(StrictIn):
    name: str = Field(min_length=1, max_length=120)
    service_type: Annotated[PlanServiceType, LAX]
    interval_months: int | None = Field(default=None, description="An integer ≥ 1 (or give interval_days)")
    interval_days: int | None = Field(default=None)
    starts_on: Date
    ends_on: Date | None = None
    devices: list[int] = Field(default_factory=list, max_length=10_000)
    contract: int | None = Field(default=None, ge=1, le=MAX_ID)
    schedule: Annotated[Schedule, LAX] = Schedule.FIXED
    horizon_days: int = Field(default=14, ge=0, le=366)
    non_working: Annotated[NonWorkingDay, LAX] = NonWorkingDay.EARLIER
    calendar_code: str = Field(default="standard", max_length=32)
    checklist: str | None = Field(default=None, max_length=40, description="A checklist template's code")


class CreatedOut(Schema):
    id: int


class GenerateIn(StrictIn):
    until: Date


class GeneratedOut(Schema):
    created: int


class MaintenancePlanOut(Schema):
    id: int
    name: str
    service_type: str
    schedule: str
    interval_months: int | None
    interval_days: int | None
    starts_on: DateText
    ends_on: DateText | None
    horizon_days: int
    non_working: str
    contract: int | None
    checklist: str | None
    devices: list[int]
    is_active: bool
    version: int


class MaintenancePlanListOut(Schema):
    items: list[MaintenancePlanOut]
    count: int


class OccurrenceOut(Schema):
    device: int
    due_on: DateText
    planned_on: DateText
    work_order: int | None
    status: str | None


class OccurrenceListOut(Schema):
    items: list[OccurrenceOut]
    count: int


class ResultIn(StrictIn):
    item: int = Field(ge=1, le=MAX_ID)
    outcome: Annotated[Outcome, LAX] | None = None
    value: str | float | None = None
    note: str = Field(default="", max_length=500)


class ResultOut(Schema):
    item: int
    label: str
    outcome: str
    value: str | None
    unit: str
    out_of_limit: bool
    note: str


class InspectionOut(Schema):
    work_order: int
    items: list[ResultOut]
    count: int


def plan_out(plan: MaintenancePlan) -> dict[str, Any]:
    return {
        "id": plan.pk,
        "name": plan.name,
        "service_type": plan.service_type,
        "schedule": plan.schedule,
        "interval_months": plan.interval_months,
        "interval_days": plan.interval_days,
        "starts_on": plan.starts_on.isoformat(),
        "ends_on": plan.ends_on.isoformat() if plan.ends_on else None,
        "horizon_days": plan.horizon_days,
        "non_working": plan.non_working,
        "contract": plan.contract_id,
        "checklist": plan.checklist.code if plan.checklist else None,
        "devices": sorted(plan.devices.values_list("pk", flat=True)),
        "is_active": plan.is_active,
        "version": plan.version,
    }


def occurrence_out(occ: Occurrence) -> dict[str, Any]:
    return {
        "device": occ.device_id,
        "due_on": occ.due_on.isoformat(),
        "planned_on": occ.planned_on.isoformat(),
        "work_order": occ.work_order_id,
        "status": occ.work_order.status if occ.work_order else None,
    }


def _plan(request: HttpRequest, plan_id: int) -> MaintenancePlan:
    if not 1 <= plan_id <= MAX_ID:
        raise MaintenancePlan.DoesNotExist
    return plans_visible_to(request.user).get(pk=plan_id)


@plans_router.post("", response={201: CreatedOut, **ERROR_RESPONSES}, summary="Create a maintenance plan")
def create_plan(request: HttpRequest, payload: PlanIn) -> Any:
    if not request.user.has_perm("maintenance.add_maintenanceplan"):
        raise PermissionDenied(_("You may not create maintenance plans."))

    def create() -> tuple[int, dict[str, Any]]:
        contract = None
        if payload.contract is not None:
            contract = Contract.objects.select_related("customer").filter(pk=payload.contract).first()
            if contract is None:
                raise ValidationError({"contract": _("Unknown contract.")})
        checklist = None
        if payload.checklist:
            checklist = ChecklistTemplate.objects.filter(code=payload.checklist, is_active=True).first()
            if checklist is None:
                raise ValidationError({"checklist": _("Unknown checklist.")})
        for pk in payload.devices:
            if not 1 <= pk <= MAX_ID:
                raise ValidationError({"devices": _("Unknown device: %(ids)s.") % {"ids": pk}})
        plan = services.plan_create(
            acting_user=request.user,
            name=payload.name,
            service_type=payload.service_type,
            interval_months=payload.interval_months,
            interval_days=payload.interval_days,
            starts_on=payload.starts_on,
            ends_on=payload.ends_on,
            devices=payload.devices,
            contract=contract,
            schedule=payload.schedule,
            horizon_days=payload.horizon_days,
            non_working=payload.non_working,
            calendar_code=payload.calendar_code,
            checklist=checklist,
        )
        return 201, {"id": plan.pk}

    return idempotent_create(request, "maintenance-plan", create)


class MaintenancePlanFilters(PageQuery):
    q: str = Field(default="", max_length=64)


@plans_router.get(
    "", response={200: MaintenancePlanListOut, **ERROR_RESPONSES}, summary="List maintenance plans (scoped)"
)
def list_plans(request: HttpRequest, filters: Query[MaintenancePlanFilters]) -> Any:
    plans = plans_visible_to(request.user).order_by("-id")
    if filters.q:
        plans = plans.filter(name__icontains=filters.q)
    return paginate(plans, page=filters.page, page_size=filters.page_size, serialize=plan_out)


@plans_router.get("/{plan_id}", response={200: MaintenancePlanOut, **ERROR_RESPONSES}, summary="One maintenance plan")
def get_plan(request: HttpRequest, plan_id: int) -> Any:
    return plan_out(_plan(request, plan_id))


@plans_router.post(
    "/{plan_id}/generate",
    response={200: GeneratedOut, **ERROR_RESPONSES},
    summary="Create the work orders due up to a date (never twice)",
)
def generate(request: HttpRequest, plan_id: int, payload: GenerateIn) -> Any:
    plan = _plan(request, plan_id)
    if not request.user.has_perm("maintenance.generate_maintenanceplan"):
        raise PermissionDenied(_("You may not generate maintenance orders."))
    return {"created": services.plan_generate(plan=plan, until=payload.until, acting_user=request.user)}


@plans_router.get(
    "/{plan_id}/occurrences", response={200: OccurrenceListOut, **ERROR_RESPONSES}, summary="A plan's occurrences"
)
def occurrences(request: HttpRequest, plan_id: int, filters: Query[PageQuery]) -> Any:
    plan = _plan(request, plan_id)
    return paginate(
        plan_occurrences(user=request.user, plan=plan),
        page=filters.page,
        page_size=filters.page_size,
        serialize=occurrence_out,
    )


def _order(request: HttpRequest, order_id: int) -> Any:
    from workorders.models import WorkOrder

    if not 1 <= order_id <= MAX_ID or not request.user.has_perm("maintenance.view_inspectionresult"):
        raise WorkOrder.DoesNotExist
    return workorders_visible_to(request.user).get(pk=order_id)


def _inspection(request: HttpRequest, order: Any) -> dict[str, Any]:
    results = list(results_visible_to(request.user).filter(order=order))
    items = [
        {
            "item": r.item_id,
            "label": r.item.label,
            "outcome": r.outcome,
            "value": None if r.value is None else f"{r.value.normalize():f}",
            "unit": r.unit,
            "out_of_limit": r.out_of_limit,
            "note": r.note,
        }
        for r in results
    ]
    return {"work_order": order.pk, "items": items, "count": len(items)}


@inspections_router.get("/{order_id}", response={200: InspectionOut, **ERROR_RESPONSES}, summary="An order's results")
def inspection(request: HttpRequest, order_id: int) -> Any:
    return _inspection(request, _order(request, order_id))


@inspections_router.post(
    "/{order_id}/results", response={200: InspectionOut, **ERROR_RESPONSES}, summary="Record one checklist item"
)
def record(request: HttpRequest, order_id: int, payload: ResultIn) -> Any:
    order = _order(request, order_id)
    item = ChecklistTemplateItem.objects.filter(pk=payload.item).first()
    if item is None:
        raise ValidationError({"item": _("This item is not on the order's checklist.")})
    services.inspection_record(
        order=order,
        acting_user=request.user,
        item=item,
        outcome=payload.outcome or "",
        value=payload.value,
        note=payload.note,
    )
    return _inspection(request, order)
