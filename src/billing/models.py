"""Fee schedules and parts price lists (versioned by effective date), purchasing quotes for
unlisted parts, quotes with their lines, and settlements with their receipts (SPEC §5)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from billing.choices import LineSource, PaymentMethod, PurchaseRequestStatus, QuoteStatus, RateUnit, SettlementStatus
from core.choices import FeeKind
from core.models import BaseModel
from workorders.models import WorkOrder


class FeeSchedule(BaseModel):
    """服务收费标准, one version per effective date ("每年根据实际情况会予以调整"). A version is
    never edited: a change is a new version, so a quote always shows the rates it was priced with."""

    effective_from = models.DateField(_("effective from"), unique=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("fee schedule")
        verbose_name_plural = _("fee schedules")
        ordering = ["-effective_from"]

    def __str__(self) -> str:
        return str(_("Fee schedule from %(date)s") % {"date": self.effective_from.isoformat()})


class FeeRate(BaseModel):
    schedule = models.ForeignKey(
        FeeSchedule, verbose_name=_("schedule"), on_delete=models.CASCADE, related_name="rates"
    )
    kind = models.CharField(_("fee"), max_length=16, choices=FeeKind.choices)
    unit = models.CharField(_("counted"), max_length=12, choices=RateUnit.choices)
    amount = models.DecimalField(
        _("rate"), null=True, blank=True, validators=[MinValueValidator(Decimal("0"))], max_digits=12, decimal_places=2
    )
    customer_may_provide = models.BooleanField(_("or provided by the customer"), default=False)
    remark = models.CharField(_("remark"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("fee rate")
        verbose_name_plural = _("fee rates")
        ordering = ["schedule", "id"]
        constraints = [models.UniqueConstraint(fields=["schedule", "kind"], name="billing_uniq_rate_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount if self.amount is not None else '—'}"


class PartPriceList(BaseModel):
    """附件2 零部件报价清单, one version per effective date."""

    effective_from = models.DateField(_("effective from"), unique=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("parts price list")
        verbose_name_plural = _("parts price lists")
        ordering = ["-effective_from"]

    def __str__(self) -> str:
        return str(_("Parts price list from %(date)s") % {"date": self.effective_from.isoformat()})


class PartPrice(BaseModel):
    """A part's price in one version of the list. The part is the catalogue's (parts.Part: one
    source of a part's code and name); code, name and unit are kept as the list printed them."""

    price_list = models.ForeignKey(
        PartPriceList, verbose_name=_("price list"), on_delete=models.CASCADE, related_name="prices"
    )
    part = models.ForeignKey("parts.Part", verbose_name=_("part"), on_delete=models.PROTECT, related_name="prices")
    code = models.CharField(_("part code"), max_length=64)
    name = models.CharField(_("name"), max_length=100)
    unit_of_measure = models.CharField(_("unit"), max_length=16, default="个")
    unit_price = models.DecimalField(
        _("unit price"), validators=[MinValueValidator(Decimal("0"))], max_digits=12, decimal_places=2
    )

    class Meta:
        verbose_name = _("part price")
        verbose_name_plural = _("part prices")
        ordering = ["price_list", "code"]
        constraints = [models.UniqueConstraint(fields=["price_list", "code"], name="billing_uniq_part_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class PurchaseQuoteRequest(BaseModel):
    """A part not on the price list: purchasing (the parts clerk) enters its price (附件2未包含的,
    由采购部门提供相关报价)."""

    order = models.ForeignKey(
        WorkOrder, verbose_name=_("order"), on_delete=models.PROTECT, related_name="purchase_requests"
    )
    description = models.CharField(_("part"), max_length=100)
    quantity = models.DecimalField(
        _("quantity"), validators=[MinValueValidator(Decimal("0.01"))], max_digits=10, decimal_places=2
    )
    status = models.CharField(
        _("status"), max_length=8, choices=PurchaseRequestStatus.choices, default=PurchaseRequestStatus.OPEN
    )
    unit_price = models.DecimalField(
        _("unit price"),
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        max_digits=12,
        decimal_places=2,
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    priced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("priced by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    priced_at = models.DateTimeField(_("priced at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("purchasing quote request")
        verbose_name_plural = _("purchasing quote requests")
        ordering = ["-created_at", "-id"]
        permissions = [("price_purchasequoterequest", _("Can price parts not on the price list"))]

    def __str__(self) -> str:
        return f"{self.order} · {self.description}"


class Quote(BaseModel):
    """One version of an order's quote. Its lines are stored as priced, so a later fee schedule
    never changes a quote already built or sent."""

    order = models.ForeignKey(WorkOrder, verbose_name=_("order"), on_delete=models.PROTECT, related_name="quotes")
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=12, choices=QuoteStatus.choices, default=QuoteStatus.DRAFT)
    schedule = models.ForeignKey(
        FeeSchedule, verbose_name=_("fee schedule"), null=True, blank=True, on_delete=models.PROTECT
    )
    price_list = models.ForeignKey(
        PartPriceList, verbose_name=_("parts price list"), null=True, blank=True, on_delete=models.PROTECT
    )
    subtotal = models.DecimalField(_("subtotal"), default=Decimal("0"), max_digits=12, decimal_places=2)
    waived = models.DecimalField(_("waived"), default=Decimal("0"), max_digits=12, decimal_places=2)
    total = models.DecimalField(_("total"), default=Decimal("0"), max_digits=12, decimal_places=2)
    inputs = models.JSONField(_("inputs"), default=dict, blank=True)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_via = models.CharField(_("decided via"), max_length=12, blank=True)  # "portal" | "phone"
    confirmed_by = models.CharField(_("confirmed by (customer side)"), max_length=64, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        ordering = ["order", "-number"]
        constraints = [models.UniqueConstraint(fields=["order", "number"], name="billing_uniq_quote_number")]

    def __str__(self) -> str:
        return f"{self.order} · {_('quote')} {self.number}"

    @property
    def is_complete(self) -> bool:
        """Every line has a price (no part still waits for purchasing)."""
        return all(line.amount is not None for line in self.lines.all())


class QuoteLine(models.Model):
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(_("fee"), max_length=16, choices=FeeKind.choices)
    description = models.CharField(_("description"), max_length=200)
    quantity = models.DecimalField(_("quantity"), max_digits=10, decimal_places=2)
    unit_price = models.DecimalField(_("unit price"), null=True, blank=True, max_digits=12, decimal_places=2)
    amount = models.DecimalField(_("amount"), null=True, blank=True, max_digits=12, decimal_places=2)
    source = models.CharField(_("source"), max_length=12, choices=LineSource.choices)
    provided_by_customer = models.BooleanField(_("provided by the customer"), default=False)
    is_waiver = models.BooleanField(_("waiver"), default=False)
    remark = models.CharField(_("remark"), max_length=300, blank=True)
    part_code = models.CharField(_("part code"), max_length=64, blank=True)
    purchase_request = models.ForeignKey(
        PurchaseQuoteRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("quote line")
        verbose_name_plural = _("quote lines")
        ordering = ["quote", "position"]

    def __str__(self) -> str:
        return self.description


class Settlement(BaseModel):
    """结算: the actual charge, the payment and its receiver, the receipt (收费单据); finance reviews."""

    order = models.ForeignKey(WorkOrder, verbose_name=_("order"), on_delete=models.PROTECT, related_name="settlements")
    quote = models.ForeignKey(
        Quote, verbose_name=_("quote"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    receipt_number = models.CharField(_("receipt number"), max_length=32, unique=True)
    actual_charge = models.DecimalField(
        _("actual charge"), validators=[MinValueValidator(Decimal("0"))], max_digits=12, decimal_places=2
    )
    payment_method = models.CharField(_("payment method"), max_length=16, choices=PaymentMethod.choices)
    amount_paid = models.DecimalField(
        _("amount paid"), validators=[MinValueValidator(Decimal("0"))], max_digits=12, decimal_places=2
    )
    paid_at = models.DateTimeField(_("paid at"))
    receiver = models.CharField(_("payment received by"), max_length=64)
    note = models.CharField(_("note"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=SettlementStatus.choices, default=SettlementStatus.RECORDED
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.CharField(_("review note"), max_length=300, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("settlement")
        verbose_name_plural = _("settlements")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "-created_at"])]
        permissions = [("review_settlement", _("Can review settlements (finance)"))]

    def __str__(self) -> str:
        return self.receipt_number
