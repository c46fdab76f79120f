"""Statuses and codes of the dispatch app."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from workorders.choices import ServiceType


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    RESCHEDULED = "rescheduled", _("Rescheduled")
    CANCELLED = "cancelled", _("Cancelled")
    DONE = "done", _("Done")


#: Appointments that hold the technician's time (a cancelled or finished one does not).
ACTIVE_APPOINTMENT_STATUSES = frozenset({AppointmentStatus.BOOKED, AppointmentStatus.RESCHEDULED})


class LoanStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class PlanStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    APPLIED = "applied", _("Applied")


class PlanChangeKind(models.TextChoices):
    """How a route plan changes an order's current assignment (shown to the person who approves it)."""

    ASSIGNED = "assigned", _("Newly assigned")
    MOVED = "moved", _("Moved to another technician")
    RETIMED = "retimed", _("Time changed")
    DROPPED = "dropped", _("Left out of the plan")


class Weekday(models.IntegerChoices):
    MON = 0, _("Monday")
    TUE = 1, _("Tuesday")
    WED = 2, _("Wednesday")
    THU = 3, _("Thursday")
    FRI = 4, _("Friday")
    SAT = 5, _("Saturday")
    SUN = 6, _("Sunday")


#: Service types done at the customer's site (a visit to plan); the others are remote or desk work.
FIELD_SERVICE_TYPES = frozenset(
    {
        ServiceType.REPAIR,
        ServiceType.INSTALLATION,
        ServiceType.MAINTENANCE,
        ServiceType.INSPECTION,
        ServiceType.TRAINING,
    }
)
