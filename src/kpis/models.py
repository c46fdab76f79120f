"""What the KPI engine cannot compute in SQL: the business time of a repair (SPEC §12 MTTR), in
the order's calendar with waiting excluded, stored once when the order first completes as done.
Every other figure is computed from the timeline by ``kpis.engine`` (ADR 0024)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from workorders.models import WorkOrder


class RepairTime(models.Model):
    """One order's time to repair at its first completion: from the first on-site arrival (or
    the acceptance, without a visit) to the resolution, in business seconds of its calendar,
    waiting excluded. Derived from the timeline, never edited (so not change-logged)."""

    order = models.OneToOneField(WorkOrder, on_delete=models.CASCADE, related_name="repair_time")
    started_at = models.DateTimeField(_("counted from"))
    resolved_at = models.DateTimeField(_("resolved at"), db_index=True)
    from_arrival = models.BooleanField(_("counted from the on-site arrival"), default=True)
    calendar_code = models.CharField(_("calendar"), max_length=32, blank=True)
    business_seconds = models.PositiveIntegerField(_("business time (s)"))
    waiting_seconds = models.PositiveIntegerField(_("waiting excluded (s)"), default=0)

    class Meta:
        verbose_name = _("repair time")
        verbose_name_plural = _("repair times")
        default_permissions = ("view",)
        permissions = [
            ("view_kpis", _("Can view KPIs of the units in sight")),
            ("view_own_kpis", _("Can view one's own KPIs")),
            ("export_kpis", _("Can export KPIs")),
        ]

    def __str__(self) -> str:
        return f"{self.order_id} {self.business_seconds}s"


class ScoreScheme(models.Model):
    """二级核算 scoring scheme (seed 000 第五篇 5.7.3) as data: per figure a weight, the value
    that earns full points (``target``) and the value that earns none (``floor``); points are
    linear in between. ``items``: ``[{"figure", "weight", "target", "floor"}]`` (figures of
    ``kpis.definitions``; for a figure where lower is better the floor lies above the target)."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    items = models.JSONField(_("items"), default=list)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("scoring scheme")
        verbose_name_plural = _("scoring schemes")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ScorecardStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    LOCKED = "locked", _("Locked")


class Scorecard(models.Model):
    """One month's score of a technician or a unit under a scheme: the figures it was made of
    (``lines``), computed by the monthly job on the 1st and locked by the director by the 5th;
    a locked card is never recomputed. Every month stays (history)."""

    scheme = models.ForeignKey(ScoreScheme, verbose_name=_("scheme"), on_delete=models.PROTECT)
    month = models.DateField(_("month"))  # the first day of the month
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("technician"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit = models.ForeignKey(
        "core.OrgUnit", verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2, null=True, blank=True)
    lines = models.JSONField(_("figures"), default=list)
    status = models.CharField(_("status"), max_length=8, choices=ScorecardStatus.choices, default=ScorecardStatus.DRAFT)
    computed_at = models.DateTimeField(_("computed at"))
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("locked by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    locked_at = models.DateTimeField(_("locked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")
        ordering = ["-month", "unit_id", "technician_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "month", "technician"],
                condition=models.Q(technician__isnull=False),
                name="kpis_scorecard_one_per_technician",
            ),
            models.UniqueConstraint(
                fields=["scheme", "month", "unit"],
                condition=models.Q(unit__isnull=False),
                name="kpis_scorecard_one_per_unit",
            ),
        ]
        permissions = [("lock_scorecard", _("Can review and lock scorecards"))]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.technician_id or self.unit_id} {self.score}"
