"""Writes for dispatch: technicians' setup, appointments, assignment, loans and route plans.

One function per business action, keyword-only, atomic. Order status changes only through
``workorders.services.workorder_transition`` (assign, schedule); appointments are recorded on the
order's timeline as ``EventKind.APPOINTMENT`` events with before → after.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import OrgUnit
from core.scoping import ALL_UNITS, unit_ids_visible_to
from core.services import check_version, lock_for_update, save_versioned
from dispatch import optimizer
from dispatch.choices import ACTIVE_APPOINTMENT_STATUSES, AppointmentStatus, LoanStatus, PlanStatus
from dispatch.geo import distance_km
from dispatch.models import (
    Appointment,
    Certificate,
    DispatchPlan,
    PlanVisit,
    Shift,
    TechnicianLoan,
    TechnicianProfile,
)
from dispatch.policies import AutoAssignDecision, CandidateFacts, auto_assign_decide, skill_refusal, window_fits_shift
from dispatch.selectors import (
    approved_loan_exists,
    at_local,
    day_start,
    field_orders_open,
    home_of,
    jobs_on,
    loaned_in_profiles,
    local_tz,
    order_location,
    profile_of,
    sla_deadlines,
    technician_shift,
    unit_profiles,
)
from workorders.actions import workorder_assign, workorder_schedule
from workorders.choices import EventKind, Status, Urgency
from workorders.models import WorkOrder
from workorders.selectors import technicians_for_order, workorders_visible_to
from workorders.services import workorder_record_event

logger = logging.getLogger(__name__)

CENT = Decimal("0.01")
MIN_TIME_LIMIT, MAX_TIME_LIMIT = 0.2, 30.0
DEFAULT_SERVICE_MINUTES = 60


def _require(user: Any, permission: str) -> None:
    if user is not None and not user.has_perm(permission):
        raise PermissionDenied(_("You may not do this."))


def _required_reason(reason: str, message: str) -> str:
    """The reason, trimmed: a change the customer or the technician will ask about must say why."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": message})
    return reason


def _name(user: Any) -> str:
    return str(user.get_full_name() or user.get_username())


