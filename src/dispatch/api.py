"""The dispatch part of the public API v1: technicians, appointments, the board, auto-assign,
plans and loans. Thin: parse, call selectors/services, serialise."""

from __future__ import annotations

from datetime import date, time
from typing import TYPE_CHECKING, Any, Literal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from catalog.models import ProductCategory
from core.api import (
    ERROR_RESPONSES,
    Date,
    DateText,
    DateTime,
    DateTimeText,
    DecimalText,
    Id,
    IdCodeName,
    IdName,
    IdNumber,
    Latitude,
    Longitude,
    Money,
    MoneyText,
    PageQuery,
    PersonRef,
    StrictIn,
    TimeText,
    idempotent_create,
    local_iso,
    paginate,
    person_ref,
)
from core.models import OrgUnit
from dispatch import selectors, services
from dispatch.models import Appointment, DispatchPlan, TechnicianLoan, TechnicianProfile
from workorders.choices import ServiceType
from workorders.models import WorkOrder
from workorders.selectors import technicians_visible_to, workorders_visible_to

router = Router(tags=["dispatch"])

#: (prefix under /api/v1, router) pairs that aftersales.api mounts.
ROUTERS: list[tuple[str, Router]] = [("/dispatch", router)]


# --- answers --------------------------------------------------------------------------------


class HomeOut(Schema):
    lat: DecimalText
    lon: DecimalText
    address: str


class CertificateOut(Schema):
    name: str
    number: str
    expires_on: DateText | None


class ShiftOut(Schema):
    day: DateText
    start: TimeText
    end: TimeText


class TechnicianOut(Schema):
    id: int = Field(description="The technician profile's id")
    user: PersonRef
    unit: IdName
    categories: list[IdCodeName] = Field(description="Product categories the technician is skilled for")
    service_types: list[str]
    home: HomeOut | None = Field(description="Home base; null when not located")
    calendar: str | None = Field(description="Work calendar code")
    daily_capacity: int
    is_active: bool
    certificates: list[CertificateOut] = Field(description="Current certificates")
    shift: ShiftOut | None = Field(description="The shift on `day`, when a day was asked for and one is planned")
    version: int


class TechnicianListOut(Schema):
    items: list[TechnicianOut]
    count: int


class AppointmentOut(Schema):
    id: int
    order: IdNumber
    technician: PersonRef | None
    date: DateText
    window_start: DateTimeText
    window_end: DateTimeText
    content: str
    expected_minutes: int
    expected_fees: MoneyText
    status: str
    version: int


class AppointmentListOut(Schema):
    items: list[AppointmentOut]
    count: int


class BoardDayOut(Schema):
    day: DateText
    shift: list[TimeText] | None = Field(description="[start, end] of the shift; null: not working")
    visits: list[AppointmentOut]


class BoardRowOut(Schema):
    technician: PersonRef
    loaned: bool = Field(description="On loan to this unit from another")
    capacity: int
    days: list[BoardDayOut]


class UnassignedOut(Schema):
    id: int
    number: str
    status: str
    service_type: str
    priority: int
    customer: str = Field(description="The customer's name")
    deadline: DateTimeText | None = Field(description="The nearest service-level deadline")


class BoardOut(Schema):
    unit: IdName
    days: list[DateText]
    technicians: list[BoardRowOut]
    unassigned: list[UnassignedOut]


class AssignedOut(Schema):
    id: int
    number: str
    status: str
    technician: PersonRef | None


class CandidateOut(Schema):
    technician: int = Field(description="User id")
    name: str
    score: int | float | None = Field(description="Lower is better; null: not eligible")
    reasons: list[str]


class AutoAssignOut(Schema):
    choice: int | None = Field(description="The chosen technician's user id; null: nobody eligible")
    applied: bool
    reasons: list[str]
    candidates: list[CandidateOut]


class PlanVisitOut(Schema):
    order: IdNumber
    sequence: int
    arrival: DateTimeText | None
    start: DateTimeText | None
    finish: DateTimeText | None
    travel_km: DecimalText
    late_minutes: int


