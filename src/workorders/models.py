from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.models import ProductModel
from core.models import BaseModel, OrgUnit
from customers.models import Customer
from devices.models import Device
from workorders.choices import (
    AttachmentKind,
    Channel,
    ChargeType,
    CompletionStatus,
    EventKind,
    FaultCause,
    Priority,
    Satisfaction,
    ServiceType,
    Status,
    Urgency,
    WaitReason,
)

MONEY_DIGITS, MONEY_PLACES = 12, 2


class WorkOrder(BaseModel):
    """工单 / 服务申请维修单 (seed 000 附件3). Its status changes only through workorders.services."""

    number = models.CharField(_("number"), max_length=32, unique=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    service_type = models.CharField(_("service type"), max_length=24, choices=ServiceType.choices)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    urgency = models.CharField(_("urgency"), max_length=8, choices=Urgency.choices, default=Urgency.NORMAL)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority.choices, default=Priority.P3)

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="work_orders"
    )
    device = models.ForeignKey(
        Device, verbose_name=_("device"), null=True, blank=True, on_delete=models.PROTECT, related_name="work_orders"
    )
    product_model = models.ForeignKey(
        ProductModel, verbose_name=_("product model"), null=True, blank=True, on_delete=models.PROTECT
    )
    reported_serial = models.CharField(_("serial number (as reported)"), max_length=64, blank=True)
    applicant_unit = models.CharField(_("applicant unit"), max_length=100, blank=True)
    applicant_name = models.CharField(_("applicant"), max_length=64)
    contact_phone = models.CharField(_("contact phone"), max_length=32, db_index=True)
    service_address = models.CharField(_("service address"), max_length=200, blank=True)
    description = models.TextField(_("fault description / service content"))
    submitted_at = models.DateTimeField(_("time of request"), db_index=True)

    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("responsible department"), on_delete=models.PROTECT, related_name="work_orders"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filled in by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepting agent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("technician"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_work_orders",
    )
    appointment_at = models.DateTimeField(_("appointment"), null=True, blank=True)
    charge_type = models.CharField(
        _("paid or free"), max_length=16, choices=ChargeType.choices, default=ChargeType.UNDETERMINED
    )
    quoted_amount = models.DecimalField(
        _("quoted amount"), null=True, blank=True, max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES
    )
    quote_approved_at = models.DateTimeField(_("quote approved at"), null=True, blank=True)
    wait_reason = models.CharField(_("waiting for"), max_length=12, choices=WaitReason.choices, blank=True)
    fault_cause = models.CharField(
        _("fault cause"), max_length=24, choices=FaultCause.choices, default=FaultCause.UNKNOWN
    )
    diagnosis = models.TextField(_("diagnosis"), blank=True)

    completion_status = models.CharField(
        _("completion status"), max_length=12, choices=CompletionStatus.choices, blank=True, default=""
    )
    completed_at = models.DateTimeField(_("completion time"), null=True, blank=True)
    # 第六条: until when a return of the repaired unit reopens the order free of charge; stored
    # when the repair completes, so a later change of the device's terms does not shorten it.
    repair_warranty_ends_at = models.DateTimeField(_("repair warranty until"), null=True, blank=True)
    incomplete_reason = models.TextField(_("reason not completed / not returned"), blank=True)
    actual_charge = models.DecimalField(
        _("actual charge"), null=True, blank=True, max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES
    )
    payment_receiver = models.CharField(_("payment received by"), max_length=64, blank=True)
    technician_signature = models.CharField(_("technician signature"), max_length=64, blank=True)
    supervisor_signature = models.CharField(_("department head signature"), max_length=64, blank=True)
    applicant_signature = models.CharField(_("applicant signature"), max_length=64, blank=True)
    signed_off_at = models.DateTimeField(_("signed off at"), null=True, blank=True)
    satisfaction = models.CharField(_("rating"), max_length=12, choices=Satisfaction.choices, blank=True)
    satisfaction_score = models.PositiveSmallIntegerField(
        _("score"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    satisfaction_comment = models.TextField(_("rating comment"), blank=True)
    reject_reason = models.TextField(_("rejection reason"), blank=True)
    cancel_reason = models.TextField(_("cancellation reason"), blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reopened_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)

    version = models.PositiveIntegerField(_("version"), default=1)
    search_text = models.TextField(editable=False, default="")

    class Meta:
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["unit", "status", "-submitted_at"]),
            models.Index(fields=["status", "-submitted_at"]),
            models.Index(fields=["service_type", "-submitted_at"]),
            models.Index(fields=["technician", "status"]),
        ]
        permissions = [
            ("accept_workorder", _("Can accept work orders")),
            ("reject_workorder", _("Can reject work orders")),
            ("cancel_workorder", _("Can cancel work orders")),
            ("dispatch_workorder", _("Can assign and schedule work orders")),
            ("work_on_workorder", _("Can carry out work orders")),
            ("inspect_workorder", _("Can QC-inspect work orders")),
            ("follow_up_workorder", _("Can follow up work orders")),
            ("close_workorder", _("Can close work orders")),
            ("reopen_workorder", _("Can reopen work orders")),
            ("record_customer_action", _("Can record a customer's decision on their behalf")),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        from workorders.choices import OPEN_STATUSES

        return self.status in OPEN_STATUSES


class MaterialLine(BaseModel):
    """材料 line of the form: model, unit, quantity, unit price, extra, subtotal."""

    order = models.ForeignKey(WorkOrder, verbose_name=_("order"), on_delete=models.CASCADE, related_name="materials")
    name = models.CharField(_("material"), max_length=100)
    model = models.CharField(_("model"), max_length=64, blank=True)
    unit_of_measure = models.CharField(_("unit"), max_length=16, default="个")
    quantity = models.DecimalField(
        _("quantity"), max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    unit_price = models.DecimalField(
        _("unit price"),
        validators=[MinValueValidator(Decimal("0"))],
        max_digits=MONEY_DIGITS,
        decimal_places=MONEY_PLACES,
    )
    extra = models.DecimalField(
        _("extra"),
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        max_digits=MONEY_DIGITS,
        decimal_places=MONEY_PLACES,
    )

    class Meta:
        verbose_name = _("material line")
        verbose_name_plural = _("material lines")
        ordering = ["id"]

    @property
    def subtotal(self) -> Decimal:
        return (self.quantity * self.unit_price + self.extra).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


class TimelineEvent(models.Model):
    """One typed event on an order's timeline: who, when, what, before → after, note, parameters."""

    order = models.ForeignKey(WorkOrder, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=20, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(_("by"), max_length=64, blank=True)
    at = models.DateTimeField(_("time"), db_index=True)
    from_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Status.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["order", "at"])]

    def __str__(self) -> str:
        return f"{self.order_id} {self.kind}"


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"attachments/{instance.order.submitted_at:%Y/%m}/{instance.order.number}/{filename}"


class Attachment(BaseModel):
    order = models.ForeignKey(WorkOrder, verbose_name=_("order"), on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=12, choices=AttachmentKind.choices)
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(verbose_name=_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, blank=True, on_delete=models.PROTECT
    )

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name