def _hm(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%H:%M")


def _ensure_unit_visible(user: Any, unit_id: int, field: str) -> None:
    if user is None:
        return
    units = unit_ids_visible_to(user)
    if units is not ALL_UNITS and unit_id not in units:
        raise ValidationError({field: _("Unknown unit.")})


# --- technicians' setup ---------------------------------------------------------------------


@transaction.atomic
def technician_profile_save(
    *,
    acting_user: Any,
    user: Any,
    categories: list[Any] | None = None,
    service_types: list[str] | None = None,
    home_lat: Decimal | None = None,
    home_lon: Decimal | None = None,
    home_address: str | None = None,
    calendar: Any | None = None,
    daily_capacity: int | None = None,
    is_active: bool | None = None,
    expected_version: int | None = None,
) -> TechnicianProfile:
    """Create or update a technician's dispatch profile (skills, home base, calendar, capacity)."""
    profile = TechnicianProfile.objects.select_for_update().filter(user_id=user.pk).first()
    _require(acting_user, "dispatch.change_technicianprofile" if profile else "dispatch.add_technicianprofile")
    unit_profile = getattr(user, "profile", None)
    if unit_profile is None or not user.has_perm("workorders.work_on_workorder"):
        raise ValidationError({"user": _("Choose an active technician.")})
    _ensure_unit_visible(acting_user, unit_profile.unit_id, "user")
    creating = profile is None
    if profile is None:
        profile = TechnicianProfile(user=user)
    else:
        check_version(profile, expected_version)
    values = {
        "service_types": sorted(set(service_types)) if service_types is not None else None,
        "home_lat": home_lat,
        "home_lon": home_lon,
        "home_address": home_address,
        "calendar": calendar,
        "daily_capacity": daily_capacity,
        "is_active": is_active,
    }
    fields = [name for name, value in values.items() if value is not None]
    for name in fields:
        setattr(profile, name, values[name])
    profile.full_clean(exclude=["user", "categories"])
    if creating:
        profile.save()
    elif fields:
        save_versioned(profile, fields)
    if categories is not None:
        profile.categories.set(categories)
    return profile


@transaction.atomic
def technician_home_clear(*, acting_user: Any, profile: TechnicianProfile) -> TechnicianProfile:
    _require(acting_user, "dispatch.change_technicianprofile")
    profile.home_lat = profile.home_lon = None
    save_versioned(profile, ["home_lat", "home_lon"])
    return profile


@transaction.atomic
def technician_shifts_replace(
    *, acting_user: Any, profile: TechnicianProfile, weekly: dict[int, list[tuple[time, time]]]
) -> list[Shift]:
    """Replace the weekly shift rows (per-date overrides stay). An empty weekly set means the calendar's hours."""
    _require(acting_user, "dispatch.change_technicianprofile")
    rows = []
    for weekday, spans in sorted(weekly.items()):
        for start, end in spans:
            row = Shift(profile=profile, weekday=weekday, starts_at=start, ends_at=end)
            row.full_clean()
            rows.append(row)
    Shift.objects.filter(profile=profile, weekday__isnull=False).delete()
    for row in rows:
        row.save()
    return rows


@transaction.atomic
def shift_override_set(
    *,
    acting_user: Any,
    profile: TechnicianProfile,
    day: date,
    starts_at: time | None = None,
    ends_at: time | None = None,
    day_off: bool = False,
) -> Shift:
    """The technician's hours on one date (or a day off), replacing the week's and the calendar's."""
    _require(acting_user, "dispatch.change_technicianprofile")
    row = Shift(profile=profile, date=day, starts_at=starts_at, ends_at=ends_at, is_day_off=day_off)
    row.full_clean()
    Shift.objects.filter(profile=profile, date=day).delete()
    row.save()
    return row


@transaction.atomic
def certificate_add(
    *, acting_user: Any, profile: TechnicianProfile, name: str, number: str = "", expires_on: date | None = None
) -> Certificate:
    _require(acting_user, "dispatch.change_technicianprofile")
    certificate = Certificate(
        profile=profile, name=(name or "").strip(), number=(number or "").strip(), expires_on=expires_on
    )
    certificate.full_clean()
    certificate.save()
    return certificate


@transaction.atomic
def certificate_retire(*, acting_user: Any, certificate: Certificate) -> Certificate:
    _require(acting_user, "dispatch.change_technicianprofile")
    certificate.is_active = False
    certificate.save(update_fields=["is_active", "updated_at"])
    return certificate


# --- the rules the assign transition applies (registered as workorders hooks) -----------------


def _order_category(order: WorkOrder) -> Any | None:
    model = order.product_model or (order.device.product_model if order.device_id and order.device else None)
    return model.category if model is not None else None


def qualification_refusal(order: WorkOrder, profile: TechnicianProfile, *, on: date | None = None) -> str | None:
    """Skills (product line, service type), an expired certificate, or not available for dispatch."""
    name = _name(profile.user)
    if not profile.is_active:
        return _("%(name)s is not available for dispatch.") % {"name": name}
    category = _order_category(order)
    refusal = skill_refusal(
        category_id=category.pk if category is not None else None,
        category_name=category.name if category is not None else "",
        service_type=order.service_type,
        service_type_label=str(order.get_service_type_display()),
        technician_categories=set(profile.categories.values_list("pk", flat=True)),
        technician_service_types=profile.service_types or [],
        technician_name=name,
    )
    if refusal:
        return refusal
    today = on or timezone.localdate()
    expired = profile.certificates.filter(is_active=True, expires_on__lt=today).order_by("expires_on").first()
    if expired is not None:
        return _("%(name)s's certificate “%(certificate)s” expired on %(date)s.") % {
            "name": name,
            "certificate": expired.name,
            "date": expired.expires_on.isoformat() if expired.expires_on else "",
        }
    return None


def assignment_check(order: WorkOrder, technician: Any) -> str | None:
    """workorders' assign transition asks this: skills, certificates, and the shift of a booked time.

    A technician without a dispatch profile is not managed here (no checks)."""
    profile = profile_of(technician)
    if profile is None:
        return None
    refusal = qualification_refusal(order, profile)
    if refusal:
        return refusal
    if order.appointment_at is not None:
        moment = timezone.localtime(order.appointment_at, local_tz())
        shift = technician_shift(profile, moment.date())
        if shift is None or not shift[0] <= moment.time() <= shift[1]:
            return _("%(name)s is not on shift at the appointment (%(at)s).") % {
                "name": _name(technician),
                "at": moment.strftime("%Y-%m-%d %H:%M"),
            }
    return None


def loan_admission(order: WorkOrder, technician: Any) -> bool:
    """An approved loan of the technician to the order's unit (today, or on the appointment's day)."""
    days = [timezone.localdate()]
    if order.appointment_at is not None:
        days.append(timezone.localtime(order.appointment_at, local_tz()).date())
    return approved_loan_exists(technician.pk, order.unit_id, days)


# --- the order page's own assign / schedule / cancel (timeline hook) -------------------------


def _rekeyed(error: ValidationError, field: str) -> ValidationError:
    return ValidationError({field: error.messages})


def appointment_sync_on_event(order: WorkOrder, event: Any) -> None:
    """Keep appointments true when an order is scheduled, reassigned or cancelled outside this app
    (the work-order page's "Book appointment" and "Assign" actions, the transitions API).

    Registered as a ``workorders.hooks.on_timeline_event`` callback, so it runs inside the
    transition's transaction and a refusal (``ValidationError``) undoes the transition:

    * ``schedule``: the same rules as booking here (skills, the technician's shift, no double
      booking) for a technician dispatch manages; the order's appointment row is moved, or made
      (the default duration), so the board, "my jobs" and later bookings see the visit.
    * ``assign`` to another technician: a booked appointment goes with the order, if the new
      technician is free and on shift then.
    * ``cancel``: the order's appointments are cancelled, which frees the technician's time.
    """
    if event.kind not in {"schedule", "assign", "cancel"}:
        return
    active = (
        Appointment.objects.select_for_update()
        .filter(order_id=order.pk, status__in=ACTIVE_APPOINTMENT_STATUSES)
        .order_by("-window_start", "-id")
        .first()
    )
    if event.kind == "cancel":
        for appointment in Appointment.objects.filter(order_id=order.pk, status__in=ACTIVE_APPOINTMENT_STATUSES):
            appointment.status = AppointmentStatus.CANCELLED
            save_versioned(appointment, ["status"])
        return
    technician = order.technician
    if technician is None or profile_of(technician) is None:
        return  # not managed by dispatch (no skills or shifts to check)
    if event.kind == "assign":
        if active is None or active.technician_id == technician.pk:
            return
        try:
            _check_slot(
                order=order,
                technician=technician,
                start=timezone.localtime(active.window_start, local_tz()),
                end=timezone.localtime(active.window_end, local_tz()),
                exclude=active.pk,
            )
        except ValidationError as error:
            raise _rekeyed(error, "technician") from None
        active.technician = technician
        save_versioned(active, ["technician"])
        return
    if order.appointment_at is None:
        return
    if active is not None and active.technician_id == technician.pk and active.window_start == order.appointment_at:
        return  # the appointment already says so (booked or moved here, with its own checks)
    start = timezone.localtime(order.appointment_at, local_tz())
    minutes = active.expected_minutes if active is not None else DEFAULT_SERVICE_MINUTES
    end = min(start + timedelta(minutes=minutes), day_start(start.date() + timedelta(days=1)) - timedelta(minutes=1))
    try:
        _check_slot(order=order, technician=technician, start=start, end=end, exclude=active.pk if active else None)
    except ValidationError as error:
        raise _rekeyed(error, "appointment_at") from None
    if active is not None:
        active.window_start, active.window_end, active.date = start, end, start.date()
        active.status = AppointmentStatus.RESCHEDULED
        save_versioned(active, ["window_start", "window_end", "date", "status"])
        return
    appointment = Appointment(
        order=order,
        technician=technician,
        date=start.date(),
        window_start=start,
        window_end=end,
        content=(event.note or "")[:2000],
        expected_minutes=minutes,
        booked_by=event.actor,
    )
    appointment.full_clean()
    appointment.save()


# --- appointments ---------------------------------------------------------------------------


def _clean_window(start: datetime, end: datetime) -> tuple[datetime, datetime]:
    errors: dict[str, str] = {}
    for field, value in (("window_start", start), ("window_end", end)):
        if not isinstance(value, datetime):
            errors[field] = _("Enter a date and time in ISO 8601 with offset.")
    if errors:
        raise ValidationError(errors)
    tz = local_tz()
    start = timezone.make_aware(start, tz) if timezone.is_naive(start) else start.astimezone(tz)
    end = timezone.make_aware(end, tz) if timezone.is_naive(end) else end.astimezone(tz)
    if end <= start:
        raise ValidationError({"window_end": _("The window must end after it starts.")})
    if start.date() != end.date():
        raise ValidationError({"window_end": _("An appointment window lies within one day.")})
    return start, end


def _check_slot(
    *, order: WorkOrder, technician: Any, start: datetime, end: datetime, exclude: int | None = None
) -> TechnicianProfile:
    """The technician may take this window: qualified, on shift for the whole window, not double-booked.

    The profile row is locked, so two bookings for the same technician queue instead of both passing."""
    profile = TechnicianProfile.objects.select_for_update().filter(user_id=technician.pk).first()
    if profile is None:
        raise ValidationError({"technician": _("Set up this technician's skills and shifts before booking.")})
    refusal = qualification_refusal(order, profile, on=start.date())
    if refusal:
        raise ValidationError({"technician": refusal})
    shift = technician_shift(profile, start.date())
    if shift is None:
        raise ValidationError(
            {
                "window_start": _("%(name)s does not work on %(date)s (day off or holiday).")
                % {"name": _name(technician), "date": start.date().isoformat()}
            }
        )
    if not window_fits_shift(shift, start, end):
        raise ValidationError(
            {
                "window_start": _("The window %(start)s–%(end)s is outside %(name)s's shift %(from)s–%(until)s.")
                % {
                    "start": start.strftime("%H:%M"),
                    "end": end.strftime("%H:%M"),
                    "name": _name(technician),
                    "from": shift[0].strftime("%H:%M"),
                    "until": shift[1].strftime("%H:%M"),
                }
            }
        )
    clashes = Appointment.objects.filter(
        technician_id=technician.pk,
        status__in=ACTIVE_APPOINTMENT_STATUSES,
        window_start__lt=end,
        window_end__gt=start,
    ).select_related("order")
    if exclude is not None:
        clashes = clashes.exclude(pk=exclude)
    clash = clashes.first()
    if clash is not None:
        raise ValidationError(
            {
                "window_start": _("%(name)s is already booked %(start)s–%(end)s (%(order)s).")
                % {
                    "name": _name(technician),
                    "start": _hm(clash.window_start),
                    "end": _hm(clash.window_end),
                    "order": clash.order.number,
                }
            }
        )
    same_day = Appointment.objects.filter(
        technician_id=technician.pk, status__in=ACTIVE_APPOINTMENT_STATUSES, date=start.date()
    )
    if exclude is not None:
        same_day = same_day.exclude(pk=exclude)
    booked = same_day.count()
    if booked >= profile.daily_capacity:
        raise ValidationError(
            {
                "window_start": _("%(name)s already has %(count)s visits on %(date)s (daily capacity %(capacity)s).")
                % {
                    "name": _name(technician),
                    "count": booked,
                    "date": start.date().isoformat(),
                    "capacity": profile.daily_capacity,
                }
            }
        )
    return profile


def _appointment_data(appointment: Appointment) -> dict[str, Any]:
    return {
        "appointment": appointment.pk,
        "technician": {"id": appointment.technician_id, "name": _name(appointment.technician)},
        "window_start": timezone.localtime(appointment.window_start).isoformat(),
        "window_end": timezone.localtime(appointment.window_end).isoformat(),
        "expected_minutes": appointment.expected_minutes,
        "expected_fees": str(appointment.expected_fees),
    }


def _visible_order(acting_user: Any, order: WorkOrder) -> WorkOrder:
    query = WorkOrder.objects if acting_user is None else workorders_visible_to(acting_user)
    found = query.filter(pk=order.pk).first()
    if found is None:
        raise ValidationError({"order": _("Unknown work order.")})
    return found


@transaction.atomic
def appointment_book(
    *,
    acting_user: Any,
    order: WorkOrder,
    technician: Any,
    window_start: datetime,
    window_end: datetime,
    content: str = "",
    expected_minutes: int = DEFAULT_SERVICE_MINUTES,
    expected_fees: Decimal = Decimal("0"),
    reason: str = "",
) -> Appointment:
    """Book a visit with the customer: the technician is assigned (a reassignment needs ``reason``)
    and the order scheduled through the transitions, the booking recorded on the timeline."""
    _require(acting_user, "dispatch.add_appointment")
    order = _visible_order(acting_user, order)
    start, end = _clean_window(window_start, window_end)
    if Appointment.objects.filter(order=order, status__in=ACTIVE_APPOINTMENT_STATUSES).exists():
        raise ValidationError({"order": _("This order already has an appointment: reschedule it instead.")})
    if order.status not in {Status.ACCEPTED, Status.APPROVED, Status.ASSIGNED, Status.SCHEDULED}:
        raise ValidationError(
            {"order": _("An order that is %(status)s cannot be booked.") % {"status": order.get_status_display()}}
        )
    _check_slot(order=order, technician=technician, start=start, end=end)
    if order.technician_id != technician.pk:
        order = workorder_assign(order=order, acting_user=acting_user, technician=technician, reason=reason)
    # The visit is booked before the order is scheduled, so the schedule's hook finds it in place.
    appointment = Appointment(
        order=order,
        technician=technician,
        date=start.date(),
        window_start=start,
        window_end=end,
        content=(content or "").strip(),
        expected_minutes=expected_minutes,
        expected_fees=Decimal(expected_fees).quantize(CENT, rounding=ROUND_HALF_UP),
        booked_by=acting_user,
    )
    appointment.full_clean()
    appointment.save()
    order = workorder_schedule(order=order, acting_user=acting_user, appointment_at=start, note=content)
    appointment.order = order
    workorder_record_event(
        order=order,
        kind=EventKind.APPOINTMENT,
        acting_user=acting_user,
        note=appointment.content,
        data={"action": "book", **_appointment_data(appointment)},
    )
    return appointment


def _lock_appointment(appointment: Appointment, expected_version: int | None) -> Appointment:
    locked = Appointment.objects.select_for_update().select_related("order", "technician").get(pk=appointment.pk)
    check_version(locked, expected_version)
    if locked.status not in ACTIVE_APPOINTMENT_STATUSES:
        raise ValidationError(
            {"status": _("A %(status)s appointment cannot be changed.") % {"status": locked.get_status_display()}}
        )
    return locked


@transaction.atomic
def appointment_reschedule(
    *,
    acting_user: Any,
    appointment: Appointment,
    window_start: datetime,
    window_end: datetime,
    reason: str,
    expected_version: int | None = None,
) -> Appointment:
    """Move a booked visit (the customer asked, the technician is late…): the same checks as
    booking, the reason and before → after on the timeline, the order's appointment time updated."""
    _require(acting_user, "dispatch.change_appointment")
    reason = _required_reason(reason, _("Give a reason for rescheduling."))
    appointment = _lock_appointment(appointment, expected_version)
    _visible_order(acting_user, appointment.order)
    start, end = _clean_window(window_start, window_end)
    order = appointment.order
    if order.status not in {Status.ASSIGNED, Status.SCHEDULED}:
        raise ValidationError(
            {"order": _("An order that is %(status)s cannot be rescheduled.") % {"status": order.get_status_display()}}
        )
    _check_slot(order=order, technician=appointment.technician, start=start, end=end, exclude=appointment.pk)
    before = _appointment_data(appointment)
    appointment.window_start, appointment.window_end, appointment.date = start, end, start.date()
    appointment.status = AppointmentStatus.RESCHEDULED
    save_versioned(appointment, ["window_start", "window_end", "date", "status"])
    workorder_schedule(order=order, acting_user=acting_user, appointment_at=start, note=reason)
    workorder_record_event(
        order=order,
        kind=EventKind.APPOINTMENT,
        acting_user=acting_user,
        note=reason,
        data={"action": "reschedule", "before": before, "after": _appointment_data(appointment)},
    )
    return appointment


@transaction.atomic
def appointment_cancel(
    *, acting_user: Any, appointment: Appointment, reason: str, expected_version: int | None = None
) -> Appointment:
    """Cancel a booked visit (the order itself stays open; book another one)."""
    _require(acting_user, "dispatch.change_appointment")
    reason = _required_reason(reason, _("Give a reason for cancelling."))
    appointment = _lock_appointment(appointment, expected_version)
    _visible_order(acting_user, appointment.order)
    appointment.status = AppointmentStatus.CANCELLED
    save_versioned(appointment, ["status"])
    workorder_record_event(
        order=appointment.order,
        kind=EventKind.APPOINTMENT,
        acting_user=acting_user,
        note=reason,
        data={"action": "cancel", **_appointment_data(appointment)},
    )
    return appointment


# --- assignment -----------------------------------------------------------------------------


@transaction.atomic
def dispatch_assign(*, acting_user: Any, order: WorkOrder, technician: Any, reason: str = "") -> WorkOrder:
    """Assign (or reassign, with a reason) through the work order's ``assign`` transition."""
    return workorder_assign(order=order, acting_user=acting_user, technician=technician, reason=reason)


@dataclass
class AutoAssignResult:
    decision: AutoAssignDecision
    order: WorkOrder
    applied: bool


def _candidate_profiles(
    acting_user: Any, order: WorkOrder, day: date
) -> list[tuple[Any, TechnicianProfile | None, bool]]:
    users = list(technicians_for_order(acting_user, order)) if acting_user is not None else []
    profiles = {
        p.user_id: p for p in TechnicianProfile.objects.filter(user__in=users).select_related("user", "calendar")
    }
    result: list[tuple[Any, TechnicianProfile | None, bool]] = [(u, profiles.get(u.pk), False) for u in users]
    seen = {u.pk for u in users}
    for profile in loaned_in_profiles(order.unit_id, day):
        if profile.user_id not in seen:
            result.append((profile.user, profile, True))
    return result


@transaction.atomic
def auto_assign(
    *, acting_user: Any, order: WorkOrder, day: date | None = None, apply: bool = False
) -> AutoAssignResult:
    """Choose a technician by skill, region (distance from home base), workload (the day's jobs
    against capacity), calendar (a shift that day) and deadline; assign when ``apply``."""
    _require(acting_user, "workorders.dispatch_workorder")
    order = _visible_order(acting_user, order)
    day = day or (
        timezone.localtime(order.appointment_at, local_tz()).date() if order.appointment_at else timezone.localdate()
    )
    location = order_location(order)
    facts = []
    for user, profile, loaned in _candidate_profiles(acting_user, order, day):
        if profile is None:
            facts.append(
                CandidateFacts(user.pk, _name(user), _("no dispatch profile (skills unknown)"), False, None, 0, 0)
            )
            continue
        home = home_of(profile)
        facts.append(
            CandidateFacts(
                technician_id=user.pk,
                name=_name(user),
                refusal=qualification_refusal(order, profile, on=day),
                working=technician_shift(profile, day) is not None,
                distance_km=round(distance_km(home, location), 1) if home and location else None,
                jobs_today=jobs_on(user.pk, day),
                capacity=profile.daily_capacity,
                loaned=loaned,
            )
        )
    deadline = sla_deadlines([order.pk]).get(order.pk)
    soon = order.urgency != Urgency.NORMAL or (
        deadline is not None and deadline <= timezone.now() + timedelta(hours=24)
    )
    decision = auto_assign_decide(facts, deadline_soon=soon)
    applied = False
    if apply and decision.choice is not None and decision.choice != order.technician_id:
        from django.contrib.auth import get_user_model

        technician = get_user_model().objects.get(pk=decision.choice)
        order = dispatch_assign(
            acting_user=acting_user,
            order=order,
            technician=technician,
            reason=_("Auto-assign: %(reasons)s") % {"reasons": "; ".join(decision.reasons)},
        )
        applied = True
    return AutoAssignResult(decision=decision, order=order, applied=applied)


# --- loans ----------------------------------------------------------------------------------


@transaction.atomic
def loan_request(
    *, acting_user: Any, technician: Any, to_unit: OrgUnit, starts_on: date, ends_on: date, reason: str
) -> TechnicianLoan:
    """Ask another unit to lend one of its technicians to ``to_unit`` for some days."""
    _require(acting_user, "dispatch.add_technicianloan")
    _ensure_unit_visible(acting_user, to_unit.pk, "to_unit")
    profile = getattr(technician, "profile", None)
    if profile is None or not technician.has_perm("workorders.work_on_workorder"):
        raise ValidationError({"technician": _("Choose an active technician.")})
    if profile.unit_id == to_unit.pk:
        raise ValidationError({"technician": _("This technician already belongs to that unit.")})
    loan = TechnicianLoan(
        technician=technician,
        from_unit_id=profile.unit_id,
        to_unit=to_unit,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=(reason or "").strip(),
        requested_by=acting_user,
    )
    loan.full_clean()
    loan.save()
    return loan


@transaction.atomic
def loan_decide(*, acting_user: Any, loan: TechnicianLoan, approve: bool, note: str = "") -> TechnicianLoan:
    """Only the technician's own unit (a dispatcher or director there) approves or rejects lending them."""
    _require(acting_user, "dispatch.decide_technicianloan")
    loan = lock_for_update(loan)
    if loan.status != LoanStatus.REQUESTED:
        raise ValidationError({"status": _("This loan was already decided.")})
    own_unit = getattr(getattr(acting_user, "profile", None), "unit_id", None)
    if not acting_user.is_superuser and own_unit != loan.from_unit_id:
        raise PermissionDenied(
            _("Only the technician's own unit (%(unit)s) may decide on lending them.") % {"unit": loan.from_unit.name}
        )
    loan.status = LoanStatus.APPROVED if approve else LoanStatus.REJECTED
    loan.decided_by, loan.decided_at, loan.decision_note = acting_user, timezone.now(), (note or "").strip()
    loan.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "updated_at"])
    return loan