class PlanRouteOut(Schema):
    technician: PersonRef | None
    visits: list[PlanVisitOut]
    travel_km: DecimalText


class PlanSummaryOut(Schema):
    """What the solver reported; nulls when it did not say."""

    status: str | None
    travel_km: int | float | None
    lateness_minutes: int | float | None
    solve_seconds: int | float | None


class DropReasonOut(Schema):
    code: str
    detail: str
    text: str


class DroppedOut(Schema):
    order: int
    number: str
    reasons: list[DropReasonOut]


class PlanOut(Schema):
    id: int
    unit: IdName
    day: DateText
    status: str
    created_by: PersonRef | None
    approved_by: PersonRef | None
    summary: PlanSummaryOut
    routes: list[PlanRouteOut]
    dropped: list[DroppedOut] = Field(description="Orders the plan leaves out, with the reasons")
    reject_reason: str
    version: int


class PlanListOut(Schema):
    items: list[PlanOut]
    count: int


class LoanOut(Schema):
    id: int
    technician: PersonRef | None
    from_unit: IdName
    to_unit: IdName
    starts_on: DateText
    ends_on: DateText
    reason: str
    status: str
    requested_by: PersonRef | None
    decided_by: PersonRef | None
    decision_note: str


class LoanListOut(Schema):
    items: list[LoanOut]
    count: int


# --- serialisers ----------------------------------------------------------------------------


def technician_out(profile: TechnicianProfile, day: date | None = None) -> dict[str, Any]:
    shift = selectors.technician_shift(profile, day) if day else None
    return {
        "id": profile.pk,
        "user": person_ref(profile.user),
        "unit": {"id": profile.user.profile.unit_id, "name": profile.user.profile.unit.name},
        "categories": [{"id": c.pk, "code": c.code, "name": c.name} for c in profile.categories.all()],
        "service_types": list(profile.service_types or []),
        "home": (
            {"lat": str(profile.home_lat), "lon": str(profile.home_lon), "address": profile.home_address}
            if profile.home_lat is not None
            else None
        ),
        "calendar": profile.calendar.code if profile.calendar_id and profile.calendar else None,
        "daily_capacity": profile.daily_capacity,
        "is_active": profile.is_active,
        "certificates": [
            {"name": c.name, "number": c.number, "expires_on": c.expires_on.isoformat() if c.expires_on else None}
            for c in profile.certificates.all()
            if c.is_active
        ],
        "shift": {"day": day.isoformat(), "start": shift[0].strftime("%H:%M"), "end": shift[1].strftime("%H:%M")}
        if day and shift
        else None,
        "version": profile.version,
    }


def appointment_out(appointment: Appointment) -> dict[str, Any]:
    return {
        "id": appointment.pk,
        "order": {"id": appointment.order_id, "number": appointment.order.number},
        "technician": person_ref(appointment.technician),
        "date": appointment.date.isoformat(),
        "window_start": local_iso(appointment.window_start),
        "window_end": local_iso(appointment.window_end),
        "content": appointment.content,
        "expected_minutes": appointment.expected_minutes,
        "expected_fees": f"{appointment.expected_fees:.2f}",
        "status": appointment.status,
        "version": appointment.version,
    }


def plan_out(plan: DispatchPlan) -> dict[str, Any]:
    routes: dict[int, dict[str, Any]] = {}
    for visit in plan.visits.select_related("order", "technician").order_by("technician_id", "sequence"):
        route = routes.setdefault(
            visit.technician_id, {"technician": person_ref(visit.technician), "visits": [], "travel_km": "0.00"}
        )
        route["visits"].append(
            {
                "order": {"id": visit.order_id, "number": visit.order.number},
                "sequence": visit.sequence,
                "arrival": local_iso(visit.arrival_at),
                "start": local_iso(visit.start_at),
                "finish": local_iso(visit.finish_at),
                "travel_km": f"{visit.travel_km:.2f}",
                "late_minutes": visit.late_minutes,
            }
        )
    summary = {key: plan.summary.get(key) for key in ("status", "travel_km", "lateness_minutes", "solve_seconds")}
    return {
        "id": plan.pk,
        "unit": {"id": plan.unit_id, "name": plan.unit.name},
        "day": plan.day.isoformat(),
        "status": plan.status,
        "created_by": person_ref(plan.created_by),
        "approved_by": person_ref(plan.approved_by),
        "summary": summary,
        "routes": list(routes.values()),
        "dropped": plan.dropped,
        "reject_reason": plan.reject_reason,
        "version": plan.version,
    }


