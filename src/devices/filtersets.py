"""List filters of the device page (the API list takes q, customer and product_model the same way)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from catalog.models import ProductCategory, ProductModel
from core.forms import BootstrapMixin, model_choice
from core.models import OrgUnit
from customers.forms import units_for
from devices.models import Device
from devices.selectors import device_search


class DeviceFilterSet(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    product_model = forms.ModelChoiceField(
        label=_("Product model"), queryset=ProductModel.objects.order_by("code"), required=False
    )
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=ProductCategory.objects.order_by("code"), required=False
    )
    unit = forms.ModelChoiceField(label=_("Serving unit"), queryset=OrgUnit.objects.none(), required=False)
    customer = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, data: Any, *, user: Any) -> None:
        super().__init__(data)
        self.user = user
        model_choice(self, "unit").queryset = units_for(user)

    def queryset(self) -> QuerySet[Device]:
        self.is_valid()  # invalid filters are ignored; the valid ones still apply
        cleaned: dict[str, Any] = getattr(self, "cleaned_data", {})
        product_model, category, unit = cleaned.get("product_model"), cleaned.get("category"), cleaned.get("unit")
        return device_search(
            user=self.user,
            query=cleaned.get("q") or "",
            customer=cleaned.get("customer"),
            product_model=product_model.pk if product_model else None,
            category=category.pk if category else None,
            unit=unit.pk if unit else None,
        )
