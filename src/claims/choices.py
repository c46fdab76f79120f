"""Codes of claims and their checklist rules (stable: the API and stored decisions use them)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RuleKind(models.TextChoices):
    CONDITION = "condition", _("Condition")
    EXCLUSION = "exclusion", _("Exclusion")


class ClaimStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    DECIDED = "decided", _("Decided")
    SLIP_REVIEWED = "slip_reviewed", _("Slip reviewed")
    APPROVED = "approved", _("Approved for payment")
    PAID = "paid", _("Paid out")
    REJECTED = "rejected", _("Rejected")


class ClaimOutcome(models.TextChoices):
    ELIGIBLE = "eligible", _("Eligible")
    NOT_ELIGIBLE = "not_eligible", _("Not eligible")
    NEEDS_REVIEW = "needs_review", _("Needs review")


class CheckResult(models.TextChoices):
    MET = "met", _("Met")
    FAILED = "failed", _("Failed")
    UNKNOWN = "unknown", _("Unknown")


class EvidenceKind(models.TextChoices):
    BANK_SLIP = "bank_slip", _("Bank's counterfeit identification slip (假币鉴别单)")
    PHOTO = "photo", _("Photo")
    EXPORT = "export", _("Exported records (Excel)")
    OTHER = "other", _("Other document")
