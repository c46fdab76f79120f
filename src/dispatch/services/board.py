"""The dispatch board's drag and drop: a visit dropped on a technician's lane at a time books,
moves or reassigns it through the same services as the picker, the appointment card and the API
(every check theirs: skills, certificates, shift, double booking, capacity, reasons)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import transaction

from dispatch.choices import ACTIVE_APPOINTMENT_STATUSES
from dispatch.models import Appointment
from dispatch.services._common import DEFAULT_SERVICE_MINUTES
from dispatch.services.appointments import (
    _visible_order,
    appointment_book,
    appointment_cancel,
    appointment_reschedule,
)
from workorders.models import WorkOrder


@transaction.atomic
def board_drop(
    *, acting_user: Any, order: WorkOrder, technician: Any, start: datetime, reason: str = ""
) -> Appointment:
    """Book ``order`` with ``technician`` from ``start`` (an order without a booked visit: 60
    minutes), or move its booked visit there, keeping the visit's length: on the same technician's
    lane through ``appointment_reschedule``; to another technician's lane by cancelling the visit
    and booking it anew with the same content, duration and fees through ``appointment_book``
    (which reassigns the order). Moves and reassignments need ``reason``. All or nothing."""
    order = _visible_order(acting_user, order)
    active = (
        Appointment.objects.filter(order=order, status__in=ACTIVE_APPOINTMENT_STATUSES)
        .order_by("-window_start", "-id")
        .first()
    )
    if active is None:
        return appointment_book(
            acting_user=acting_user,
            order=order,
            technician=technician,
            window_start=start,
            window_end=start + timedelta(minutes=DEFAULT_SERVICE_MINUTES),
            expected_minutes=DEFAULT_SERVICE_MINUTES,
            reason=reason,
        )
    length = max(active.window_end - active.window_start, timedelta(minutes=1))
    if active.technician_id == technician.pk:
        return appointment_reschedule(
            acting_user=acting_user,
            appointment=active,
            window_start=start,
            window_end=start + length,
            reason=reason,
            expected_version=active.version,
        )
    appointment_cancel(acting_user=acting_user, appointment=active, reason=reason, expected_version=active.version)
    return appointment_book(
        acting_user=acting_user,
        order=order,
        technician=technician,
        window_start=start,
        window_end=start + length,
        content=active.content,
        expected_minutes=active.expected_minutes,
        expected_fees=active.expected_fees,
        reason=reason,
    )
