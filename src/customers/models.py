from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.choices import LanguageChoices
from core.models import BaseModel, OrgUnit
from customers.choices import CustomerKind, PaymentStanding


class Customer(BaseModel):
    """客户档案: a person or an organisation (申请单位), owned by the unit serving its region."""

    kind = models.CharField(_("kind"), max_length=16, choices=CustomerKind.choices, default=CustomerKind.PERSON)
    name = models.CharField(_("name"), max_length=100)
    phone = models.CharField(_("phone"), max_length=32, db_index=True)
    alt_phone = models.CharField(_("other phone"), max_length=32, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    province = models.CharField(_("province"), max_length=32, blank=True)
    city = models.CharField(_("city"), max_length=32, blank=True)
    district = models.CharField(_("district"), max_length=32, blank=True)
    adcode = models.CharField(_("region code"), max_length=6, blank=True, db_index=True)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    tags = models.CharField(_("tags"), max_length=200, blank=True)
    payment_standing = models.CharField(
        _("payment standing"), max_length=16, choices=PaymentStanding.choices, default=PaymentStanding.GOOD
    )
    notes = models.TextField(_("notes"), blank=True)
    language = models.CharField(
        _("language for messages"), max_length=10, choices=LanguageChoices.choices, default=LanguageChoices.ZH_HANS
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("serving unit"), on_delete=models.PROTECT, related_name="customers"
    )
    is_active = models.BooleanField(_("active"), default=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="branches",
        help_text=_("The organisation this one reports to (a bank branch reports to its first-level branch)."),
    )
    search_text = models.TextField(editable=False, default="")
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["-id"]
        # birthday: the care run's birthday rule looks a day's birthdays up by date (followup.care).
        indexes = [models.Index(fields=["unit", "-id"]), models.Index(fields=["birthday"])]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """A parent organisation is another organisation, and never one of its own branches."""
        from django.core.exceptions import ValidationError

        super().clean()
        seen = {self.pk} if self.pk else set()
        parent_id = self.parent_id
        while parent_id is not None:  # walked in the database: the objects in memory may be stale
            if parent_id in seen:
                raise ValidationError(
                    {"parent": _("An organisation cannot report to itself or to one of its branches.")}
                )
            seen.add(parent_id)
            parent_id = Customer.objects.filter(pk=parent_id).values_list("parent_id", flat=True).first()


class Contact(BaseModel):
    """A person to talk to at an organisation customer (or a relative of a person)."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=64)
    phone = models.CharField(_("phone"), max_length=32)
    title = models.CharField(_("title"), max_length=64, blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-is_primary", "id"]

    def __str__(self) -> str:
        return f"{self.name} {self.phone}"