def loan_out(loan: TechnicianLoan) -> dict[str, Any]:
    return {
        "id": loan.pk,
        "technician": person_ref(loan.technician),
        "from_unit": {"id": loan.from_unit_id, "name": loan.from_unit.name},
        "to_unit": {"id": loan.to_unit_id, "name": loan.to_unit.name},
        "starts_on": loan.starts_on.isoformat(),
        "ends_on": loan.ends_on.isoformat(),
        "reason": loan.reason,
        "status": loan.status,
        "requested_by": person_ref(loan.requested_by),
        "decided_by": person_ref(loan.decided_by),
        "decision_note": loan.decision_note,
    }


# --- lookups (unknown and foreign ids get the same answer) ----------------------------------


def _order(request: HttpRequest, order_id: int, field: str = "order") -> WorkOrder:
    order = workorders_visible_to(request.user).filter(pk=order_id).first()
    if order is None:
        raise ValidationError({field: _("Unknown work order.")})
    return order


def _technician(request: HttpRequest, user_id: int, field: str = "technician") -> Any:
    return services.technician_for_dispatch(request.user, user_id, field=field)


def _unit(request: HttpRequest, unit_id: int | None) -> OrgUnit:
    return services.unit_for_plans(request.user, unit_id)


# --- technicians ----------------------------------------------------------------------------


class TechnicianFilters(PageQuery):
    day: Date | None = None
    unit: int | None = Field(default=None, ge=1)


@router.get(
    "/technicians",
    response={200: TechnicianListOut, **ERROR_RESPONSES},
    summary="Technicians with skills, shifts, certificates",
)
def list_technicians(request: HttpRequest, filters: Query[TechnicianFilters]) -> Any:
    profiles = selectors.technician_profiles_visible_to(request.user).prefetch_related(
        "categories", "certificates", "shifts"
    )
    if filters.unit:
        profiles = profiles.filter(user__profile__unit_id=filters.unit)
    return paginate(
        profiles, page=filters.page, page_size=filters.page_size, serialize=lambda p: technician_out(p, filters.day)
    )


@router.get("/technicians/{profile_id}", response={200: TechnicianOut, **ERROR_RESPONSES}, summary="One technician")
def get_technician(request: HttpRequest, profile_id: Id, day: Date | None = None) -> Any:
    return technician_out(selectors.technician_profiles_visible_to(request.user).get(pk=profile_id), day)


if TYPE_CHECKING:
    ServiceTypeCode = str
else:
    ServiceTypeCode = Literal[tuple(ServiceType.values)]

HHMM = r"^([01]\d|2[0-3]):[0-5]\d$"


class TechnicianProfileIn(StrictIn):
    """A technician's dispatch profile (an HR or planning system's sync); fields left out stay."""

    version: int | None = Field(default=None, ge=1, description="Required once the profile exists (409 if stale)")
    categories: list[str] | None = Field(default=None, max_length=100, description="Product category codes")
    service_types: list[ServiceTypeCode] | None = Field(default=None, max_length=len(ServiceType.values))
    home_lat: Latitude | None = None
    home_lon: Longitude | None = None
    home_address: str | None = Field(default=None, max_length=200)
    daily_capacity: int | None = Field(default=None, ge=0, le=50)
    is_active: bool | None = None


