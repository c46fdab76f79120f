"""Forms of the customer pages; they validate input, ``customers.services`` decides and writes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapMixin, VersionedForm, model_choice
from core.models import OrgUnit
from core.scoping import unit_ids_visible_to
from customers.models import Contact, Customer


def units_for(user: Any) -> Any:
    ids = unit_ids_visible_to(user)
    units = OrgUnit.objects.filter(is_active=True).order_by("code")
    return units if ids is None else units.filter(pk__in=ids)


class CustomerForm(VersionedForm):
    unit = forms.ModelChoiceField(
        label=_("Serving unit"),
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label=_("Choose from the address"),
        help_text=_("Left empty, the unit covering the address serves the customer."),
    )

    class Meta:
        model = Customer
        fields = [
            "kind",
            "name",
            "phone",
            "alt_phone",
            "email",
            "address",
            "birthday",
            "tags",
            "payment_standing",
            "language",
            "unit",
            "notes",
        ]
        widgets = {
            "birthday": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
            "alt_phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
        }
        help_texts = {
            "address": _("Province, city and district are recognised from the address automatically."),
            "tags": _("Separate tags with commas, e.g. VIP, bank."),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit = model_choice(self, "unit")
        unit.queryset = units_for(user)
        if self.instance.pk:
            unit.empty_label = _("Keep / choose from the address")
        self.fields["language"].required = False  # not sent: Chinese for a new customer, unchanged on edit

    def changes(self) -> dict[str, Any]:
        data = super().changes()
        if data.get("unit") is None:
            data.pop("unit", None)
        if not data.get("language"):
            data.pop("language", None)
        return data


class ContactForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["name", "phone", "title", "is_primary"]
        widgets = {"phone": forms.TextInput(attrs={"inputmode": "tel"})}
