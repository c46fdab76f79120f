"""Reads for dispatch: one scoping function per model, technicians' shifts, the board."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Q, QuerySet

from core.choices import Role
from core.scoping import ALL_UNITS, scope_by_unit, scope_by_unit_or_assignee, unit_ids_visible_to
from dispatch import gantt
from dispatch.choices import ACTIVE_APPOINTMENT_STATUSES, FIELD_SERVICE_TYPES, AppointmentStatus, LoanStatus
from dispatch.gantt import Axis
from dispatch.geo import Point, approx_location
from dispatch.models import Appointment, DispatchPlan, TechnicianLoan, TechnicianProfile
from dispatch.policies import PlanChange, ShiftRules, Slot, Span, plan_changes, shift_on
from workcalendar.calendar import WorkingCalendar, make_calendar
from workorders.choices import EventKind, Status
from workorders.list_extensions import list_related, order_api_fields
from workorders.models import TimelineEvent, WorkOrder
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


def order_location(order: WorkOrder, unit_points: dict[int, Point | None] | None = None) -> Point | None:
    """The customer's district centroid, else the order's unit's first region's; ``unit_points``
    (a dict the caller keeps) reads each unit's region once for a whole list."""
    point = approx_location(getattr(order.customer, "adcode", ""))
    if point is None:
        if unit_points is not None and order.unit_id in unit_points:
            return unit_points[order.unit_id]
        region = order.unit.regions.order_by("id").first()
        point = approx_location(region.adcode_prefix) if region else None
        if unit_points is not None:
            unit_points[order.unit_id] = point
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
    from core.scoping import unit_ancestry

    chain = unit_ancestry(unit_id)
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


# --- where the technicians are today (their arrivals on site) -------------------------------


@dataclass(frozen=True)
class LastCheckIn:
    """A technician's latest arrival on site on a day: the timeline's ``check_in`` event (written
    by the field app when the technician checks in), where it was, and whether the visit goes on."""

    technician_id: int
    order: WorkOrder
    at: datetime
    point: Point | None  # the phone's position, else the customer's address, else unknown
    in_progress: bool  # the order is still being worked on by this technician
    expected_minutes: int | None  # the visit's booked duration, when an appointment says
    visits: int  # orders the technician arrived at that day (what they have done of their capacity)


def _check_ins_on(day: date, until: datetime) -> QuerySet[TimelineEvent]:
    end = min(until, day_start(day + timedelta(days=1)))
    return TimelineEvent.objects.filter(kind=EventKind.CHECK_IN, at__gte=day_start(day), at__lte=end)


def last_check_ins(technician_ids: list[int], day: date, until: datetime) -> dict[int, LastCheckIn]:
    """Each technician's latest arrival on ``day`` up to ``until`` (technicians without one are absent)."""
    events = list(
        _check_ins_on(day, until)
        .filter(actor_id__in=technician_ids)
        .select_related("order", "order__customer", "order__unit")
        .order_by("at", "id")
    )
    visits: dict[int, set[int]] = {}
    latest: dict[int, TimelineEvent] = {}
    for event in events:
        if event.actor_id is None:
            continue
        visits.setdefault(event.actor_id, set()).add(event.order_id)
        latest[event.actor_id] = event
    minutes = {
        (order_id, technician_id): expected
        for order_id, technician_id, expected in Appointment.objects.filter(
            order_id__in=[event.order_id for event in latest.values()], date=day
        )
        .exclude(status=AppointmentStatus.CANCELLED)
        .order_by("window_start", "id")
        .values_list("order_id", "technician_id", "expected_minutes")
    }
    found: dict[int, LastCheckIn] = {}
    for technician_id, event in latest.items():
        data = event.data or {}
        try:
            point: Point | None = (float(data["lat"]), float(data["lon"]))
        except (KeyError, TypeError, ValueError):
            point = order_location(event.order)
        order = event.order
        found[technician_id] = LastCheckIn(
            technician_id=technician_id,
            order=order,
            at=event.at,
            point=point,
            in_progress=order.status == Status.IN_PROGRESS and order.technician_id == technician_id,
            expected_minutes=minutes.get((order.pk, technician_id)),
            visits=len(visits[technician_id]),
        )
    return found


