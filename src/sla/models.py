"""Service levels (SPEC §6) and the clocks of each order."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.choices import choice_labels
from core.models import BaseModel, OrgUnit
from sla.choices import BackupUnitStatus, ResolutionFrom, SlaStatus
from workorders.choices import Priority, ServiceType, Urgency
from workorders.models import WorkOrder

POSITIVE = [MinValueValidator(Decimal("0.01"))]


def hours_field(label: Any, *, positive: bool = False) -> models.DecimalField:
    """Hours of business time (nullable: no target)."""
    return models.DecimalField(
        label, max_digits=7, decimal_places=2, null=True, blank=True, validators=POSITIVE if positive else []
    )


def hours_delta(hours: Decimal | None) -> timedelta | None:
    return None if hours is None else timedelta(seconds=float(hours) * 3600)


class ServiceLevel(BaseModel):
    """A commitment: which orders it covers, the calendar it counts in, and its targets in hours
    of that calendar. Seeds: reply in 24 h; urgent on site 24 h, others 48/72 h; 4 h + 24 h;
    2 h on site + 3 h fix else a backup unit; 7 working days; 7×24 remote centre; NBD / 4 h."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    rank = models.PositiveSmallIntegerField(
        _("rank"), default=100, help_text=_("When several levels apply, the lowest rank wins.")
    )
    service_types = models.JSONField(_("service types"), default=list, blank=True)
    urgencies = models.JSONField(_("urgencies"), default=list, blank=True)
    priorities = models.JSONField(_("priorities"), default=list, blank=True)
    customer_tags = models.JSONField(_("customer tags (contract / tier)"), default=list, blank=True)
    region_prefixes = models.JSONField(_("region codes"), default=list, blank=True)
    units = models.ManyToManyField(OrgUnit, verbose_name=_("units"), blank=True, related_name="+")
    calendar = models.ForeignKey(
        "workcalendar.WorkCalendar", verbose_name=_("calendar"), on_delete=models.PROTECT, related_name="+"
    )
    response_hours = hours_field(_("first response (hours)"), positive=True)
    arrival_hours = hours_field(_("on-site arrival (hours)"), positive=True)
    resolution_hours = hours_field(_("resolution (hours)"), positive=True)
    resolution_from = models.CharField(
        _("resolution counted"), max_length=12, choices=ResolutionFrom.choices, default=ResolutionFrom.REQUEST
    )
    at_risk_percent = models.PositiveSmallIntegerField(
        _("at risk after (percent of the target used)"),
        default=80,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
    )
    backup_unit_on_miss = models.BooleanField(_("lend a backup unit when the resolution is missed"), default=False)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("service level")
        verbose_name_plural = _("service levels")
        ordering = ["rank", "code"]

    def service_type_labels(self) -> list[str]:
        return choice_labels(ServiceType, self.service_types)

    def urgency_labels(self) -> list[str]:
        return choice_labels(Urgency, self.urgencies)

    def priority_labels(self) -> list[str]:
        return choice_labels(Priority, self.priorities)

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class OrderServiceLevel(BaseModel):
    """One order's clocks: the terms it got (a snapshot of its level), deadlines, met times and
    the stored, indexed status that lists filter and sort by. Derived from the timeline, so it is
    not change-logged (the timeline records every SLA event)."""

    change_logged = False

    order = models.OneToOneField(WorkOrder, on_delete=models.CASCADE, related_name="sla")
    level = models.ForeignKey(ServiceLevel, verbose_name=_("service level"), on_delete=models.PROTECT)
    calendar_code = models.CharField(_("calendar"), max_length=32)
    response_hours = hours_field(_("first response (hours)"))
    arrival_hours = hours_field(_("on-site arrival (hours)"))
    resolution_hours = hours_field(_("resolution (hours)"))
    resolution_from = models.CharField(max_length=12, choices=ResolutionFrom.choices, default=ResolutionFrom.REQUEST)
    at_risk_percent = models.PositiveSmallIntegerField(default=80)
    backup_unit_on_miss = models.BooleanField(default=False)
    reasons = models.JSONField(default=list, blank=True)

    response_due = models.DateTimeField(_("first response due"), null=True, blank=True)
    arrival_due = models.DateTimeField(_("on-site arrival due"), null=True, blank=True)
    resolution_due = models.DateTimeField(_("resolution due"), null=True, blank=True)
    response_met_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    arrival_met_at = models.DateTimeField(_("arrived at"), null=True, blank=True)
    resolution_met_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    at_risk_times = models.JSONField(default=dict, blank=True)  # target → ISO instant
    target_states = models.JSONField(default=dict, blank=True)  # target → SlaStatus
    status = models.CharField(_("SLA status"), max_length=10, choices=SlaStatus.choices, default=SlaStatus.ON_TRACK)
    nearest_deadline = models.DateTimeField(_("next deadline"), null=True, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True)
    paused_since = models.DateTimeField(_("paused since"), null=True, blank=True)
    paused_seconds = models.PositiveIntegerField(_("paused business time (s)"), default=0)
    computed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("order service level")
        verbose_name_plural = _("order service levels")
        indexes = [
            models.Index(fields=["status", "nearest_deadline"]),
            models.Index(fields=["nearest_deadline"]),
            models.Index(fields=["next_check_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.status}"

    def due(self, target: str) -> object:
        return getattr(self, f"{target}_due")


class BackupUnitTask(BaseModel):
    """备用机: the "2 h on site, 3 h fix" commitment lends an equal or better unit when the fix
    misses (seed 002). One task per order; the spare-unit pool (parts) fulfils it."""

    order = models.OneToOneField(
        WorkOrder, verbose_name=_("order"), on_delete=models.CASCADE, related_name="backup_unit_task"
    )
    level = models.ForeignKey(ServiceLevel, verbose_name=_("level"), on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(_("requested at"))
    status = models.CharField(
        _("status"), max_length=12, choices=BackupUnitStatus.choices, default=BackupUnitStatus.OPEN, db_index=True
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("backup unit task")
        verbose_name_plural = _("backup unit tasks")
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.order_id} {self.status}"
