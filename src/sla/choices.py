"""Codes of the service-level app with their labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Target(models.TextChoices):
    """The three commitments a service level can make (SPEC §6)."""

    RESPONSE = "response", _("First response")
    ARRIVAL = "arrival", _("On-site arrival")
    RESOLUTION = "resolution", _("Resolution")


class SlaStatus(models.TextChoices):
    """Status of one target, and of an order (its worst target)."""

    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    BREACHED = "breached", _("Breached")
    MET = "met", _("Met")
    STOPPED = "stopped", _("Stopped")


class ResolutionFrom(models.TextChoices):
    """Where the resolution clock starts: at the request, or at the on-site arrival (2 h + 3 h fix)."""

    REQUEST = "request", _("From the request")
    ARRIVAL = "arrival", _("From the on-site arrival")


class BackupUnitStatus(models.TextChoices):
    OPEN = "open", _("Open")
    LENT = "lent", _("Backup unit lent")
    NOT_NEEDED = "not_needed", _("Not needed")
