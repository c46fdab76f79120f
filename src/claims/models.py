"""Claims (e.g. 假币赔付) and the checklist rule sets that decide them (SPEC §10, seed 004)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from claims.choices import ClaimOutcome, ClaimStatus, EvidenceKind, RuleKind
from claims.policies import RuleSetTerms, RuleTerm
from core.models import BaseModel, OrgUnit
from customers.models import Customer
from devices.models import Device
from workorders.models import WorkOrder

MONEY_DIGITS, MONEY_PLACES = 12, 2


class ClaimRuleSet(BaseModel):
    """One version of a rule set. A change is a new version (same code, version + 1); a claim
    keeps the version it was created under, so a change never rewrites a recorded decision."""

    code = models.CharField(_("code"), max_length=32)
    version = models.PositiveIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    effective_from = models.DateField(_("effective from"))
    payout_ratio = models.DecimalField(
        _("payout ratio"),
        max_digits=6,
        decimal_places=4,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("1 means 1:1 — the claimed amount is paid in full."),
    )
    max_amount = models.DecimalField(
        _("maximum payout"),
        max_digits=MONEY_DIGITS,
        decimal_places=MONEY_PLACES,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    required_documents = models.JSONField(_("documents required before payment"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("claim rule set")
        verbose_name_plural = _("claim rule sets")
        ordering = ["code", "-version"]
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="uniq_claim_rule_set_version")]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    def terms(self) -> RuleSetTerms:
        """The plain terms the pure evaluator reads (claims.policies)."""
        return RuleSetTerms(
            code=self.code,
            version=self.version,
            name=self.name,
            payout_ratio=self.payout_ratio,
            max_amount=self.max_amount,
            required_documents=tuple(self.required_documents or ()),
            rules=tuple(
                RuleTerm(
                    code=rule.code,
                    kind=rule.kind,
                    text_zh=rule.text_zh,
                    text_en=rule.text_en,
                    question=rule.question,
                    expected=tuple(rule.expected or ()),
                )
                for rule in self.rules.all()
            ),
        )


class ClaimRule(BaseModel):
    """One condition (1–4) or exclusion (a–g): its wording as data, the question it asks and the
    answers that satisfy it (a condition is met by them; an exclusion applies on them)."""

    rule_set = models.ForeignKey(
        ClaimRuleSet, verbose_name=_("rule set"), on_delete=models.CASCADE, related_name="rules"
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    kind = models.CharField(_("kind"), max_length=12, choices=RuleKind.choices)
    code = models.CharField(_("code"), max_length=8)
    text_zh = models.TextField(_("wording (Chinese)"))
    text_en = models.TextField(_("wording (English)"), blank=True)
    question = models.SlugField(_("question"), max_length=48)
    expected = models.JSONField(_("answers that satisfy the rule"), default=list)

    class Meta:
        verbose_name = _("claim rule")
        verbose_name_plural = _("claim rules")
        ordering = ["rule_set", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["rule_set", "code"], name="uniq_claim_rule_code")]

    def __str__(self) -> str:
        return f"{self.code} · {self.text_zh[:40]}"


class Claim(BaseModel):
    """A customer's claim (e.g. a counterfeit note the sorter let through), decided by a rule set."""

    number = models.CharField(_("number"), max_length=32, unique=True)
    rule_set = models.ForeignKey(
        ClaimRuleSet, verbose_name=_("rule set"), on_delete=models.PROTECT, related_name="claims"
    )
    work_order = models.ForeignKey(
        WorkOrder, verbose_name=_("work order"), null=True, blank=True, on_delete=models.PROTECT, related_name="claims"
    )
    customer = models.ForeignKey(Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="claims")
    device = models.ForeignKey(
        Device, verbose_name=_("device"), null=True, blank=True, on_delete=models.PROTECT, related_name="claims"
    )
    unit = models.ForeignKey(OrgUnit, verbose_name=_("serving unit"), on_delete=models.PROTECT, related_name="claims")
    description = models.TextField(_("description"), blank=True)
    claimed_amount = models.DecimalField(
        _("amount claimed"),
        max_digits=MONEY_DIGITS,
        decimal_places=MONEY_PLACES,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    answers = models.JSONField(_("facts recorded on site"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=ClaimStatus.choices, default=ClaimStatus.DRAFT)
    outcome = models.CharField(_("outcome"), max_length=16, choices=ClaimOutcome.choices, blank=True)
    decision = models.JSONField(_("decision"), default=dict, blank=True)
    payable_amount = models.DecimalField(
        _("payable amount"), max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES, null=True, blank=True
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    slip_reviewed_at = models.DateTimeField(_("slip reviewed at"), null=True, blank=True)
    slip_reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("slip reviewed by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("paid by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    payment_reference = models.CharField(_("payment reference"), max_length=64, blank=True)
    reject_reason = models.TextField(_("rejection reason"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("claim")
        verbose_name_plural = _("claims")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["unit", "status", "-created_at"]),
            models.Index(fields=["status", "-created_at"]),
        ]
        permissions = [
            ("decide_claim", _("Can decide claims")),
            ("review_claim", _("Can review a claim's bank slip")),
            ("approve_claim", _("Can approve claims for payment")),
            ("pay_claim", _("Can mark claims paid")),
            ("reject_claim", _("Can reject claims")),
        ]

    def __str__(self) -> str:
        return self.number


def evidence_path(instance: ClaimEvidence, filename: str) -> str:
    return f"claims/{instance.claim.created_at:%Y/%m}/{instance.claim.number}/{filename}"


class ClaimEvidence(BaseModel):
    """A document behind a claim; the bank's 假币鉴别单 must be here before its review."""

    claim = models.ForeignKey(Claim, verbose_name=_("claim"), on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(_("kind"), max_length=16, choices=EvidenceKind.choices)
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=300)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(verbose_name=_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, blank=True, on_delete=models.PROTECT
    )

    class Meta:
        verbose_name = _("claim evidence")
        verbose_name_plural = _("claim evidence")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name
