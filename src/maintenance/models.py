"""Preventive maintenance (SPEC §10): maintenance plans over devices (or every device of a
contract), the occurrences they generate — one row per plan, device and due date, unique in the
database so a generation never creates an order twice — checklist templates with measured items,
and the inspection results recorded on the technician's phone."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel, OrgUnit
from devices.models import Device
from maintenance.choices import ItemKind, NonWorkingDay, Outcome, PlanServiceType, Schedule
from policies.models import Contract
from workorders.models import WorkOrder

USER = settings.AUTH_USER_MODEL


class ChecklistTemplate(BaseModel):
    """The items a technician goes through on an inspection or maintenance visit (巡检表)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("checklist template")
        verbose_name_plural = _("checklist templates")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class ChecklistTemplateItem(BaseModel):
    """One item: a check (ok / issue) or a measured value with its unit and limits."""

    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(_("position"), default=100)
    label = models.CharField(_("item"), max_length=120)
    kind = models.CharField(_("kind"), max_length=12, choices=ItemKind.choices, default=ItemKind.CHECK)
    unit = models.CharField(_("unit of measure"), max_length=16, blank=True)
    lower_limit = models.DecimalField(_("lower limit"), max_digits=12, decimal_places=3, null=True, blank=True)
    upper_limit = models.DecimalField(_("upper limit"), max_digits=12, decimal_places=3, null=True, blank=True)

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["template_id", "position", "id"]

    def __str__(self) -> str:
        return self.label

    def limits_text(self) -> str:
        if self.lower_limit is None and self.upper_limit is None:
            return ""
        low = "" if self.lower_limit is None else f"{self.lower_limit.normalize():f}"
        high = "" if self.upper_limit is None else f"{self.upper_limit.normalize():f}"
        return f"{low}–{high} {self.unit}".strip()


class MaintenancePlan(BaseModel):
    """A maintenance or inspection plan (保养/巡检计划) over listed devices, or over every device of a
    contract (its listed devices, or every device of its customer when it lists none)."""

    name = models.CharField(_("name"), max_length=120)
    service_type = models.CharField(_("service type"), max_length=16, choices=PlanServiceType.choices)
    schedule = models.CharField(_("schedule"), max_length=12, choices=Schedule.choices, default=Schedule.FIXED)
    interval_months = models.PositiveSmallIntegerField(
        _("interval (months)"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(120)]
    )
    interval_days = models.PositiveSmallIntegerField(
        _("interval (days)"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(3660)]
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    horizon_days = models.PositiveSmallIntegerField(
        _("planning horizon (days)"),
        default=14,
        validators=[MaxValueValidator(366)],
        help_text=_("Work orders are created this many days before the due date."),
    )
    non_working = models.CharField(
        _("due on a non-working day"), max_length=12, choices=NonWorkingDay.choices, default=NonWorkingDay.EARLIER
    )
    calendar_code = models.CharField(_("work calendar"), max_length=32, default="standard")
    contract = models.ForeignKey(
        Contract,
        verbose_name=_("contract"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="maintenance_plans",
    )
    devices = models.ManyToManyField(Device, verbose_name=_("devices"), blank=True, related_name="maintenance_plans")
    checklist = models.ForeignKey(
        ChecklistTemplate,
        verbose_name=_("checklist"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plans",
    )
    unit = models.ForeignKey(OrgUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        USER, verbose_name=_("created by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("maintenance plan")
        verbose_name_plural = _("maintenance plans")
        ordering = ["-id"]
        permissions = [("generate_maintenanceplan", _("Can generate work orders from maintenance plans"))]
        constraints = [
            models.CheckConstraint(
                condition=(Q(interval_months__isnull=False, interval_months__gte=1) & Q(interval_days__isnull=True))
                | (Q(interval_days__isnull=False, interval_days__gte=1) & Q(interval_months__isnull=True)),
                name="maintenance_plan_one_interval",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")), name="maintenance_plan_term"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def interval_text(self) -> str:
        from django.utils.translation import gettext

        if self.interval_months:
            return gettext("every %(n)s months") % {"n": self.interval_months}
        return gettext("every %(n)s days") % {"n": self.interval_days}


class Occurrence(models.Model):
    """One due visit of one device under one plan, and the work order created for it. The unique
    (plan, device, due_on) is what makes generation happen once however often or concurrently it
    runs: a second insert fails on the constraint and creates nothing."""

    plan = models.ForeignKey(MaintenancePlan, on_delete=models.CASCADE, related_name="occurrences")
    device = models.ForeignKey(Device, verbose_name=_("device"), on_delete=models.PROTECT, related_name="+")
    sequence = models.PositiveIntegerField(_("occurrence"))
    due_on = models.DateField(_("due on"))
    planned_on = models.DateField(_("planned on"))
    work_order = models.OneToOneField(
        WorkOrder,
        verbose_name=_("work order"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="maintenance_occurrence",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("maintenance occurrence")
        verbose_name_plural = _("maintenance occurrences")
        ordering = ["due_on", "device_id"]
        constraints = [models.UniqueConstraint(fields=["plan", "device", "due_on"], name="uniq_maintenance_occurrence")]
        indexes = [models.Index(fields=["planned_on"]), models.Index(fields=["device", "due_on"])]

    def __str__(self) -> str:
        return f"{self.plan_id}:{self.device_id}@{self.due_on}"


class InspectionResult(BaseModel):
    """One checklist item as recorded on one work order: ok, an issue, or a measured value; the
    item's unit and limits are copied so a later edit of the template does not rewrite history."""

    order = models.ForeignKey(
        WorkOrder, verbose_name=_("work order"), on_delete=models.CASCADE, related_name="inspection_results"
    )
    item = models.ForeignKey(
        ChecklistTemplateItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="results"
    )
    outcome = models.CharField(_("result"), max_length=12, choices=Outcome.choices)
    value = models.DecimalField(_("measured value"), max_digits=12, decimal_places=3, null=True, blank=True)
    unit = models.CharField(_("unit of measure"), max_length=16, blank=True)
    lower_limit = models.DecimalField(_("lower limit"), max_digits=12, decimal_places=3, null=True, blank=True)
    upper_limit = models.DecimalField(_("upper limit"), max_digits=12, decimal_places=3, null=True, blank=True)
    out_of_limit = models.BooleanField(_("out of limits"), default=False)
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(
        USER, verbose_name=_("recorded by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("inspection result")
        verbose_name_plural = _("inspection results")
        ordering = ["item__position", "item_id"]
        constraints = [models.UniqueConstraint(fields=["order", "item"], name="uniq_inspection_result")]

    def __str__(self) -> str:
        return f"{self.order_id}:{self.item_id}"

    @property
    def value_text(self) -> str:
        if self.value is None:
            return ""
        return f"{Decimal(self.value).normalize():f} {self.unit}".strip()
