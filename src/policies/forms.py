"""Forms of the policy and contract pages; they validate input, ``policies.services`` decides and writes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import ProductCategory, ProductModel
from core.choices import FeeKind
from core.forms import BootstrapMixin, VersionedForm, model_choice
from customers.selectors import customers_visible_to
from devices.models import Device
from policies.choices import EXCLUSION_ARTICLES, FaultCause
from policies.models import Contract, WarrantyPolicy
from policies.services import POLICY_FIELDS

DATE_WIDGET = {"type": "date"}


class WarrantyPolicyForm(BootstrapMixin, forms.ModelForm):
    """A new version of a policy: starts from the version it replaces."""

    excluded_causes = forms.MultipleChoiceField(
        label=_("Excluded fault causes"),
        required=False,
        choices=[(code, FaultCause(code).label) for code in EXCLUSION_ARTICLES],
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = WarrantyPolicy
        fields = list(POLICY_FIELDS)
        widgets = {"effective_from": forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "category").queryset = ProductCategory.objects.order_by("code")
        model_choice(self, "product_model").queryset = ProductModel.objects.select_related("category").order_by("code")

    def validate_unique(self) -> None:
        """The service decides (it names the field)."""


class ContractForm(VersionedForm):
    waived_fee_kinds = forms.MultipleChoiceField(
        label=_("Waived fee kinds"), required=False, choices=FeeKind.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Contract
        fields = [
            "kind",
            "customer",
            "devices",
            "starts_on",
            "ends_on",
            "price",
            "waived_fee_kinds",
            "extends_months",
            "note",
            "is_active",
        ]
        widgets = {
            "starts_on": forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"),
        }

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        customers = customers_visible_to(user)
        model_choice(self, "customer").queryset = customers
        devices = Device.objects.filter(customer__in=customers).select_related("product_model")
        if self.instance.pk:
            self.fields["customer"].disabled = True
            devices = devices.filter(customer_id=self.instance.customer_id)
        else:
            self.fields["is_active"].widget = forms.HiddenInput()
            self.fields["ends_on"].required = False
        model_choice(self, "devices").queryset = devices
        self.fields["devices"].required = False
