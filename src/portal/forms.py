"""Forms of the customer pages: the shape of the input; the rules live in ``portal.services``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapMixin, MultipleFileField, MultipleFileInput
from portal.selectors import portal_product_models
from portal.services import (
    CUSTOMER_SERVICE_TYPES,
    DESCRIPTION_MIN_LENGTH,
    MAX_PHOTOS_PER_REQUEST,
    PHONE_HELP,
    phone_is_valid,
    phone_normalise,
)
from workorders.choices import ServiceType

LARGE = {"class": "form-control form-control-lg"}


class PortalForm(BootstrapMixin, forms.Form):
    """Large touch-friendly controls; fields with errors are marked ``is-invalid``."""

    bootstrap_size = "lg"


def clean_phone_value(value: str) -> str:
    phone = phone_normalise(value)
    if not phone_is_valid(phone):
        raise ValidationError(_("Enter a valid phone number.") + " " + str(PHONE_HELP), code="phone")
    return phone


class DeviceRequestForm(PortalForm):
    """The 扫码报修 form: the device (model, serial) comes from the label, not from the form."""

    name = forms.CharField(
        label=_("Your name"), max_length=64, widget=forms.TextInput(attrs={**LARGE, "autocomplete": "name"})
    )
    phone = forms.CharField(
        label=_("Mobile or phone"),
        max_length=32,
        help_text=PHONE_HELP,
        widget=forms.TextInput(attrs={**LARGE, "inputmode": "tel", "autocomplete": "tel"}),
    )
    address = forms.CharField(
        label=_("Service address"),
        max_length=200,
        required=False,
        help_text=_("Leave empty if the device is at its usual place."),
        widget=forms.TextInput(attrs={**LARGE, "autocomplete": "street-address"}),
    )
    service_type = forms.ChoiceField(
        label=_("What do you need?"),
        choices=[(code, label) for code, label in ServiceType.choices if code in CUSTOMER_SERVICE_TYPES],
        initial=ServiceType.REPAIR,
        widget=forms.Select(attrs={"class": "form-select form-select-lg"}),
    )
    description = forms.CharField(
        label=_("Describe the problem"),
        min_length=DESCRIPTION_MIN_LENGTH,
        max_length=2000,
        help_text=_("What happens, since when, any error message or sound."),
        widget=forms.Textarea(attrs={**LARGE, "rows": 4}),
    )
    photos = MultipleFileField(
        label=_("Photos (optional)"),
        required=False,
        max_files=MAX_PHOTOS_PER_REQUEST,
        max_files_message=_("Attach at most %(count)s photos.") % {"count": MAX_PHOTOS_PER_REQUEST},
        widget=MultipleFileInput(attrs={"class": "form-control form-control-lg", "accept": "image/*"}),
        help_text=_("Up to 3 photos of the fault, the label or the invoice."),
    )

    def clean_phone(self) -> str:
        return clean_phone_value(self.cleaned_data["phone"])


class RequestForm(DeviceRequestForm):
    """The general request form: the customer names the product model (or does not know it)."""

    product_model = forms.ModelChoiceField(
        label=_("Product model"),
        queryset=portal_product_models(),
        required=False,
        empty_label=_("I don't know"),
        widget=forms.Select(attrs={"class": "form-select form-select-lg"}),
    )
    serial_number = forms.CharField(
        label=_("Serial number (optional)"),
        max_length=64,
        required=False,
        help_text=_("Printed on the label of the device or on the warranty card."),
        widget=forms.TextInput(attrs=LARGE),
    )

    field_order = ["name", "phone", "address", "product_model", "serial_number", "service_type", "description"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["address"].required = True
        self.fields["address"].help_text = _("Where the service is needed.")
        product_models = self.fields["product_model"]
        assert isinstance(product_models, forms.ModelChoiceField)
        product_models.queryset = portal_product_models()


class TrackForm(PortalForm):
    number = forms.CharField(
        label=_("Order number"),
        max_length=32,
        widget=forms.TextInput(
            attrs={**LARGE, "placeholder": "WO-20260101-0001", "autocapitalize": "characters", "autocomplete": "off"}
        ),
    )
    phone = forms.CharField(
        label=_("Phone used for the request"),
        max_length=32,
        widget=forms.TextInput(attrs={**LARGE, "inputmode": "tel", "autocomplete": "tel"}),
    )


class PhotoForm(forms.Form):
    photo = forms.FileField(
        label=_("Add a photo"),
        widget=forms.ClearableFileInput(attrs={"class": "form-control form-control-lg", "accept": "image/*"}),
    )