# --- plans ----------------------------------------------------------------------------------


def _drop_text(code: str, detail: str) -> str:
    """The reason an order was left out, in the user's language (dispatch.optimizer.DropCode + ours)."""
    texts = {
        "no_technicians": _("no technician is on shift"),
        "invalid_window": _("the appointment window ends before it starts"),
        "outside_shifts": _("the window is outside every shift"),
        "capacity": _("the technicians who could do it are fully booked"),
        "not_enough_time": _("not enough time in the day of the technicians who could do it"),
        "no_location": _("the customer's address has no known location"),
    }
    if code == "no_skill":
        if detail:
            return _("no technician on shift has the skill %(skill)s") % {"skill": _skill_label(detail)}
        return _("no technician on shift has all the skills")
    if code == "manual":
        return detail
    return str(texts.get(code, code))


def _minutes(day: date, moment: datetime) -> float:
    return (moment - day_start(day)).total_seconds() / 60


def _at(day: date, minutes: float) -> datetime:
    return day_start(day) + timedelta(minutes=round(minutes))


def _skill_label(skill: str) -> str:
    from catalog.models import ProductCategory
    from workorders.choices import ServiceType

    kind, _sep, value = skill.partition(":")
    if kind == "cat":
        category = ProductCategory.objects.filter(pk=value).first()
        return f"“{category.name}”" if category else skill
    if kind == "svc":
        return f"“{ServiceType(value).label}”" if value in ServiceType.values else skill
    if kind == "pin":
        return _("(the booked technician)")
    return skill


