"""Codes of warranty decisions. FaultCause (defined by the work order), RemedyRequest and Coverage
are fixed by the public API (SPEC §14); the others are this app's own configuration codes."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from workorders.choices import FaultCause  # the order owns its fault cause; the exclusions below name it

__all__ = ["FaultCause"]


class RemedyRequest(models.TextChoices):
    REPAIR = "repair", _("Repair")
    EXCHANGE = "exchange", _("Exchange")
    RETURN = "return", _("Return")


class Coverage(models.TextChoices):
    FREE = "free", _("Free")
    PAID = "paid", _("Paid")
    NEEDS_REVIEW = "needs_review", _("Needs review")


class WarrantyStatus(models.TextChoices):
    IN_WARRANTY = "in_warranty", _("In warranty")
    EXPIRED = "expired", _("Expired")
    NEEDS_REVIEW = "needs_review", _("Needs review")


class StartBasis(models.TextChoices):
    """From which date the period counts: the invoice by the regulation (第八条), or the contract's."""

    INVOICE = "invoice", _("Invoice (purchase) date")
    INSTALLATION = "installation", _("Installation date")
    ACCEPTANCE = "acceptance", _("Acceptance date (验收合格之日)")


class StartFallback(models.TextChoices):
    """What to do when the device lacks the date the basis needs."""

    NEEDS_REVIEW = "needs_review", _("Needs review")
    OTHER_DATES = "other_dates", _("Use the next recorded date (acceptance, installation, invoice)")


class ContractKind(models.TextChoices):
    EXTENDED_WARRANTY = "extended_warranty", _("Extended warranty")
    ANNUAL_MAINTENANCE = "annual_maintenance", _("Annual maintenance (维保)")
    SERVICE_PACKAGE = "service_package", _("Service package")


#: Fault causes that are not a quality fault: the exclusions a policy may apply, with the
#: regulation article (《部分商品修理更换退货责任规定》第十八条) or the seed they come from.
EXCLUSION_ARTICLES: dict[str, str] = {
    FaultCause.MISUSE: "第十八条(一)",
    FaultCause.WATER: "第十八条(一)",
    FaultCause.DROP: "第十八条(一)",
    FaultCause.COLLISION: "第十八条(一)",
    FaultCause.UNAUTHORIZED_REPAIR: "第十八条(二)",
    FaultCause.LABEL_TAMPERED: "第十八条(四)",
    FaultCause.FORCE_MAJEURE: "第十八条(五)",
    FaultCause.WEAR: "",
}
