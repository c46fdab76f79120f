from __future__ import annotations

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from catalog.models import ProductModel
from core.models import BaseModel, OrgUnit
from customers.models import Customer


def new_qr_token() -> str:
    """The label's key to the 扫码报修 page: 128 random bits (22 characters; issue 10, point 6).
    Labels printed before carry 96-bit tokens (16 characters) and keep working."""
    return secrets.token_urlsafe(16)


class Device(BaseModel):
    """设备档案 / 服务卡: one sold unit. Its QR label opens the customer's request page for it."""

    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="devices")
    product_model = models.ForeignKey(
        ProductModel, verbose_name=_("product model"), on_delete=models.PROTECT, related_name="devices"
    )
    serial_number = models.CharField(_("serial number"), max_length=64)
    purchased_on = models.DateField(_("purchase date"), null=True, blank=True)
    installed_on = models.DateField(_("installation date"), null=True, blank=True)
    accepted_on = models.DateField(_("acceptance date"), null=True, blank=True)
    invoice_number = models.CharField(_("invoice number"), max_length=64, blank=True)
    firmware_version = models.CharField(_("software / firmware version"), max_length=64, blank=True)
    location = models.CharField(_("location"), max_length=200, blank=True)
    unit = models.ForeignKey(OrgUnit, verbose_name=_("serving unit"), on_delete=models.PROTECT, related_name="devices")
    qr_token = models.CharField(
        verbose_name=_("qr token"), max_length=32, unique=True, default=new_qr_token, editable=False
    )
    is_active = models.BooleanField(_("active"), default=True)
    search_text = models.TextField(editable=False, default="")
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["product_model", "serial_number"], name="uniq_serial_per_model"),
        ]
        # purchased_on: the care run's purchase-anniversary rule looks a day's dates up (followup.care).
        indexes = [
            models.Index(fields=["serial_number"]),
            models.Index(fields=["unit", "-id"]),
            models.Index(fields=["purchased_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.product_model.code} #{self.serial_number}"