def _reasons_json(reasons: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"code": code, "detail": detail, "text": _drop_text(code, detail)} for code, detail in reasons]


def _technician_skills(profile: TechnicianProfile) -> frozenset[str]:
    skills = {f"cat:{pk}" for pk in profile.categories.values_list("pk", flat=True)}
    skills |= {f"svc:{code}" for code in profile.service_types or []}
    skills.add(f"pin:{profile.user_id}")
    return frozenset(skills)


def _order_skills(order: WorkOrder) -> set[str]:
    category = _order_category(order)
    skills = {f"svc:{order.service_type}"}
    if category is not None:
        skills.add(f"cat:{category.pk}")
    return skills


def _plan_inputs(
    unit: OrgUnit, day: date
) -> tuple[list[optimizer.Job], list[optimizer.Technician], dict[str, Any], list[dict[str, Any]]]:
    """The optimiser's jobs and technicians for a unit and a day, the JSON to keep with the plan,
    and the orders dropped before solving (no location)."""
    profiles = list(unit_profiles(unit.pk))
    profiles += [p for p in loaned_in_profiles(unit.pk, day) if p.pk not in {x.pk for x in profiles}]
    technicians: list[optimizer.Technician] = []
    tech_json: dict[str, Any] = {}
    off_shift: list[str] = []
    for profile in profiles:
        shift = technician_shift(profile, day)
        if shift is None:
            off_shift.append(_name(profile.user))
            continue
        home = home_of(profile) or (0.0, 0.0)
        start = shift[0].hour * 60 + shift[0].minute
        end = shift[1].hour * 60 + shift[1].minute + (1 if shift[1].second else 0)
        technicians.append(
            optimizer.Technician(
                id=str(profile.user_id),
                home=home,
                shift_start=start,
                shift_end=end,
                skills=_technician_skills(profile),
                capacity=profile.daily_capacity,
            )
        )
        tech_json[str(profile.user_id)] = {
            "name": _name(profile.user),
            "home": list(home),
            "shift_start": start,
            "shift_end": end,
            "skills": sorted(_technician_skills(profile)),
            "capacity": profile.daily_capacity,
        }
    orders = list(field_orders_open(unit.pk))
    booked = {
        a.order_id: a for a in Appointment.objects.filter(order__in=orders, status__in=ACTIVE_APPOINTMENT_STATUSES)
    }
    deadlines = sla_deadlines([o.pk for o in orders])
    jobs: list[optimizer.Job] = []
    job_json: dict[str, Any] = {}
    pre_dropped: list[dict[str, Any]] = []
    for order in orders:
        appointment = booked.get(order.pk)
        if appointment is not None and appointment.date != day:
            continue
        if (
            appointment is None
            and order.appointment_at
            and timezone.localtime(order.appointment_at, local_tz()).date() != day
        ):
            continue
        location = order_location(order)
        if location is None:
            pre_dropped.append(
                {"order": order.pk, "number": order.number, "reasons": _reasons_json([("no_location", "")])}
            )
            continue
        skills = _order_skills(order)
        if appointment is not None:
            window = (_minutes(day, appointment.window_start), _minutes(day, appointment.window_end))
            service = float(appointment.expected_minutes)
            skills.add(f"pin:{appointment.technician_id}")
        else:
            window, service = (0.0, 24 * 60.0), float(DEFAULT_SERVICE_MINUTES)
        deadline = deadlines.get(order.pk)
        deadline_minutes = (
            _minutes(day, deadline) if deadline is not None and deadline.astimezone(local_tz()).date() == day else None
        )
        job = optimizer.Job(
            id=str(order.pk),
            location=location,
            service_minutes=service,
            window_start=window[0],
            window_end=window[1],
            skills=frozenset(skills),
            priority=max(1, 5 - int(order.priority)),
            deadline=deadline_minutes,
        )
        jobs.append(job)
        job_json[str(order.pk)] = {
            "number": order.number,
            "location": list(location),
            "service_minutes": service,
            "window": list(window),
            "skills": sorted(skills),
            "priority": job.priority,
            "deadline": deadline_minutes,
            "appointment": appointment.pk if appointment else None,
        }
    summary = {"technicians": tech_json, "jobs": job_json, "off_shift": off_shift}
    return jobs, technicians, summary, pre_dropped


