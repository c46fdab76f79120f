"""Choice sets of fees, quotes and settlement."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RateUnit(models.TextChoices):
    """How a fee rate is counted (seed 000 附件1: 交通费 actual cost, 住宿费 200元/天 …)."""

    PER_DAY = "per_day", _("per day")
    PER_HOUR = "per_hour", _("per hour")
    ACTUAL = "actual", _("actual cost")


class QuoteStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent to the customer")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")
    SUPERSEDED = "superseded", _("Superseded")
    WAIVED = "waived", _("Fully waived (free)")


class LineSource(models.TextChoices):
    SCHEDULE = "schedule", _("Fee schedule")
    ACTUAL = "actual", _("Actual cost")
    PRICE_LIST = "price_list", _("Parts price list")
    PURCHASE = "purchase", _("Purchasing quote")
    WARRANTY = "warranty", _("Warranty")
    CONTRACT = "contract", _("Contract")


class PurchaseRequestStatus(models.TextChoices):
    OPEN = "open", _("Waiting for a price")
    PRICED = "priced", _("Priced")


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash")
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    WECHAT = "wechat", _("WeChat Pay")
    ALIPAY = "alipay", _("Alipay")
    CARD = "card", _("Bank card")
    NONE = "none", _("Not paid (free service)")


class SettlementStatus(models.TextChoices):
    RECORDED = "recorded", _("Waiting for finance review")
    REVIEWED = "reviewed", _("Reviewed by finance")
    REJECTED = "rejected", _("Rejected by finance")
