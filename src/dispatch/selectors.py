"""Reads for dispatch: one scoping function per model, technicians' shifts, the board."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Q, QuerySet

from core.scoping import ALL_UNITS, scope_by_unit, scope_by_unit_or_assignee, unit_ids_visible_to
from dispatch.choices import ACTIVE_APPOINTMENT_STATUSES, FIELD_SERVICE_TYPES, LoanStatus
from dispatch.geo import Point, approx_location
from dispatch.models import Appointment, DispatchPlan, TechnicianLoan, TechnicianProfile
from dispatch.policies import ShiftRules, Span, shift_on
from workcalendar.calendar import WorkingCalendar, make_calendar
from workorders.choices import Status
from workorders.models import WorkOrder
from workorders.selectors import workorders_visible_to

STANDARD_CALENDAR_CODE = "standard"
DISPATCHABLE_STATUSES = (Status.ACCEPTED, Status.APPROVED, Status.ASSIGNED, Status.SCHEDULED)
_FALLBACK_CALENDAR = make_calendar(
    code=STANDARD_CALENDAR_CODE,
    weekly_hours={day: [(time(9), time(18))] for day in range(5)},
    observes_holidays=False,
)


# --- scoping --------------------------------------------------------------------------------


def technician_profiles_visible_to(user: Any) -> QuerySet[TechnicianProfile]:
    profiles = TechnicianProfile.objects.select_related("user", "user__profile", "user__profile__unit", "calendar")
    return scope_by_unit(profiles, user, "user__profile__unit", "dispatch.view_technicianprofile")


def appointments_visible_to(user: Any) -> QuerySet[Appointment]:
    """Appointments of the orders' units the user sees, plus the user's own (a borrowed technician)."""
    return scope_by_unit_or_assignee(
        Appointment.objects.select_related("order", "order__customer", "technician"),
        user,
        field="order__unit_id",
        assignee_field="technician_id",
        permission="dispatch.view_appointment",
    )


def loans_visible_to(user: Any) -> QuerySet[TechnicianLoan]:
    """Loans from or to a unit the user sees (both sides need to see the request)."""
    loans = TechnicianLoan.objects.select_related("technician", "from_unit", "to_unit", "requested_by", "decided_by")
    if not user.has_perm("dispatch.view_technicianloan"):
        return loans.none()
    units = unit_ids_visible_to(user)
    if units is ALL_UNITS:
        return loans
    return loans.filter(Q(from_unit_id__in=units) | Q(to_unit_id__in=units))


def lendable_profiles(user: Any) -> QuerySet[TechnicianProfile]:
    """Technicians of units the user does not see, who may be asked for on loan: the directory a
    loan request picks from (name and unit only; their records stay with their own unit)."""
    profiles = TechnicianProfile.objects.filter(is_active=True, user__is_active=True).select_related(
        "user", "user__profile__unit"
    )
    if not user.has_perm("dispatch.add_technicianloan"):
        return profiles.none()
    units = unit_ids_visible_to(user)
    if units is ALL_UNITS:
        return profiles.order_by("user__profile__unit__code", "user__username")
    return profiles.exclude(user__profile__unit_id__in=units).order_by("user__profile__unit__code", "user__username")


def plans_visible_to(user: Any) -> QuerySet[DispatchPlan]:
    plans = DispatchPlan.objects.select_related("unit", "created_by", "approved_by")
    return scope_by_unit(plans, user, "unit", "dispatch.view_dispatchplan")


# --- time -----------------------------------------------------------------------------------


def local_tz() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=local_tz())


def at_local(day: date, moment: time) -> datetime:
    return datetime.combine(day, moment, tzinfo=local_tz())


# --- technicians ----------------------------------------------------------------------------


def profile_of(user: Any) -> TechnicianProfile | None:
    if user is None:
        return None
    return TechnicianProfile.objects.filter(user_id=user.pk).select_related("calendar").first()


def calendar_of(profile: TechnicianProfile) -> WorkingCalendar:
    from workcalendar.models import WorkCalendar
    from workcalendar.selectors import working_calendar

    code = profile.calendar.code if profile.calendar_id and profile.calendar else STANDARD_CALENDAR_CODE
    try:
        return working_calendar(code)
    except WorkCalendar.DoesNotExist:
        return _FALLBACK_CALENDAR


def shift_rules(profile: TechnicianProfile) -> ShiftRules:
    weekly: dict[int, list[Span]] = {}
    overrides: dict[date, list[Span]] = {}
    rows = profile.shifts.all()  # one query, or none when the caller prefetched ``shifts``
    for row in rows:
        if row.date is not None:
            spans = overrides.setdefault(row.date, [])
            if not row.is_day_off and row.starts_at and row.ends_at:
                spans.append((row.starts_at, row.ends_at))
        elif row.weekday is not None and not row.is_day_off and row.starts_at and row.ends_at:
            weekly.setdefault(row.weekday, []).append((row.starts_at, row.ends_at))
    return ShiftRules(weekly=weekly, overrides=overrides)


def technician_shift(profile: TechnicianProfile, day: date) -> Span | None:
    return shift_on(shift_rules(profile), calendar_of(profile), day)


def home_of(profile: TechnicianProfile) -> Point | None:
    if profile.home_lat is not None and profile.home_lon is not None:
        return (float(profile.home_lat), float(profile.home_lon))
    unit = profile.user.profile.unit if hasattr(profile.user, "profile") else None
    if unit is None:
        return None
    region = unit.regions.order_by("id").first()
    return approx_location(region.adcode_prefix) if region else None


def order_location(order: WorkOrder) -> Point | None:
    point = approx_location(getattr(order.customer, "adcode", ""))
    if point is None:
        region = order.unit.regions.order_by("id").first()
        point = approx_location(region.adcode_prefix) if region else None
    return point


def active_appointments(technician_id: int, day: date) -> QuerySet[Appointment]:
    return Appointment.objects.filter(technician_id=technician_id, date=day, status__in=ACTIVE_APPOINTMENT_STATUSES)


def jobs_on(technician_id: int, day: date) -> int:
    """Visits a technician has on a day: active appointments, plus orders scheduled that day without one."""
    booked = active_appointments(technician_id, day)
    scheduled = (
        WorkOrder.objects.filter(
            technician_id=technician_id,
            status__in=DISPATCHABLE_STATUSES,
            appointment_at__gte=day_start(day),
            appointment_at__lt=day_start(day + timedelta(days=1)),
        )
        .exclude(pk__in=booked.values("order_id"))
        .count()
    )
    return booked.count() + scheduled


def approved_loan_exists(technician_id: int, unit_id: int, days: list[date]) -> bool:
    """An approved loan of the technician to ``unit_id`` (or a unit above it) covering one of ``days``."""
    from core.models import OrgUnit

    parents = dict(OrgUnit.objects.values_list("id", "parent_id"))
    chain: list[int] = []
    current: int | None = unit_id
    while current is not None and current not in chain:
        chain.append(current)
        current = parents.get(current)
    span = Q()
    for day in days:
        span |= Q(starts_on__lte=day, ends_on__gte=day)
    return TechnicianLoan.objects.filter(
        span, technician_id=technician_id, to_unit_id__in=chain, status=LoanStatus.APPROVED
    ).exists()


def loaned_in_profiles(unit_id: int, day: date, until: date | None = None) -> QuerySet[TechnicianProfile]:
    """Technicians on an approved loan to the unit on ``day`` (or on any day up to ``until``)."""
    loans = TechnicianLoan.objects.filter(
        to_unit_id=unit_id, status=LoanStatus.APPROVED, starts_on__lte=until or day, ends_on__gte=day
    )
    return TechnicianProfile.objects.filter(user_id__in=loans.values("technician_id"), is_active=True).select_related(
        "user", "user__profile", "user__profile__unit", "calendar"
    )


def unit_profiles(unit_id: int) -> QuerySet[TechnicianProfile]:
    return TechnicianProfile.objects.filter(
        is_active=True, user__is_active=True, user__profile__unit_id=unit_id
    ).select_related("user", "user__profile", "user__profile__unit", "calendar")


def field_orders_open(unit_id: int) -> QuerySet[WorkOrder]:
    """Open field orders of the unit that may be dispatched (paid work only once its quote is approved)."""
    return (
        WorkOrder.objects.filter(
            unit_id=unit_id, status__in=DISPATCHABLE_STATUSES, service_type__in=FIELD_SERVICE_TYPES
        )
        .exclude(charge_type="undetermined")
        .exclude(charge_type="paid", quote_approved_at__isnull=True)
        .select_related("customer", "product_model", "device__product_model", "unit", "technician")
    )


# --- SLA deadlines (when the sla app has its tables) ----------------------------------------

_SLA_READY: dict[str, bool] = {}


def sla_deadlines(order_ids: list[int]) -> dict[int, datetime]:
    """The nearest SLA deadline of each order; empty until the sla app's table exists."""
    if not order_ids:
        return {}
    try:
        from sla.models import OrderServiceLevel
    except ImportError:  # pragma: no cover - the app is installed
        return {}
    if "ok" not in _SLA_READY:
        _SLA_READY["ok"] = OrderServiceLevel._meta.db_table in connection.introspection.table_names() and any(
            f.name == "nearest_deadline" for f in OrderServiceLevel._meta.get_fields()
        )
    if not _SLA_READY["ok"]:
        return {}
    rows = OrderServiceLevel.objects.filter(order_id__in=order_ids, nearest_deadline__isnull=False)
    return {order_id: at for order_id, at in rows.values_list("order_id", "nearest_deadline") if at is not None}


