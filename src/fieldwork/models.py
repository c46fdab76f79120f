"""Field work at the customer's site (SPEC §3 processing, §7 technician page): check-in on arrival,
the visit code of conduct, repair plan and log, the customer's signature and the service report."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel
from fieldwork.choices import ChecklistState
from fieldwork.policies import checklist_item_state
from workorders.models import WorkOrder


class ChecklistItem(BaseModel):
    """One rule of the visit code of conduct (seed 003 篇2, 000 第二篇 6.4). The list is data:
    ready-made items come from ``fieldwork.reference``; admins rename, reorder or retire them."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    label = models.CharField(_("label (Chinese)"), max_length=120)
    label_en = models.CharField(_("label (English)"), max_length=120, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=100)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("visit checklist item")
        verbose_name_plural = _("visit checklist items")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.display_label

    @property
    def display_label(self) -> str:
        if (translation.get_language() or "").startswith("en") and self.label_en:
            return self.label_en
        return self.label


class VisitChecklist(BaseModel):
    """One item of the code of conduct on one order, in one of three states (``fieldwork.policies
    .checklist_item_state``): ticked; not done but explained (``reason``, issue 18 point 5: the
    technician says why, e.g. the customer was not at home to inspect the result); or open.
    ``checked_at``/``checked_by`` say who set the current state, and when."""

    order = models.ForeignKey(
        WorkOrder, verbose_name=_("order"), on_delete=models.CASCADE, related_name="checklist_marks"
    )
    item = models.ForeignKey(ChecklistItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="+")
    checked = models.BooleanField(_("done"), default=True)
    reason = models.CharField(_("reason not done"), max_length=200, blank=True)
    checked_at = models.DateTimeField(_("time"))
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("visit checklist")
        verbose_name_plural = _("visit checklists")
        ordering = ["item__position", "item_id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "item"], name="uniq_checklist_order_item"),
            # A ticked item needs no explanation: the reason belongs to an item that was not done.
            models.CheckConstraint(condition=models.Q(checked=False) | models.Q(reason=""), name="checklist_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.order_id}:{self.item_id}"

    @property
    def state(self) -> ChecklistState:
        return checklist_item_state(self)

    @property
    def state_label(self) -> str:
        return str(self.state.label)


class CheckIn(BaseModel):
    """Arrival on site. One per visit (``visit_key``: the appointment, or the n-th repair of the order);
    the arrival time is the timeline's ``check_in`` event and counts for the on-site target."""

    order = models.ForeignKey(WorkOrder, verbose_name=_("order"), on_delete=models.CASCADE, related_name="check_ins")
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("technician"), on_delete=models.PROTECT, related_name="+"
    )
    visit_key = models.CharField(_("visit"), max_length=32)
    at = models.DateTimeField(_("arrived at"))
    lat = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    lon = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )

    class Meta:
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        ordering = ["at", "id"]
        constraints = [models.UniqueConstraint(fields=["order", "visit_key"], name="uniq_checkin_order_visit")]

    def __str__(self) -> str:
        return f"{self.order_id} {self.at:%Y-%m-%d %H:%M}"


class RepairPlan(BaseModel):
    """维修方案: materials, manpower and the time estimate, edited by the technician (versioned)."""

    order = models.OneToOneField(
        WorkOrder, verbose_name=_("order"), on_delete=models.CASCADE, related_name="repair_plan"
    )
    materials = models.TextField(_("materials"), blank=True)
    people = models.PositiveSmallIntegerField(
        _("people"), default=1, validators=[MinValueValidator(1), MaxValueValidator(50)]
    )
    expected_minutes = models.PositiveIntegerField(
        _("expected time (minutes)"), validators=[MinValueValidator(1), MaxValueValidator(60 * 24 * 30)]
    )
    note = models.TextField(_("plan"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("repair plan")
        verbose_name_plural = _("repair plans")

    def __str__(self) -> str:
        return f"{self.order_id}"


class RepairLogEntry(BaseModel):
    """维修日志: what was done, when, by whom."""

    order = models.ForeignKey(WorkOrder, verbose_name=_("order"), on_delete=models.CASCADE, related_name="repair_log")
    text = models.TextField(_("work done"))
    at = models.DateTimeField(_("time"), db_index=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("repair log entry")
        verbose_name_plural = _("repair log")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.text[:40]


def signature_path(instance: CustomerSignature, filename: str) -> str:
    return f"signatures/{instance.order.submitted_at:%Y/%m}/{instance.order.number}/{filename}"


def report_path(instance: ServiceReport, filename: str) -> str:
    return f"service-reports/{instance.order.submitted_at:%Y/%m}/{filename}"


class CustomerSignature(BaseModel):
    """The customer's signature drawn on the technician's screen (a PNG with ink), then sign-off."""

    order = models.ForeignKey(WorkOrder, verbose_name=_("order"), on_delete=models.CASCADE, related_name="signatures")
    image = models.FileField(_("signature"), upload_to=signature_path, max_length=300)
    signer_name = models.CharField(_("signed by"), max_length=64)
    at = models.DateTimeField(_("signed at"))
    captured_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("captured by"), null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("customer signature")
        verbose_name_plural = _("customer signatures")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.order_id} {self.signer_name}"


class ServiceReport(BaseModel):
    """服务报告单: the PDF generated from the order; a later generation is a new row (history kept)."""

    order = models.ForeignKey(
        WorkOrder, verbose_name=_("order"), on_delete=models.CASCADE, related_name="service_reports"
    )
    number = models.CharField(_("number"), max_length=32, unique=True)
    file = models.FileField(_("file"), upload_to=report_path, max_length=300)
    generated_at = models.DateTimeField(_("generated at"))
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("generated by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("service report")
        verbose_name_plural = _("service reports")
        ordering = ["-generated_at", "-id"]

    def __str__(self) -> str:
        return self.number