def orders_visited_on(order_ids: list[int], day: date, until: datetime) -> set[int]:
    """The orders someone arrived at on ``day`` (up to ``until``): that visit is done or going on."""
    return set(_check_ins_on(day, until).filter(order_id__in=order_ids).values_list("order_id", flat=True))


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
class BoardBar:
    """One booked visit on a technician's lane of the day: its window, the drive to it, its colours."""

    appointment: Appointment
    left: float  # percent of the axis
    width: float
    travel_left: float
    travel_width: float
    travel_minutes: int
    travel_km: float | None
    start_minute: int
    end_minute: int
    sla: str  # on_track / at_risk / breached / met / stopped, "" without a service level
    point: Point | None


@dataclass
class BoardRow:
    profile: TechnicianProfile
    loaned: bool
    days: list[dict[str, Any]] = field(default_factory=list)  # per day: shift, appointments
    to_book: list[WorkOrder] = field(default_factory=list)  # assigned to them, no visit booked yet
    bars: list[BoardBar] = field(default_factory=list)  # the day view's lane
    shift_left: float = 0.0
    shift_width: float = 0.0
    home: Point | None = None
    colour: str = ""


@dataclass
class Board:
    unit: Any
    days: list[date]
    rows: list[BoardRow]
    unassigned: list[WorkOrder]
    deadlines: dict[int, datetime]
    sla: dict[int, str] = field(default_factory=dict)  # order id → SLA state (via workorders.list_extensions)
    axis: Axis | None = None  # the day view's time axis
    map: dict[str, Any] | None = None  # the day view's plot of today's visits


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
        .select_related("order", "order__customer", "order__unit", *(f"order__{name}" for name in list_related()))
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
        visible.filter(status__in=DISPATCHABLE_STATUSES, technician__isnull=True, service_type__in=FIELD_SERVICE_TYPES)
        .select_related(
            "customer", "unit", "product_model__category", "device__product_model__category", *list_related()
        )
        .order_by("priority", "submitted_at")[:200]
    )
    board = Board(
        unit=unit,
        days=span,
        rows=rows,
        unassigned=unassigned,
        deadlines=sla_deadlines([o.pk for o in unassigned]),
        sla={order.pk: sla_state(order) for order in unassigned},
    )
    if days == 1:
        _lay_out_day(board, start)
    return board


# --- the day view: a time axis per technician, and a map of the day's visits -----------------

#: One colour per technician row (lane stripe, map markers and route), repeating after ten.
ROW_COLOURS = (
    "#0d6efd",
    "#198754",
    "#6f42c1",
    "#fd7e14",
    "#20c997",
    "#d63384",
    "#0dcaf0",
    "#6c757d",
    "#6610f2",
    "#b58100",
)
MAP_WIDTH, MAP_HEIGHT = 480, 320


def sla_state(order: WorkOrder) -> str:
    """The order's SLA clock state as the sla app offers it to lower apps (the ``deadlines`` field
    of ``workorders.list_extensions``, ADR 0016): "" when no service level applies."""
    deadlines = order_api_fields(order).get("deadlines")
    return str((deadlines or {}).get("status") or "") if isinstance(deadlines, dict) else ""


def _minute_of(moment: datetime) -> int:
    local = moment.astimezone(local_tz())
    return local.hour * 60 + local.minute