# --- the board ------------------------------------------------------------------------------


@dataclass
class BoardRow:
    profile: TechnicianProfile
    loaned: bool
    days: list[dict[str, Any]] = field(default_factory=list)  # per day: shift, appointments
    to_book: list[WorkOrder] = field(default_factory=list)  # assigned to them, no visit booked yet


@dataclass
class Board:
    unit: Any
    days: list[date]
    rows: list[BoardRow]
    unassigned: list[WorkOrder]
    deadlines: dict[int, datetime]


def board_units(user: Any) -> list[Any]:
    from core.models import OrgUnit

    units = unit_ids_visible_to(user)
    qs = OrgUnit.objects.filter(is_active=True)
    if units is not ALL_UNITS:
        qs = qs.filter(pk__in=units)
    return list(qs.order_by("code"))


def dispatch_board(*, user: Any, unit: Any, start: date, days: int = 1) -> Board:
    """Technicians of the unit (and those on loan to it) with their visits per day, and the
    unit's unassigned field orders with their SLA deadlines. ``unit`` must be visible to ``user``."""
    span = [start + timedelta(days=i) for i in range(days)]
    profiles = list(
        technician_profiles_visible_to(user)
        .filter(user__profile__unit_id=unit.pk, is_active=True)
        .prefetch_related("shifts")
    )
    own = {profile.pk for profile in profiles}
    loaned = [p for p in loaned_in_profiles(unit.pk, start, span[-1]).prefetch_related("shifts") if p.pk not in own]
    ids = [p.user_id for p in profiles + loaned]
    appointments: dict[tuple[int, date], list[Appointment]] = {}
    for appointment in (
        Appointment.objects.filter(technician_id__in=ids, date__in=span, status__in=ACTIVE_APPOINTMENT_STATUSES)
        .select_related("order", "order__customer")
        .order_by("window_start")
    ):
        appointments.setdefault((appointment.technician_id, appointment.date), []).append(appointment)
    # Orders assigned to these technicians without a booked visit: on their row until booked.
    to_book: dict[int, list[WorkOrder]] = {}
    for order in (
        workorders_visible_to(user)
        .filter(technician_id__in=ids, status__in=(Status.ASSIGNED, Status.SCHEDULED))
        .exclude(appointments__status__in=ACTIVE_APPOINTMENT_STATUSES)
        .select_related("customer")
        .order_by("priority", "submitted_at")[:200]
    ):
        to_book.setdefault(order.technician_id, []).append(order)  # type: ignore[arg-type]
    rows = []
    for profile in profiles + loaned:
        row = BoardRow(profile=profile, loaned=profile in loaned, to_book=to_book.get(profile.user_id, []))
        rules, calendar = shift_rules(profile), calendar_of(profile)
        for day in span:
            visits = appointments.get((profile.user_id, day), [])
            row.days.append(
                {"day": day, "shift": shift_on(rules, calendar, day), "visits": visits, "count": len(visits)}
            )
        rows.append(row)
    visible = workorders_visible_to(user).filter(unit_id=unit.pk)
    unassigned = list(
        visible.filter(
            status__in=DISPATCHABLE_STATUSES, technician__isnull=True, service_type__in=FIELD_SERVICE_TYPES
        ).order_by("priority", "submitted_at")[:200]
    )
    return Board(
        unit=unit,
        days=span,
        rows=rows,
        unassigned=unassigned,
        deadlines=sla_deadlines([o.pk for o in unassigned]),
    )