def _lock_plan(plan: DispatchPlan, expected_version: int | None = None) -> DispatchPlan:
    locked = DispatchPlan.objects.select_for_update().select_related("unit").get(pk=plan.pk)
    check_version(locked, expected_version)
    return locked


def _store_routes(plan: DispatchPlan, routes: dict[str, list[dict[str, Any]]]) -> None:
    PlanVisit.objects.filter(plan=plan).delete()
    visits = []
    for tech_id, stops in routes.items():
        for sequence, stop in enumerate(stops, start=1):
            visits.append(
                PlanVisit(
                    plan=plan,
                    order_id=int(stop["job"]),
                    technician_id=int(tech_id),
                    sequence=sequence,
                    arrival_at=_at(plan.day, stop["arrival"]),
                    start_at=_at(plan.day, stop["start"]),
                    finish_at=_at(plan.day, stop["finish"]),
                    travel_km=Decimal(str(stop["travel_km"])).quantize(CENT, rounding=ROUND_HALF_UP),
                    late_minutes=round(stop.get("late", 0)),
                )
            )
    PlanVisit.objects.bulk_create(visits)


@transaction.atomic
def plan_propose(*, acting_user: Any, unit: OrgUnit, day: date, time_limit: float = 2.0) -> DispatchPlan:
    """Ask the route planner for the unit's open field orders on ``day`` and keep its proposal.

    Booked appointments keep their window and technician; other orders may go to anyone with the
    skills. What cannot fit is kept with the reasons (see dispatch.optimizer.DropCode)."""
    _require(acting_user, "dispatch.add_dispatchplan")
    _ensure_unit_visible(acting_user, unit.pk, "unit")
    if not MIN_TIME_LIMIT <= time_limit <= MAX_TIME_LIMIT:
        raise ValidationError(
            {
                "time_limit": _("Choose a time limit from %(min)s to %(max)s seconds.")
                % {"min": MIN_TIME_LIMIT, "max": MAX_TIME_LIMIT}
            }
        )
    jobs, technicians, summary, dropped = _plan_inputs(unit, day)
    plan_result = optimizer.plan_routes(
        optimizer.PlanRequest(jobs=jobs, technicians=technicians, time_limit_seconds=time_limit, seed=0)
    )
    for item in plan_result.dropped:
        order_id = int(item.job_id)
        dropped.append(
            {
                "order": order_id,
                "number": summary["jobs"][item.job_id]["number"],
                "reasons": _reasons_json([(str(r.code), r.detail) for r in item.reasons]),
            }
        )
    summary.update(
        {
            "status": str(plan_result.status),
            "travel_km": plan_result.travel_km,
            "lateness_minutes": plan_result.lateness_minutes,
            "solve_seconds": plan_result.solve_seconds,
            "time_limit": time_limit,
        }
    )
    plan = DispatchPlan(unit=unit, day=day, created_by=acting_user, summary=summary, dropped=dropped)
    plan.full_clean()
    plan.save()
    routes = {
        route.technician_id: [
            {
                "job": v.job_id,
                "arrival": v.arrival,
                "start": v.start,
                "finish": v.finish,
                "travel_km": v.travel_km,
                "late": v.late_minutes,
            }
            for v in route.visits
        ]
        for route in plan_result.routes
        if route.visits
    }
    _store_routes(plan, routes)
    logger.info("dispatch plan %s for %s on %s: %s", plan.pk, unit.code, day, summary["status"])
    return plan