class WeeklyShiftIn(StrictIn):
    weekday: int = Field(ge=0, le=6, description="0 Monday … 6 Sunday")
    start: str = Field(pattern=HHMM, examples=["09:00"])
    end: str = Field(pattern=HHMM, examples=["18:00"])


class WeeklyShiftsIn(StrictIn):
    shifts: list[WeeklyShiftIn] = Field(max_length=28, description="Empty: the work calendar's hours")


def _technician_user(request: HttpRequest, user_id: int) -> Any:
    return technicians_visible_to(request.user).get(pk=user_id)


@router.put(
    "/technicians/by-user/{user_id}",
    response={200: TechnicianOut, **ERROR_RESPONSES},
    summary="Create or update a technician's dispatch profile (skills, home base, capacity)",
)
def put_technician_profile(request: HttpRequest, user_id: Id, payload: TechnicianProfileIn) -> Any:
    user = _technician_user(request, user_id)
    categories = None
    if payload.categories is not None:
        categories = list(ProductCategory.objects.filter(code__in=payload.categories))
        unknown = sorted(set(payload.categories) - {category.code for category in categories})
        if unknown:
            raise ValidationError({"categories": _("Unknown category: %(codes)s.") % {"codes": ", ".join(unknown)}})
    with transaction.atomic():
        profile = services.technician_profile_save(
            acting_user=request.user,
            user=user,
            categories=categories,
            service_types=list(payload.service_types) if payload.service_types is not None else None,
            home_lat=payload.home_lat,
            home_lon=payload.home_lon,
            home_address=payload.home_address,
            daily_capacity=payload.daily_capacity,
            is_active=payload.is_active,
            expected_version=payload.version,
        )
    return technician_out(selectors.technician_profiles_visible_to(request.user).get(pk=profile.pk))


@router.put(
    "/technicians/{profile_id}/shifts",
    response={200: TechnicianOut, **ERROR_RESPONSES},
    summary="Replace a technician's weekly shifts (per-date overrides stay)",
)
def put_technician_shifts(request: HttpRequest, profile_id: Id, payload: WeeklyShiftsIn) -> Any:
    profile = selectors.technician_profiles_visible_to(request.user).get(pk=profile_id)
    weekly: dict[int, list[tuple[time, time]]] = {}
    for shift in payload.shifts:
        start, end = time.fromisoformat(shift.start), time.fromisoformat(shift.end)
        if end <= start:
            raise ValidationError({"shifts": _("A shift ends after it starts.")})
        weekly.setdefault(shift.weekday, []).append((start, end))
    services.technician_shifts_replace(acting_user=request.user, profile=profile, weekly=weekly)
    return technician_out(selectors.technician_profiles_visible_to(request.user).get(pk=profile.pk))


# --- appointments ---------------------------------------------------------------------------


class AppointmentIn(StrictIn):
    order: Id
    technician: Id
    window_start: DateTime
    window_end: DateTime
    content: str = Field(default="", max_length=2000)
    expected_minutes: int = Field(default=60, ge=1, le=24 * 60)
    expected_fees: Money = Field(default=0)  # type: ignore[assignment]
    reason: str = Field(default="", max_length=2000, description="Needed when another technician was assigned")


class RescheduleIn(StrictIn):
    version: int
    window_start: DateTime
    window_end: DateTime
    reason: str = Field(max_length=2000)


class CancelIn(StrictIn):
    version: int | None = None
    reason: str = Field(max_length=2000)


class AppointmentFilters(PageQuery):
    day: Date | None = None
    technician: int | None = Field(default=None, ge=1)
    order: int | None = Field(default=None, ge=1)


@router.post(
    "/appointments",
    response={201: AppointmentOut, **ERROR_RESPONSES},
    summary="Book an appointment (Idempotency-Key honoured)",
)
def create_appointment(request: HttpRequest, payload: AppointmentIn) -> Any:
    def create() -> tuple[int, dict[str, Any]]:
        appointment = services.appointment_book(
            acting_user=request.user,
            order=_order(request, payload.order),
            technician=_technician(request, payload.technician),
            window_start=payload.window_start,
            window_end=payload.window_end,
            content=payload.content,
            expected_minutes=payload.expected_minutes,
            expected_fees=payload.expected_fees,
            reason=payload.reason,
        )
        return 201, appointment_out(appointment)

    return idempotent_create(request, "dispatch-appointments", create)


