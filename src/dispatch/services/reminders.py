"""Appointment reminders queued the day before."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from dispatch.choices import ACTIVE_APPOINTMENT_STATUSES
from dispatch.models import (
    Appointment,
)
from dispatch.services._common import _name

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
