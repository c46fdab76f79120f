"""Campaigns (SPEC §10): a software upgrade, recall or retrofit over a population of devices.

The population is stored as the selection (product models, firmware below a version, serial
range, unit or region, installation dates) and, once resolved, as one ``CampaignTarget`` per
device — unique per campaign and device, and one work order per target at most: a launch or a
join run twice, or at once, never makes a second order for a device (database constraints)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from campaigns.choices import CampaignKind, CampaignStatus, TargetStatus
from catalog.models import ProductModel
from core.models import BaseModel, OrgUnit
from devices.models import Device
from workorders.models import WorkOrder

USER = settings.AUTH_USER_MODEL


class Campaign(BaseModel):
    code = models.CharField(_("campaign code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=CampaignKind.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT, db_index=True
    )
    description = models.TextField(_("instructions for the technician"), blank=True)
    due_on = models.DateField(_("due on"))
    # the selection
    product_models = models.ManyToManyField(ProductModel, verbose_name=_("product models"), related_name="+")
    firmware_below = models.CharField(_("firmware below"), max_length=64, blank=True)
    firmware_below_parts = models.JSONField(_("firmware bound (parts)"), default=list, blank=True, editable=False)
    firmware_to = models.CharField(_("new firmware version"), max_length=64, blank=True)
    serial_from = models.CharField(_("serial from"), max_length=64, blank=True)
    serial_to = models.CharField(_("serial to"), max_length=64, blank=True)
    unit = models.ForeignKey(
        OrgUnit,
        verbose_name=_("unit (and the units below it)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    region = models.CharField(_("region code"), max_length=6, blank=True)
    installed_from = models.DateField(_("installed from"), null=True, blank=True)
    installed_to = models.DateField(_("installed until"), null=True, blank=True)
    # who owns it
    owner_unit = models.ForeignKey(OrgUnit, verbose_name=_("run by"), on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        USER, verbose_name=_("created by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    launched_at = models.DateTimeField(_("launched at"), null=True, blank=True)
    launched_by = models.ForeignKey(
        USER, verbose_name=_("launched by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-created_at", "-id"]
        permissions = [("launch_campaign", _("Can launch campaigns and join devices"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(installed_to__isnull=True)
                | Q(installed_from__isnull=True)
                | Q(installed_to__gte=models.F("installed_from")),
                name="campaign_installed_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"


class CampaignTarget(BaseModel):
    """One device of a campaign, its work order and how it ended."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="targets")
    device = models.ForeignKey(Device, verbose_name=_("device"), on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(OrgUnit, verbose_name=_("serving unit"), on_delete=models.PROTECT, related_name="+")
    work_order = models.OneToOneField(
        WorkOrder,
        verbose_name=_("work order"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="campaign_target",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=TargetStatus.choices, default=TargetStatus.PENDING, db_index=True
    )
    firmware_before = models.CharField(_("firmware before"), max_length=64, blank=True)
    firmware_after = models.CharField(_("firmware after"), max_length=64, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    joined_late = models.BooleanField(_("joined after the launch"), default=False)

    class Meta:
        verbose_name = _("campaign device")
        verbose_name_plural = _("campaign devices")
        ordering = ["campaign", "id"]
        constraints = [models.UniqueConstraint(fields=["campaign", "device"], name="uniq_campaign_device")]
        indexes = [models.Index(fields=["campaign", "unit", "status"])]
        permissions = [("record_campaigntarget", _("Can record a campaign device's outcome"))]

    def __str__(self) -> str:
        return f"{self.campaign.code} · {self.device}"
