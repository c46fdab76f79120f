"""Codes of preventive maintenance (SPEC §10, §14.2)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PlanServiceType(models.TextChoices):
    """The work-order service types a plan creates (a subset of ``workorders.choices.ServiceType``)."""

    INSPECTION = "inspection", _("Inspection")
    MAINTENANCE = "maintenance", _("Maintenance")


class Schedule(models.TextChoices):
    FIXED = "fixed", _("Fixed (from the start date)")
    FLOATING = "floating", _("Floating (from the last completion)")


class NonWorkingDay(models.TextChoices):
    """What happens to a due date that is not a working day in the plan's work calendar."""

    EARLIER = "earlier", _("Move to the working day before")
    LATER = "later", _("Move to the working day after")
    KEEP = "keep", _("Keep the date")


class ItemKind(models.TextChoices):
    CHECK = "check", _("Check (ok / issue)")
    MEASURE = "measure", _("Measured value")


class Outcome(models.TextChoices):
    OK = "ok", _("OK")
    ISSUE = "issue", _("Problem found")
    MEASURED = "measured", _("Measured")
