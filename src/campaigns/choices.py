"""Choice sets of campaigns (SPEC §10, §14.2): software upgrades, recalls and retrofits."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CampaignKind(models.TextChoices):
    UPGRADE = "upgrade", _("Software upgrade")
    RECALL = "recall", _("Recall")
    RETROFIT = "retrofit", _("Retrofit")


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("campaign", "Draft")
    LAUNCHED = "launched", _("Launched")
    CLOSED = "closed", pgettext_lazy("campaign", "Closed")


class TargetStatus(models.TextChoices):
    """One device's part of a campaign. ``pending`` until its work order ends."""

    PENDING = "pending", pgettext_lazy("campaign device", "Pending")
    DONE = "done", pgettext_lazy("campaign device", "Done")
    FAILED = "failed", pgettext_lazy("campaign device", "Failed")
    UNREACHABLE = "unreachable", _("Unreachable")


#: The service type of the work order each kind creates: an upgrade is a software upgrade; a
#: recall or a retrofit starts with an inspection of the device on site.
SERVICE_TYPE_OF_KIND: dict[str, str] = {
    CampaignKind.UPGRADE: "software_upgrade",
    CampaignKind.RECALL: "inspection",
    CampaignKind.RETROFIT: "inspection",
}
