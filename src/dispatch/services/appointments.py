"""Appointments: booking, rescheduling, cancelling, and the hook that keeps them true when the
order page schedules, reassigns or cancels."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.services import check_version, save_versioned
from dispatch.choices import ACTIVE_APPOINTMENT_STATUSES, AppointmentStatus
from dispatch.models import (
    Appointment,
    TechnicianProfile,
)
from dispatch.policies import window_fits_shift
from dispatch.selectors import (
    day_start,
    local_tz,
    profile_of,
    technician_shift,
)
from dispatch.services._common import CENT, DEFAULT_SERVICE_MINUTES, _hm, _name, _require, _required_reason
from dispatch.services.rules import qualification_refusal
from workorders.actions import workorder_assign, workorder_schedule
from workorders.choices import EventKind, Status
from workorders.models import WorkOrder
from workorders.selectors import workorders_visible_to
from workorders.services import workorder_record_event

# --- the order page's own assign / schedule / cancel (timeline hook) -------------------------


def _rekeyed(error: ValidationError, field: str) -> ValidationError:
    return ValidationError({field: error.messages})


def appointment_sync_on_event(order: WorkOrder, event: Any) -> None:
    """Keep appointments true when an order is scheduled, reassigned or cancelled outside this app
    (the work-order page's "Book appointment" and "Assign" actions, the transitions API).

    Registered as the ``dispatch.appointments`` event hook (workorders.hooks), so it runs inside the
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