def _require_proposed(plan: DispatchPlan) -> None:
    if plan.status != PlanStatus.PROPOSED:
        raise ValidationError(
            {
                "status": _("Only a proposed plan can be changed; this one is %(status)s.")
                % {"status": plan.get_status_display()}
            }
        )


def _retime(plan: DispatchPlan, sequences: dict[str, list[str]]) -> dict[str, list[dict[str, Any]]]:
    """Times of edited routes (leave home at the shift start, start each visit at its window),
    checked by the optimiser's independent plan check; a violation refuses the edit."""
    jobs_json, techs_json = plan.summary.get("jobs", {}), plan.summary.get("technicians", {})
    jobs = {
        key: optimizer.Job(
            id=key,
            location=tuple(value["location"]),  # type: ignore[arg-type]
            service_minutes=value["service_minutes"],
            window_start=value["window"][0],
            window_end=value["window"][1],
            skills=frozenset(value["skills"]),
            priority=value["priority"],
            deadline=value.get("deadline"),
        )
        for key, value in jobs_json.items()
    }
    techs = {
        key: optimizer.Technician(
            id=key,
            home=tuple(value["home"]),  # type: ignore[arg-type]
            shift_start=value["shift_start"],
            shift_end=value["shift_end"],
            skills=frozenset(value["skills"]),
            capacity=value["capacity"],
        )
        for key, value in techs_json.items()
    }
    routes: dict[str, list[dict[str, Any]]] = {}
    plan_routes = []
    for tech_id, sequence in sequences.items():
        tech = techs[tech_id]
        now, here, stops, visits = tech.shift_start, tech.home, [], []
        for job_id in sequence:
            job = jobs[job_id]
            km = optimizer.haversine_km(here, job.location) * optimizer.ROAD_FACTOR
            arrival = now + km / tech.speed_kmh * 60
            start = max(arrival, job.window_start)
            finish = start + job.service_minutes
            late = max(0.0, finish - job.deadline) if job.deadline is not None else 0.0
            stops.append(
                {
                    "job": job_id,
                    "arrival": arrival,
                    "start": start,
                    "finish": finish,
                    "travel_km": round(km, 3),
                    "late": late,
                }
            )
            visits.append(optimizer.Visit(job_id, arrival, start, finish, round(km, 3), late))
            now, here = finish, job.location
        routes[tech_id] = stops
        plan_routes.append(optimizer.TechnicianRoute(tech_id, visits, None, None, 0.0, len(visits)))
    planned = {job_id for seq in sequences.values() for job_id in seq}
    request = optimizer.PlanRequest(
        jobs=[jobs[key] for key in jobs if key in planned],
        technicians=[techs[key] for key in sequences],
    )
    check = optimizer.Plan(plan_routes, [], 0.0, 0.0, 0.0, optimizer.PlanStatus.FEASIBLE)
    problems = optimizer.plan_violations(request, check)
    if problems:
        raise ValidationError(
            {"visits": _("The edited plan breaks a rule: %(problems)s") % {"problems": "; ".join(problems)}}
        )
    return routes