@router.get(
    "/appointments",
    response={200: AppointmentListOut, **ERROR_RESPONSES},
    summary="Appointments (by day, technician, order)",
)
def list_appointments(request: HttpRequest, filters: Query[AppointmentFilters]) -> Any:
    appointments = selectors.appointments_visible_to(request.user)
    if filters.day:
        appointments = appointments.filter(date=filters.day)
    if filters.technician:
        appointments = appointments.filter(technician_id=filters.technician)
    if filters.order:
        appointments = appointments.filter(order_id=filters.order)
    return paginate(appointments, page=filters.page, page_size=filters.page_size, serialize=appointment_out)


@router.get(
    "/appointments/{appointment_id}", response={200: AppointmentOut, **ERROR_RESPONSES}, summary="One appointment"
)
def get_appointment(request: HttpRequest, appointment_id: Id) -> Any:
    return appointment_out(selectors.appointments_visible_to(request.user).get(pk=appointment_id))


@router.post(
    "/appointments/{appointment_id}/reschedule",
    response={200: AppointmentOut, **ERROR_RESPONSES},
    summary="Reschedule (with version and reason)",
)
def reschedule_appointment(request: HttpRequest, appointment_id: Id, payload: RescheduleIn) -> Any:
    appointment = selectors.appointments_visible_to(request.user).get(pk=appointment_id)
    appointment = services.appointment_reschedule(
        acting_user=request.user,
        appointment=appointment,
        window_start=payload.window_start,
        window_end=payload.window_end,
        reason=payload.reason,
        expected_version=payload.version,
    )
    return appointment_out(appointment)


@router.post(
    "/appointments/{appointment_id}/cancel",
    response={200: AppointmentOut, **ERROR_RESPONSES},
    summary="Cancel an appointment",
)
def cancel_appointment(request: HttpRequest, appointment_id: Id, payload: CancelIn) -> Any:
    appointment = selectors.appointments_visible_to(request.user).get(pk=appointment_id)
    appointment = services.appointment_cancel(
        acting_user=request.user, appointment=appointment, reason=payload.reason, expected_version=payload.version
    )
    return appointment_out(appointment)


# --- board, assignment ----------------------------------------------------------------------


class BoardQuery(Schema):
    day: Date
    days: int = Field(default=1, ge=1, le=7)
    unit: int | None = Field(default=None, ge=1)


@router.get(
    "/board", response={200: BoardOut, **ERROR_RESPONSES}, summary="The dispatch board of a unit for a day (or week)"
)
def board(request: HttpRequest, query: Query[BoardQuery]) -> Any:
    if not request.user.has_perm("dispatch.view_dispatchplan"):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(_("You may not do this."))
    data = selectors.dispatch_board(
        user=request.user, unit=_unit(request, query.unit), start=query.day, days=query.days
    )
    return {
        "unit": {"id": data.unit.pk, "name": data.unit.name},
        "days": [d.isoformat() for d in data.days],
        "technicians": [
            {
                "technician": person_ref(row.profile.user),
                "loaned": row.loaned,
                "capacity": row.profile.daily_capacity,
                "days": [
                    {
                        "day": cell["day"].isoformat(),
                        "shift": [cell["shift"][0].strftime("%H:%M"), cell["shift"][1].strftime("%H:%M")]
                        if cell["shift"]
                        else None,
                        "visits": [appointment_out(a) for a in cell["visits"]],
                    }
                    for cell in row.days
                ],
            }
            for row in data.rows
        ],
        "unassigned": [
            {
                "id": order.pk,
                "number": order.number,
                "status": order.status,
                "service_type": order.service_type,
                "priority": order.priority,
                "customer": order.customer.name,
                "deadline": local_iso(data.deadlines.get(order.pk)),
            }
            for order in data.unassigned
        ],
    }


