"""Forms of the catalogue pages; they validate input, the services decide and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import ProductCategory, ProductModel
from core.forms import BootstrapMixin, VersionedForm, model_choice


class ProductCategoryForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = ProductCategory
        fields = ["code", "name", "warranty_months", "is_active"]

    def validate_unique(self) -> None:
        """The service validates uniqueness."""


class ProductModelForm(VersionedForm):
    class Meta:
        model = ProductModel
        fields = [
            "code",
            "name",
            "category",
            "warranty_months",
            "main_parts_warranty_months",
            "description",
            "is_active",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "warranty_months": _("Whole-unit warranty; leave the category's default if unsure."),
            "main_parts_warranty_months": _("Main parts may be covered longer than the whole unit."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        queryset = ProductCategory.objects.order_by("code")
        if not self.instance.pk:
            queryset = queryset.filter(is_active=True)
            self.fields["is_active"].widget = forms.HiddenInput()
        model_choice(self, "category").queryset = queryset
        self.fields["warranty_months"].required = False
