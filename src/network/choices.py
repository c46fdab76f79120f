"""Choice sets of the service network (issue 12): a station's lifecycle, its actions, support."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class StationStatus(models.TextChoices):
    APPLYING = "applying", _("Applying")
    TRIAL = "on_trial", _("On trial")
    AUTHORISED = "authorised", _("Authorised")
    WARNED = "warned", _("Warned")
    SUSPENDED = "suspended", _("Suspended")
    TERMINATED = "terminated", _("Terminated")


class StationAction(models.TextChoices):
    START_TRIAL = "start_trial", _("Start the trial")
    AUTHORISE = "authorise", _("Authorise")
    WARN = "warn", _("Warn")
    SUSPEND = "suspend", _("Suspend")
    REINSTATE = "reinstate", _("Reinstate")
    TERMINATE = "terminate", _("Terminate")


class ThresholdDirection(models.TextChoices):
    AT_LEAST = "min", _("at least")
    AT_MOST = "max", _("at most")


class ProposalStatus(models.TextChoices):
    OPEN = "open", _("Awaiting the director")
    ACCEPTED = "accepted", _("Accepted (suspended)")
    DECLINED = "declined", _("Declined")


class SupportStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ANSWERED = "answered", _("Answered remotely")
    TEAM_SENT = "team_sent", _("Team sent")


class SupportReason(models.TextChoices):
    DIAGNOSIS = "diagnosis", _("Cannot find the cause of the fault")
    REPEAT = "repeat", _("Repeat failure")
    PARTS = "parts", _("Part or procedure question")
    SOFTWARE = "software", _("Software or firmware")
    OTHER = "other", _("Other")