class AssignIn(StrictIn):
    technician: Id
    reason: str = Field(default="", max_length=2000)


class AutoAssignIn(StrictIn):
    day: Date | None = None
    apply: bool = False


@router.post(
    "/work-orders/{order_id}/assign",
    response={200: AssignedOut, **ERROR_RESPONSES},
    summary="Assign or reassign (reason)",
)
def assign(request: HttpRequest, order_id: Id, payload: AssignIn) -> Any:
    order = workorders_visible_to(request.user).get(pk=order_id)
    order = services.dispatch_assign(
        acting_user=request.user,
        order=order,
        technician=_technician(request, payload.technician),
        reason=payload.reason,
    )
    return {"id": order.pk, "number": order.number, "status": order.status, "technician": person_ref(order.technician)}


@router.post(
    "/work-orders/{order_id}/auto-assign",
    response={200: AutoAssignOut, **ERROR_RESPONSES},
    summary="Auto-assign with reasons",
)
def auto_assign(request: HttpRequest, order_id: Id, payload: AutoAssignIn) -> Any:
    order = workorders_visible_to(request.user).get(pk=order_id)
    result = services.auto_assign(acting_user=request.user, order=order, day=payload.day, apply=payload.apply)
    return {
        "choice": result.decision.choice,
        "applied": result.applied,
        "reasons": result.decision.reasons,
        "candidates": [
            {"technician": c.technician_id, "name": c.name, "score": c.score, "reasons": c.reasons}
            for c in result.decision.candidates
        ],
    }


# --- plans ----------------------------------------------------------------------------------


class PlanProposalIn(StrictIn):
    day: Date
    unit: int | None = Field(default=None, ge=1)
    time_limit: float = Field(default=2.0, ge=services.MIN_TIME_LIMIT, le=services.MAX_TIME_LIMIT)


class PlanVersionIn(StrictIn):
    version: int | None = None


class PlanRejectIn(PlanVersionIn):
    reason: str = Field(max_length=2000)


class EditIn(PlanVersionIn):
    order: Id
    technician: int | None = Field(default=None, ge=1, description="Move to this technician's route")
    position: int = Field(default=1, ge=1, le=100)
    drop_reason: str = Field(default="", max_length=2000, description="Drop instead of moving")


class PlanFilters(PageQuery):
    day: Date | None = None
    status: str = ""


@router.post("/plans", response={201: PlanOut, **ERROR_RESPONSES}, summary="Propose a route plan for a unit and a day")
def propose_plan(request: HttpRequest, payload: PlanProposalIn) -> Any:
    def create() -> tuple[int, dict[str, Any]]:
        plan = services.plan_propose(
            acting_user=request.user, unit=_unit(request, payload.unit), day=payload.day, time_limit=payload.time_limit
        )
        return 201, plan_out(plan)

    return idempotent_create(request, "dispatch-plans", create)


@router.get("/plans", response={200: PlanListOut, **ERROR_RESPONSES}, summary="Plans")
def list_plans(request: HttpRequest, filters: Query[PlanFilters]) -> Any:
    plans = selectors.plans_visible_to(request.user)
    if filters.day:
        plans = plans.filter(day=filters.day)
    if filters.status:
        plans = plans.filter(status=filters.status)
    return paginate(plans, page=filters.page, page_size=filters.page_size, serialize=plan_out)


def _plan(request: HttpRequest, plan_id: int) -> DispatchPlan:
    return selectors.plans_visible_to(request.user).get(pk=plan_id)


@router.get(
    "/plans/{plan_id}", response={200: PlanOut, **ERROR_RESPONSES}, summary="One plan with routes and dropped jobs"
)
def get_plan(request: HttpRequest, plan_id: Id) -> Any:
    return plan_out(_plan(request, plan_id))


