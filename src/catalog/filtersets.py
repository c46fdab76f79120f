"""List filters of the catalogue page (the API takes the same parameters)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from catalog.models import ProductCategory, ProductModel
from catalog.selectors import product_model_search
from core.forms import BootstrapMixin


class ProductModelFilterSet(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=ProductCategory.objects.order_by("code"), required=False
    )
    active = forms.TypedChoiceField(
        label=_("Status"),
        choices=[("", _("All")), ("1", _("Active")), ("0", _("Retired"))],
        coerce=lambda value: value == "1",
        empty_value=None,
        required=False,
    )

    def __init__(self, data: Any, *, user: Any) -> None:
        super().__init__(data)
        self.user = user

    def queryset(self) -> QuerySet[ProductModel]:
        self.is_valid()  # invalid filters are ignored; the valid ones still apply
        cleaned: dict[str, Any] = getattr(self, "cleaned_data", {})
        category = cleaned.get("category")
        return product_model_search(
            user=self.user,
            query=cleaned.get("q") or "",
            category=category.pk if category else None,
            active=cleaned.get("active"),
        )