def _current_sequences(plan: DispatchPlan) -> dict[str, list[str]]:
    sequences: dict[str, list[str]] = {key: [] for key in plan.summary.get("technicians", {})}
    for visit in plan.visits.order_by("technician_id", "sequence"):
        sequences.setdefault(str(visit.technician_id), []).append(str(visit.order_id))
    return sequences


@transaction.atomic
def plan_visit_move(
    *,
    acting_user: Any,
    plan: DispatchPlan,
    order_id: int,
    technician_id: int,
    position: int,
    expected_version: int | None = None,
) -> DispatchPlan:
    """Move a visit (or a dropped order) to a technician's route at ``position`` (1-based)."""
    _require(acting_user, "dispatch.change_dispatchplan")
    plan = _lock_plan(plan, expected_version)
    _require_proposed(plan)
    key, tech_key = str(order_id), str(technician_id)
    if key not in plan.summary.get("jobs", {}):
        raise ValidationError({"order": _("This order is not part of the plan.")})
    if tech_key not in plan.summary.get("technicians", {}):
        raise ValidationError({"technician": _("This technician is not on shift in the plan.")})
    sequences = _current_sequences(plan)
    for sequence in sequences.values():
        if key in sequence:
            sequence.remove(key)
    target = sequences.setdefault(tech_key, [])
    target.insert(max(0, min(position - 1, len(target))), key)
    routes = _retime(plan, sequences)
    plan.dropped = [item for item in plan.dropped if str(item["order"]) != key]
    _store_routes(plan, routes)
    save_versioned(plan, ["dropped"])
    return plan


@transaction.atomic
def plan_visit_drop(
    *, acting_user: Any, plan: DispatchPlan, order_id: int, reason: str, expected_version: int | None = None
) -> DispatchPlan:
    """Take a visit out of the plan (it stays unassigned), with the reason."""
    _require(acting_user, "dispatch.change_dispatchplan")
    reason = _required_reason(reason, _("Give a reason for dropping the visit."))
    plan = _lock_plan(plan, expected_version)
    _require_proposed(plan)
    visit = plan.visits.filter(order_id=order_id).select_related("order").first()
    if visit is None:
        raise ValidationError({"order": _("This order is not planned.")})
    sequences = _current_sequences(plan)
    sequences[str(visit.technician_id)].remove(str(order_id))
    routes = _retime(plan, sequences)
    _store_routes(plan, routes)
    plan.dropped = [
        *plan.dropped,
        {"order": order_id, "number": visit.order.number, "reasons": _reasons_json([("manual", reason)])},
    ]
    save_versioned(plan, ["dropped"])
    return plan


@transaction.atomic
def plan_reject(
    *, acting_user: Any, plan: DispatchPlan, reason: str, expected_version: int | None = None
) -> DispatchPlan:
    _require(acting_user, "dispatch.change_dispatchplan")
    plan = _lock_plan(plan, expected_version)
    if plan.status not in {PlanStatus.PROPOSED, PlanStatus.APPROVED}:
        raise ValidationError({"status": _("This plan can no longer be rejected.")})
    reason = _required_reason(reason, _("Give a reason for rejecting the plan."))
    plan.status, plan.reject_reason, plan.decided_at = PlanStatus.REJECTED, reason, timezone.now()
    save_versioned(plan, ["status", "reject_reason", "decided_at"])
    return plan


@transaction.atomic
def plan_approve(*, acting_user: Any, plan: DispatchPlan, expected_version: int | None = None) -> DispatchPlan:
    """The director approves the plan (SPEC §7); applying it is a separate step."""
    _require(acting_user, "dispatch.approve_dispatchplan")
    plan = _lock_plan(plan, expected_version)
    _require_proposed(plan)
    if not plan.visits.exists():
        raise ValidationError({"visits": _("The plan has no visits to approve.")})
    plan.status, plan.approved_by, plan.decided_at = PlanStatus.APPROVED, acting_user, timezone.now()
    save_versioned(plan, ["status", "approved_by", "decided_at"])
    return plan


