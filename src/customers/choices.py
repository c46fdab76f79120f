from django.db import models
from django.utils.translation import gettext_lazy as _


class CustomerKind(models.TextChoices):
    PERSON = "person", _("Person")
    ORGANISATION = "organisation", _("Organisation")


class PaymentStanding(models.TextChoices):
    GOOD = "good", _("Good")
    OVERDUE = "overdue", _("Overdue")
    BLOCKED = "blocked", _("Blocked")


class DuplicateReason(models.TextChoices):
    """Why an existing customer may be the caller being registered (customers.policies)."""

    SAME_PHONE = "same_phone", _("Same phone number")
    OTHER_PHONE = "other_phone", _("Phone matches their other number or a contact")
    SAME_NAME = "same_name", _("Same name")
