"""Warranty policies (versioned by effective date), contracts, and the decisions recorded on orders."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from catalog.models import ProductCategory, ProductModel
from core.models import BaseModel
from customers.models import Customer
from devices.models import Device
from policies.choices import ContractKind, Coverage, StartBasis, StartFallback, WarrantyStatus

MONEY_DIGITS, MONEY_PLACES = 12, 2


def default_exclusions() -> list[str]:
    from policies.choices import EXCLUSION_ARTICLES

    return sorted(str(code) for code in EXCLUSION_ARTICLES)


class WarrantyPolicy(BaseModel):
    """One version of the 三包 / warranty terms of a category, a model, or the default (neither).

    Versioned by ``effective_from``: a change is a new row; old rows never change, so a decision
    recorded under a version can always be explained by it. Empty months take the product
    model's catalogue months (``ProductModel.warranty_months`` / ``main_parts_warranty_months``).
    """

    name = models.CharField(_("name"), max_length=100)
    category = models.ForeignKey(
        ProductCategory,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="warranty_policies",
    )
    product_model = models.ForeignKey(
        ProductModel,
        verbose_name=_("product model"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="warranty_policies",
    )
    effective_from = models.DateField(_("effective from"))
    revision = models.PositiveIntegerField(_("revision"), default=1, editable=False)
    unit_months = models.PositiveSmallIntegerField(
        _("whole unit (months)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(240)],
        help_text=_("Empty: the product model's catalogue months."),
    )
    parts_months = models.PositiveSmallIntegerField(
        _("listed parts (months)"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(240)],
        help_text=_("Main parts may be covered longer (notebooks: 24) or wearing parts shorter (batteries: 6)."),
    )
    parts = models.CharField(
        _("listed parts"), max_length=300, blank=True, help_text=_("Separated by commas, e.g. 主板, 硬盘.")
    )
    start_basis = models.CharField(
        _("period starts from"), max_length=16, choices=StartBasis.choices, default=StartBasis.INVOICE
    )
    start_fallback = models.CharField(
        _("without that date"), max_length=16, choices=StartFallback.choices, default=StartFallback.NEEDS_REVIEW
    )
    extend_for_repair_time = models.BooleanField(_("repair time extends the period (第八条)"), default=True)
    restart_on_exchange = models.BooleanField(_("an exchange restarts the period (第十四条)"), default=True)
    return_days = models.PositiveSmallIntegerField(
        _("return window (days, 第九条)"), default=7, validators=[MaxValueValidator(365)]
    )
    exchange_days = models.PositiveSmallIntegerField(
        _("exchange window (days, 第十条)"), default=15, validators=[MaxValueValidator(365)]
    )
    repeat_failure_threshold = models.PositiveSmallIntegerField(
        _("repairs before exchange or refund (第十一条)"), default=2, validators=[MinValueValidator(1)]
    )
    repeat_same_fault_consecutive = models.BooleanField(
        _("count only consecutive repairs of the same fault"), default=False
    )
    parts_wait_limit_days = models.PositiveSmallIntegerField(_("waiting for parts limit (days, 第十二条)"), default=90)
    repairer_fault_limit_days = models.PositiveSmallIntegerField(
        _("repairer's delay limit (days, 第十二条)"), default=30
    )
    depreciation_percent_per_day = models.DecimalField(
        _("depreciation per day (%, 第十三条)"),
        max_digits=6,
        decimal_places=3,
        default=Decimal("0.100"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    repair_warranty_days = models.PositiveSmallIntegerField(_("repair warranty (days, 第六条)"), default=30)
    parts_supply_years = models.PositiveSmallIntegerField(
        _("parts supply after production stops (years, 第七条)"), default=5
    )
    excluded_causes = models.JSONField(_("excluded fault causes"), default=default_exclusions, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("warranty policy")
        verbose_name_plural = _("warranty policies")
        ordering = ["category__code", "product_model__code", "-effective_from", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(category__isnull=True) | Q(product_model__isnull=True), name="policy_one_scope"
            ),
        ]
        indexes = [models.Index(fields=["category", "product_model", "effective_from"])]

    def __str__(self) -> str:
        return f"{self.name} r{self.revision} ({self.effective_from:%Y-%m-%d})"

    @property
    def scope_label(self) -> str:
        if self.product_model is not None:
            return str(_("Model %(code)s") % {"code": self.product_model.code})
        if self.category is not None:
            return str(_("Category %(name)s") % {"name": self.category.name})
        return str(_("Default (every product)"))

    @property
    def parts_list(self) -> tuple[str, ...]:
        return tuple(
            part.strip() for part in self.parts.replace("，", ",").replace("、", ",").split(",") if part.strip()
        )


class Contract(BaseModel):
    """A service contract: extended warranty, annual maintenance (维保) or a service package.

    It waives the named fee kinds for the covered devices (listed, or every device of the
    customer when none are listed) during its term.
    """

    number = models.CharField(_("contract number"), max_length=32, unique=True)
    kind = models.CharField(_("kind"), max_length=24, choices=ContractKind.choices)
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="contracts"
    )
    devices = models.ManyToManyField(
        Device,
        verbose_name=_("covered devices"),
        blank=True,
        related_name="contracts",
        help_text=_("None selected: every device of the customer."),
    )
    starts_on = models.DateField(_("term starts"))
    ends_on = models.DateField(_("term ends"))
    price = models.DecimalField(
        _("price"),
        max_digits=MONEY_DIGITS,
        decimal_places=MONEY_PLACES,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    waived_fee_kinds = models.JSONField(_("waived fee kinds"), default=list, blank=True)
    extends_months = models.PositiveSmallIntegerField(
        _("extends coverage (months)"), null=True, blank=True, validators=[MaxValueValidator(120)]
    )
    note = models.TextField(_("note"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-starts_on", "-id"]
        constraints = [models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="contract_term")]
        indexes = [models.Index(fields=["customer", "starts_on", "ends_on"])]

    def __str__(self) -> str:
        return f"{self.number} · {self.get_kind_display()}"

    @property
    def waived_fee_labels(self) -> str:
        """The waived fee kinds by name, in the fee order (codes are for the API)."""
        from core.choices import FeeKind

        return ", ".join(str(FeeKind(kind).label) for kind in self.waived_fee_kinds or [] if kind in FeeKind.values)


class WarrantyDecisionRecord(BaseModel):
    """A decision as it was made: its inputs, result and policy version. Never rewritten."""

    change_logged = False  # append-only: the row is its own record (who and when are on the order's timeline)

    order = models.ForeignKey(
        "workorders.WorkOrder", null=True, blank=True, on_delete=models.CASCADE, related_name="warranty_decisions"
    )
    device = models.ForeignKey(
        Device, null=True, blank=True, on_delete=models.PROTECT, related_name="warranty_decisions"
    )
    policy = models.ForeignKey(WarrantyPolicy, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    policy_revision = models.PositiveIntegerField(null=True, blank=True)
    trigger = models.CharField(_("trigger"), max_length=20)
    decided_on = models.DateField(_("decided for"))
    request = models.CharField(_("request"), max_length=12)
    fault_cause = models.CharField(_("fault cause"), max_length=24)
    status = models.CharField(_("status"), max_length=16, choices=WarrantyStatus.choices)
    coverage = models.CharField(_("coverage"), max_length=16, choices=Coverage.choices)
    result = models.JSONField(_("decision"))

    class Meta:
        verbose_name = _("warranty decision")
        verbose_name_plural = _("warranty decisions")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.trigger} {self.coverage}"