@transaction.atomic
def plan_apply(*, acting_user: Any, plan: DispatchPlan) -> DispatchPlan:
    """Assign and book every visit of an approved plan, all or nothing; applying again does nothing."""
    _require(acting_user, "dispatch.change_dispatchplan")
    plan = _lock_plan(plan)
    if plan.status == PlanStatus.APPLIED:
        return plan
    if plan.status != PlanStatus.APPROVED:
        raise ValidationError({"status": _("Only an approved plan can be applied.")})
    jobs = plan.summary.get("jobs", {})
    label = _("Dispatch plan %(id)s") % {"id": plan.pk}
    for visit in plan.visits.select_related("order", "technician").order_by("start_at"):
        order = visit.order
        booked = Appointment.objects.filter(order=order, status__in=ACTIVE_APPOINTMENT_STATUSES).first()
        try:
            if booked is not None:
                if booked.technician_id != visit.technician_id or booked.date != plan.day:
                    raise ValidationError({"order": _("The order's appointment changed since the plan was made.")})
                continue
            appointment_book(
                acting_user=acting_user,
                order=order,
                technician=visit.technician,
                window_start=visit.start_at,
                window_end=visit.start_at
                + timedelta(minutes=jobs.get(str(order.pk), {}).get("service_minutes", DEFAULT_SERVICE_MINUTES)),
                content=label,
                expected_minutes=int(jobs.get(str(order.pk), {}).get("service_minutes", DEFAULT_SERVICE_MINUTES)),
                reason=label,
            )
        except ValidationError as error:
            raise ValidationError({"visits": f"{order.number}: {'; '.join(error.messages)}"}) from error
    plan.status, plan.applied_at = PlanStatus.APPLIED, timezone.now()
    save_versioned(plan, ["status", "applied_at"])
    return plan


def unit_for_plans(acting_user: Any, unit_id: int | None) -> OrgUnit:
    """The unit a user plans for: the one asked (if visible); else their own when it has
    technicians, else the first unit they see that has some (a director at HQ lands on a centre's
    board, not an empty one)."""
    if unit_id is None:
        unit = getattr(getattr(acting_user, "profile", None), "unit", None)
        if unit is None:
            raise ValidationError({"unit": _("Unknown unit.")})
        staffed = TechnicianProfile.objects.filter(is_active=True, user__is_active=True)
        if staffed.filter(user__profile__unit=unit).exists():
            return unit
        visible = unit_ids_visible_to(acting_user)
        if visible is not ALL_UNITS:
            staffed = staffed.filter(user__profile__unit__in=visible)
        first = (
            OrgUnit.objects.filter(is_active=True, pk__in=staffed.values("user__profile__unit"))
            .order_by("code")
            .first()
        )
        return first or unit
    unit = OrgUnit.objects.filter(pk=unit_id, is_active=True).first()
    if unit is None:
        raise ValidationError({"unit": _("Unknown unit.")})
    _ensure_unit_visible(acting_user, unit.pk, "unit")
    return unit


def appointment_window(day: date, start: time, end: time) -> tuple[datetime, datetime]:
    return at_local(day, start), at_local(day, end)


def loan_admission_for_user(acting_user: Any, technician: Any) -> bool:
    """A technician of a unit the acting user does not see, on an approved loan to one they do."""
    from dispatch.models import TechnicianLoan

    loans = TechnicianLoan.objects.filter(
        technician_id=technician.pk, status=LoanStatus.APPROVED, ends_on__gte=timezone.localdate()
    )
    units = unit_ids_visible_to(acting_user)
    if units is not ALL_UNITS:
        loans = loans.filter(to_unit_id__in=units)
    return loans.exists()


def technician_for_dispatch(acting_user: Any, technician_id: int | None, *, field: str = "technician") -> Any:
    """A technician the user may pick (board, appointment card, API): one they see, or one on an
    approved loan to one of their units; otherwise a refusal naming ``field``."""
    from django.contrib.auth import get_user_model

    from workorders.selectors import technicians_visible_to

    technician = technicians_visible_to(acting_user).filter(pk=technician_id or 0).first()
    if technician is None:
        technician = (
            get_user_model().objects.filter(pk=technician_id or 0, is_active=True).select_related("profile").first()
        )
        if technician is None or not loan_admission_for_user(acting_user, technician):
            raise ValidationError({field: _("Choose an active technician.")})
    return technician


# --- reminders ------------------------------------------------------------------------------

REMINDER_TEMPLATE = "appointment_reminder"


def appointment_reminders_enqueue(*, day: date) -> int:
    """Queue the day-before reminder of every active appointment on ``day`` (through notify's
    outbox; the dedupe key makes a second run — or a retried task — queue nothing new). Returns
    the number of appointments a message was queued for (0 while no such template exists)."""
    from django.conf import settings

    from notify.recipients import Recipient
    from notify.services import notification_enqueue

    count = 0
    appointments = Appointment.objects.filter(date=day, status__in=ACTIVE_APPOINTMENT_STATUSES).select_related(
        "order", "order__customer", "technician"
    )
    for appointment in appointments:
        order = appointment.order
        with transaction.atomic():
            rows = notification_enqueue(
                template_key=REMINDER_TEMPLATE,
                recipient=Recipient.for_customer(order.customer),
                context={
                    "customer_name": order.customer.name,
                    "order_number": order.number,
                    "appointment_at": timezone.localtime(appointment.window_start).strftime("%Y-%m-%d %H:%M"),
                    "window_end": timezone.localtime(appointment.window_end).strftime("%H:%M"),
                    "technician": _name(appointment.technician),
                    "content": appointment.content,
                    "hotline": getattr(settings, "SERVICE_HOTLINE", ""),
                },
                order_id=order.pk,
                customer_id=order.customer_id,
                dedupe_key=f"appointment:{appointment.pk}:reminder:{appointment.window_start.isoformat()}",
            )
        count += 1 if rows else 0
    return count