def _lay_out_day(board: Board, day: date) -> None:
    spans: list[tuple[int, int]] = []
    for row in board.rows:
        cell = row.days[0]
        if cell["shift"] is not None:
            start, end = cell["shift"]
            spans.append((start.hour * 60 + start.minute, end.hour * 60 + end.minute))
        for appointment in cell["visits"]:
            spans.append((_minute_of(appointment.window_start), _minute_of(appointment.window_end)))
    axis = board.axis = gantt.axis_for(spans)
    unit_points: dict[int, Point | None] = {}
    points: list[Point | None] = []
    kinds: list[tuple[str, int, Any]] = []  # ("home" | "visit" | "open", row index, object)
    for index, row in enumerate(board.rows):
        row.colour = ROW_COLOURS[index % len(ROW_COLOURS)]
        cell = row.days[0]
        if cell["shift"] is not None:
            start, end = cell["shift"]
            row.shift_left = axis.pct(start.hour * 60 + start.minute)
            row.shift_width = axis.width(start.hour * 60 + start.minute, end.hour * 60 + end.minute)
        row.home = home_of(row.profile)
        stops = [order_location(appointment.order, unit_points) for appointment in cell["visits"]]
        for appointment, stop, leg in zip(cell["visits"], stops, gantt.legs(row.home, stops), strict=True):
            begin, finish = _minute_of(appointment.window_start), _minute_of(appointment.window_end)
            row.bars.append(
                BoardBar(
                    appointment=appointment,
                    left=axis.pct(begin),
                    width=max(axis.width(begin, finish), 0.5),
                    travel_left=axis.pct(begin - leg.minutes),
                    travel_width=axis.width(begin - leg.minutes, begin),
                    travel_minutes=leg.minutes,
                    travel_km=leg.km,
                    start_minute=begin,
                    end_minute=finish,
                    sla=sla_state(appointment.order),
                    point=stop,
                )
            )
            board.sla[appointment.order_id] = row.bars[-1].sla
        points.append(row.home)
        kinds.append(("home", index, row.profile))
        for bar in row.bars:
            points.append(bar.point)
            kinds.append(("visit", index, bar))
    for order in board.unassigned[:100]:
        points.append(order_location(order, unit_points))
        kinds.append(("open", -1, order))
    plotted = gantt.plot(points, width=MAP_WIDTH, height=MAP_HEIGHT)
    homes: list[dict[str, Any]] = []
    visits: list[dict[str, Any]] = []
    waiting: list[dict[str, Any]] = []
    routes: dict[int, list[str]] = {}
    for (kind, index, item), xy in zip(kinds, plotted, strict=True):
        if xy is None:
            continue
        if kind == "home":
            homes.append({"x": xy.x, "y": xy.y, "left": xy.x - 5, "top": xy.y - 5, "row": board.rows[index]})
            routes.setdefault(index, []).append(f"{xy.x},{xy.y}")
        elif kind == "visit":
            visits.append({"x": xy.x, "y": xy.y, "row": board.rows[index], "bar": item})
            routes.setdefault(index, []).append(f"{xy.x},{xy.y}")
        else:
            waiting.append({"x": xy.x, "y": xy.y, "order": item, "sla": board.sla.get(item.pk, "")})
    board.map = {
        "width": MAP_WIDTH,
        "height": MAP_HEIGHT,
        "homes": homes,
        "visits": visits,
        "waiting": waiting,
        "routes": [
            {"colour": board.rows[index].colour, "points": " ".join(line)}
            for index, line in routes.items()
            if len(line) > 1
        ],
        "located": bool(visits or waiting),
    }


# --- a route plan's review: what it changes, who may approve it ------------------------------

APPROVE_PLAN_PERMISSION = "dispatch.approve_dispatchplan"


@dataclass(frozen=True)
class PlanChangeRow:
    """One change of :func:`dispatch.policies.plan_changes`, with the names a person reads."""

    change: PlanChange
    order: WorkOrder
    before_technician: str
    after_technician: str
    before_when: str  # "09:00–10:00", "12-16 09:00" on another day, "" without a time
    after_when: str
    reasons: list[str]  # why the plan leaves the order out (the plan's own reasons)


