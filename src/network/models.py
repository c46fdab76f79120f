"""The service network (issue 12, first half): a station's record beside its ``core.OrgUnit``,
the lifecycle history, the monthly station scorecards with their warnings and suspension
proposals, and the technical-support escalations of work orders to HQ.

Coverage regions stay ``core.CoverageRegion`` and certified technicians stay ``dispatch``
certificates: the profile page shows them and copies nothing. Hourly labour rates belong to
``settlement`` (above this app)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.models import ProductCategory
from core.models import BaseModel, OrgUnit
from network.choices import ProposalStatus, StationStatus, SupportReason, SupportStatus, ThresholdDirection
from workorders.models import WorkOrder

USER = settings.AUTH_USER_MODEL


class StationProfile(BaseModel):
    unit = models.OneToOneField(
        OrgUnit,
        verbose_name=_("station"),
        on_delete=models.PROTECT,
        related_name="station_profile",
        limit_choices_to={"kind": "station"},
    )
    status = models.CharField(
        _("status"), max_length=16, choices=StationStatus.choices, default=StationStatus.APPLYING, db_index=True
    )
    legal_entity = models.CharField(_("legal entity"), max_length=200)
    licence_number = models.CharField(_("licence number"), max_length=64, blank=True)
    licence_expires_on = models.DateField(_("licence expires on"), null=True, blank=True)
    product_lines = models.ManyToManyField(
        ProductCategory, verbose_name=_("licensed product lines"), blank=True, related_name="+"
    )
    equipment = models.TextField(_("equipment"), blank=True)
    contact_name = models.CharField(_("contact person"), max_length=64, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=32, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contract_start = models.DateField(_("contract from"), null=True, blank=True)
    contract_end = models.DateField(_("contract until"), null=True, blank=True)
    contract_terms = models.TextField(_("contract terms"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("station record")
        verbose_name_plural = _("station records")
        ordering = ["unit__code"]
        permissions = [
            ("transition_stationprofile", _("Can change a station's lifecycle")),
            ("decide_suspension", _("Can decide suspension proposals")),
        ]

    def __str__(self) -> str:
        return str(self.unit)


class StationEvent(models.Model):
    """One lifecycle change: who, why, when (never edited)."""

    station = models.ForeignKey(StationProfile, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=16)
    from_status = models.CharField(_("from"), max_length=16, choices=StationStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=16, choices=StationStatus.choices)
    reason = models.TextField(_("reason"))
    by = models.ForeignKey(
        USER, verbose_name=_("by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), db_index=True)

    class Meta:
        verbose_name = _("station lifecycle event")
        verbose_name_plural = _("station lifecycle events")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.station_id} {self.from_status} → {self.to_status}"


class ScoreThreshold(BaseModel):
    """A figure's limit: a month below (or above) it raises a warning for the station."""

    figure = models.CharField(_("figure"), max_length=40, unique=True)
    direction = models.CharField(_("direction"), max_length=3, choices=ThresholdDirection.choices)
    limit = models.DecimalField(_("limit"), max_digits=10, decimal_places=4)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("scorecard threshold")
        verbose_name_plural = _("scorecard thresholds")
        ordering = ["figure"]

    def breached(self, value: Any) -> bool:
        if value is None:
            return False
        return bool(value < self.limit) if self.direction == ThresholdDirection.AT_LEAST else bool(value > self.limit)


class StationScorecard(BaseModel):
    station = models.ForeignKey(
        StationProfile, verbose_name=_("station"), on_delete=models.CASCADE, related_name="scorecards"
    )
    month = models.DateField(_("month"), db_index=True)  # the first day
    figures: Any = models.JSONField(_("figures"), default=dict)  # code -> {"value", "numerator", "denominator"}
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("station scorecard")
        verbose_name_plural = _("station scorecards")
        ordering = ["-month", "station__unit__code"]
        constraints = [models.UniqueConstraint(fields=["station", "month"], name="uniq_station_scorecard_month")]


class StationWarning(BaseModel):
    """A month whose scorecard broke one or more thresholds (at most one warning per month)."""

    station = models.ForeignKey(
        StationProfile, verbose_name=_("station"), on_delete=models.CASCADE, related_name="warnings"
    )
    month = models.DateField(_("month"))
    scorecard = models.ForeignKey(StationScorecard, on_delete=models.CASCADE, related_name="warnings")
    breaches: Any = models.JSONField(_("breaches"), default=list)  # [{"figure", "value", "limit", "direction"}]

    class Meta:
        verbose_name = _("station warning")
        verbose_name_plural = _("station warnings")
        ordering = ["-month"]
        constraints = [models.UniqueConstraint(fields=["station", "month"], name="uniq_station_warning_month")]


class SuspensionProposal(BaseModel):
    station = models.ForeignKey(
        StationProfile, verbose_name=_("station"), on_delete=models.CASCADE, related_name="proposals"
    )
    warnings = models.ManyToManyField(StationWarning, verbose_name=_("warnings"), related_name="+")
    status = models.CharField(_("status"), max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.OPEN)
    decided_by = models.ForeignKey(
        USER, verbose_name=_("decided by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("suspension proposal")
        verbose_name_plural = _("suspension proposals")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["station"], condition=models.Q(status="open"), name="uniq_open_suspension_proposal"
            )
        ]


class SupportRequest(BaseModel):
    """A station's escalation of a work order to HQ technical support (seed 000 4.2)."""

    station = models.ForeignKey(OrgUnit, verbose_name=_("station"), on_delete=models.PROTECT, related_name="+")
    order = models.ForeignKey(WorkOrder, verbose_name=_("work order"), on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=16, choices=SupportReason.choices)
    question = models.TextField(_("question"))
    status = models.CharField(
        _("status"), max_length=10, choices=SupportStatus.choices, default=SupportStatus.OPEN, db_index=True
    )
    answer = models.TextField(_("answer"), blank=True)
    team = models.CharField(_("team"), max_length=200, blank=True)
    team_visit_at = models.DateTimeField(_("team on site at"), null=True, blank=True)
    created_by = models.ForeignKey(USER, verbose_name=_("escalated by"), on_delete=models.PROTECT, related_name="+")
    handled_by = models.ForeignKey(
        USER, verbose_name=_("handled by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("support request")
        verbose_name_plural = _("support requests")
        ordering = ["-created_at"]
        permissions = [("answer_supportrequest", _("Can answer support requests or send a team"))]
