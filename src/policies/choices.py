"""Codes fixed by the public API (SPEC §14) for warranty decisions."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FaultCause(models.TextChoices):
    """故障原因: a quality fault is covered; the others are the exclusions of SPEC §4 / 第十三条."""

    QUALITY = "quality", _("Quality fault")
    MISUSE = "misuse", _("Not used, maintained or stored per the manual")
    WATER = "water", _("Water or damp")
    DROP = "drop", _("Drop")
    COLLISION = "collision", _("Collision or transport damage")
    UNAUTHORIZED_REPAIR = "unauthorized_repair", _("Opened or repaired by an unauthorised party")
    LABEL_TAMPERED = "label_tampered", _("Label or voucher removed, altered or not matching")
    WEAR = "wear", _("Normal wear and tear")
    FORCE_MAJEURE = "force_majeure", _("Force majeure")
    UNKNOWN = "unknown", _("Not yet diagnosed")


class RemedyRequest(models.TextChoices):
    REPAIR = "repair", _("Repair")
    EXCHANGE = "exchange", _("Exchange")
    RETURN = "return", _("Return")


class Coverage(models.TextChoices):
    FREE = "free", _("Free")
    PAID = "paid", _("Paid")
    NEEDS_REVIEW = "needs_review", _("Needs review")
