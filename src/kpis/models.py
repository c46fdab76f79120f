"""What the KPI engine cannot compute in SQL: the business time of a repair (SPEC §12 MTTR), in
the order's calendar with waiting excluded, stored once when the order first completes as done.
Every other figure is computed from the timeline by ``kpis.engine`` (ADR 0024)."""

from __future__ import annotations

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
