from django.db import models
from django.utils.translation import gettext_lazy as _


class CustomerKind(models.TextChoices):
    PERSON = "person", _("Person")
    ORGANISATION = "organisation", _("Organisation")


class PaymentStanding(models.TextChoices):
    GOOD = "good", _("Good")
    OVERDUE = "overdue", _("Overdue")
    BLOCKED = "blocked", _("Blocked")
