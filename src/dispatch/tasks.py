"""Periodic dispatch work (huey). Thin and idempotent: the services decide, the dedupe keys
keep a re-run from sending twice."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from dispatch.services import appointment_reminders_enqueue


# huey's crontab is in UTC: 02:00 and 10:00 UTC are 10:00 and 18:00 China time.
@db_periodic_task(crontab(minute="0", hour="2,10"))
def remind_tomorrows_appointments() -> int:
    """Day-before reminders to customers (twice a day, so bookings made after the first run get one)."""
    return appointment_reminders_enqueue(day=timezone.localdate() + timedelta(days=1))