def _when(slot: Slot | None, day: date) -> str:
    if slot is None or slot.start is None:
        return ""
    start = slot.start.astimezone(local_tz())
    end = (slot.end or slot.start).astimezone(local_tz())
    text = start.strftime("%H:%M") if end == start else f"{start:%H:%M}–{end:%H:%M}"
    return text if start.date() == day else f"{start:%m-%d} {text}"


def current_slots(order_ids: list[int]) -> dict[int, Slot]:
    """The orders' assignment as it stands: the active appointment (its technician and window),
    else the order's own technician and appointment time."""
    slots: dict[int, Slot] = {}
    for order_id, technician_id, at in WorkOrder.objects.filter(pk__in=order_ids).values_list(
        "pk", "technician_id", "appointment_at"
    ):
        slots[order_id] = Slot(technician_id, at, at)
    for appointment in Appointment.objects.filter(
        order_id__in=order_ids, status__in=ACTIVE_APPOINTMENT_STATUSES
    ).order_by("window_start", "id"):
        slots[appointment.order_id] = Slot(appointment.technician_id, appointment.window_start, appointment.window_end)
    return slots


def plan_change_rows(plan: DispatchPlan) -> list[PlanChangeRow]:
    """What approving and applying ``plan`` would change against the orders' current assignment,
    worked out now (an edit of the plan or a booking since it was made shows at once)."""
    from django.contrib.auth import get_user_model

    visits = list(plan.visits.all())
    planned = {visit.order_id: Slot(visit.technician_id, visit.start_at, visit.finish_at) for visit in visits}
    from dispatch.services.plans import drop_reason_text

    reasons = {int(item["order"]): [drop_reason_text(r) for r in item.get("reasons", [])] for item in plan.dropped}
    order_ids = sorted({*planned, *reasons, *(int(key) for key in plan.summary.get("jobs", {}))})
    changes = plan_changes(current=current_slots(order_ids), planned=planned)
    orders = WorkOrder.objects.in_bulk([change.order_id for change in changes])
    people = {change.before.technician_id for change in changes if change.before.technician_id is not None} | {
        change.after.technician_id for change in changes if change.after and change.after.technician_id
    }
    names = {
        user.pk: str(user.get_full_name() or user.get_username())
        for user in get_user_model().objects.filter(pk__in=people)
    }
    return [
        PlanChangeRow(
            change=change,
            order=orders[change.order_id],
            before_technician=names.get(change.before.technician_id or 0, ""),
            after_technician=names.get(change.after.technician_id or 0, "") if change.after else "",
            before_when=_when(change.before, plan.day),
            after_when=_when(change.after, plan.day),
            reasons=reasons.get(change.order_id, []),
        )
        for change in changes
        if change.order_id in orders
    ]


@dataclass(frozen=True)
class PlanApprovers:
    roles: list[str]  # the roles that carry the approval permission (their labels)
    users: list[Any]  # the active users who may approve this plan (permission and unit)


def plan_approvers(plan: DispatchPlan, limit: int = 20) -> PlanApprovers:
    """Who may approve ``plan``: as ``plan_approve`` checks it, the approval permission (a role's
    or the user's own, or a superuser) and a unit that sees the plan's unit (the unit or one above it)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission

    app_label, codename = APPROVE_PLAN_PERMISSION.split(".")
    permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
    labels = dict(Role.choices)
    groups = Group.objects.filter(permissions=permission) if permission is not None else Group.objects.none()
    roles = [str(labels.get(name, name)) for name in groups.values_list("name", flat=True)]
    holders = (
        get_user_model()
        .objects.with_perm(APPROVE_PLAN_PERMISSION, is_active=True, include_superusers=True)
        .select_related("profile__unit")
        .order_by("first_name", "username")
    )
    users = []
    for user in holders:
        units = unit_ids_visible_to(user)  # the scoping plans_visible_to applies to the approver
        if units is ALL_UNITS or plan.unit_id in units:
            users.append(user)
    return PlanApprovers(roles=sorted(roles), users=users[:limit])
