"""Forms of the device pages; they validate input, ``devices.services`` decides and writes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.selectors import product_models_visible_to
from core.forms import VersionedForm, model_choice
from customers.selectors import customers_visible_to
from devices.models import Device

DATE_WIDGET = {"type": "date"}


class CustomerChoiceField(forms.ModelChoiceField):
    """A customer picked by id (through the quick-pick search); foreign or unknown ids are invalid."""

    default_error_messages = {"invalid_choice": _("Unknown customer.")}


class DeviceForm(VersionedForm):
    customer = CustomerChoiceField(label=_("Customer"), queryset=None, widget=forms.HiddenInput)  # type: ignore[arg-type]

    class Meta:
        model = Device
        fields = [
            "customer",
            "product_model",
            "serial_number",
            "purchased_on",
            "installed_on",
            "accepted_on",
            "invoice_number",
            "firmware_version",
            "location",
            "is_active",
        ]
        widgets = {
            "purchased_on": forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"),
            "installed_on": forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"),
            "accepted_on": forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"),
            "serial_number": forms.TextInput(attrs={"autocomplete": "off"}),
        }
        help_texts = {
            "accepted_on": _("The day the unit passed acceptance; some contracts count the warranty from it."),
            "location": _("Left empty, the customer's address is used."),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "customer").queryset = customers_visible_to(user)
        models = product_models_visible_to(user).order_by("category__code", "code")
        if not self.instance.pk:
            models = models.filter(is_active=True)
            self.fields["is_active"].widget = forms.HiddenInput()
        product_model = model_choice(self, "product_model")
        product_model.queryset = models
        product_model.label_from_instance = lambda model: f"{model.code} · {model.name}"  # type: ignore[method-assign,assignment]

    def chosen_customer(self) -> Any:
        """The customer to show beside the quick pick (a valid posted one, else the initial one)."""
        if self.is_bound and hasattr(self, "cleaned_data") and self.cleaned_data.get("customer"):
            return self.cleaned_data["customer"]
        value = self.initial.get("customer")
        if value is None:
            return None
        if hasattr(value, "pk"):
            return value
        customers = model_choice(self, "customer").queryset
        return (
            customers.filter(pk=value).first()
            if customers is not None and str(value).isascii() and str(value).isdigit()
            else None
        )