@router.post("/plans/{plan_id}/edit", response={200: PlanOut, **ERROR_RESPONSES}, summary="Move or drop a visit")
def edit_plan(request: HttpRequest, plan_id: Id, payload: EditIn) -> Any:
    plan = _plan(request, plan_id)
    if payload.drop_reason:
        plan = services.plan_visit_drop(
            acting_user=request.user,
            plan=plan,
            order_id=payload.order,
            reason=payload.drop_reason,
            expected_version=payload.version,
        )
    elif payload.technician:
        plan = services.plan_visit_move(
            acting_user=request.user,
            plan=plan,
            order_id=payload.order,
            technician_id=payload.technician,
            position=payload.position,
            expected_version=payload.version,
        )
    else:
        raise ValidationError({"technician": _("Give a technician to move to, or a reason to drop.")})
    return plan_out(plan)


@router.post("/plans/{plan_id}/approve", response={200: PlanOut, **ERROR_RESPONSES}, summary="Approve (director)")
def approve_plan(request: HttpRequest, plan_id: Id, payload: PlanVersionIn) -> Any:
    return plan_out(
        services.plan_approve(acting_user=request.user, plan=_plan(request, plan_id), expected_version=payload.version)
    )


@router.post("/plans/{plan_id}/reject", response={200: PlanOut, **ERROR_RESPONSES}, summary="Reject with a reason")
def reject_plan(request: HttpRequest, plan_id: Id, payload: PlanRejectIn) -> Any:
    plan = services.plan_reject(
        acting_user=request.user, plan=_plan(request, plan_id), reason=payload.reason, expected_version=payload.version
    )
    return plan_out(plan)


@router.post(
    "/plans/{plan_id}/apply", response={200: PlanOut, **ERROR_RESPONSES}, summary="Apply an approved plan (idempotent)"
)
def apply_plan(request: HttpRequest, plan_id: Id) -> Any:
    return plan_out(services.plan_apply(acting_user=request.user, plan=_plan(request, plan_id)))


# --- loans ----------------------------------------------------------------------------------


class LoanIn(StrictIn):
    technician: Id
    to_unit: Id
    starts_on: Date
    ends_on: Date
    reason: str = Field(min_length=1, max_length=2000)


class DecideIn(StrictIn):
    approve: bool
    note: str = Field(default="", max_length=2000)


@router.post("/loans", response={201: LoanOut, **ERROR_RESPONSES}, summary="Ask another unit to lend a technician")
def request_loan(request: HttpRequest, payload: LoanIn) -> Any:
    def create() -> tuple[int, dict[str, Any]]:
        technician = (
            get_user_model().objects.filter(pk=payload.technician, is_active=True).select_related("profile").first()
        )
        if technician is None:
            raise ValidationError({"technician": _("Choose an active technician.")})
        unit = _unit(request, payload.to_unit)
        loan = services.loan_request(
            acting_user=request.user,
            technician=technician,
            to_unit=unit,
            starts_on=payload.starts_on,
            ends_on=payload.ends_on,
            reason=payload.reason,
        )
        return 201, loan_out(loan)

    return idempotent_create(request, "dispatch-loans", create)


@router.get("/loans", response={200: LoanListOut, **ERROR_RESPONSES}, summary="Loans from or to my units")
def list_loans(request: HttpRequest, filters: Query[PageQuery]) -> Any:
    return paginate(
        selectors.loans_visible_to(request.user), page=filters.page, page_size=filters.page_size, serialize=loan_out
    )


@router.post(
    "/loans/{loan_id}/decide", response={200: LoanOut, **ERROR_RESPONSES}, summary="Approve or reject (lending unit)"
)
def decide_loan(request: HttpRequest, loan_id: Id, payload: DecideIn) -> Any:
    loan = selectors.loans_visible_to(request.user).get(pk=loan_id)
    return loan_out(
        services.loan_decide(acting_user=request.user, loan=loan, approve=payload.approve, note=payload.note)
    )
