"""Forms of the catalogue pages; they validate input, the services decide and write."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _

from catalog.models import ProductCategory, ProductModel


def form_add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: known fields under the field, the rest on top."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.message_dict.items():
        target = field if field in form.fields else None
        for message in errors:
            if target is None and field != NON_FIELD_ERRORS:
                label = field.replace("_", " ")
                message = f"{label}: {message}"
            form.add_error(target, message)


def model_choice(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:
    """The form's field ``name``, typed as the model choice field it is (to set its queryset)."""
    return cast(forms.ModelChoiceField, form.fields[name])


class BootstrapMixin:
    """Bootstrap 5 classes on every widget, and ``is-invalid`` on a field once it has an error."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, forms.HiddenInput):
                continue
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select form-select-sm"
            else:
                css = "form-control form-control-sm"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)  # type: ignore[misc]
        names = [field] if field else list(getattr(error, "error_dict", {}) or [])
        for name in names:
            if name in self.fields:  # type: ignore[attr-defined]
                attrs = self.fields[name].widget.attrs  # type: ignore[attr-defined]
                if "is-invalid" not in attrs.get("class", ""):
                    attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()


class VersionedForm(BootstrapMixin, forms.ModelForm):
    """An edit form carrying the version it was loaded at (optimistic concurrency)."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and "version" not in self.initial:
            self.initial["version"] = self.instance.version

    def validate_unique(self) -> None:
        """Uniqueness is the service's decision (it names the field and runs under the lock)."""

    def _post_clean(self) -> None:
        super()._post_clean()  # type: ignore[misc]
        # Multi-field unique constraints too: the service reports them on the right field.
        form_errors: Any = self._errors  # type: ignore[attr-defined]
        errors = form_errors.get(NON_FIELD_ERRORS) if form_errors else None
        if errors:
            kept = [error for error in errors.as_data() if error.code not in {"unique_together", "unique"}]
            if kept:
                form_errors[NON_FIELD_ERRORS] = self.error_class(kept, error_class="nonfield")
            else:
                del form_errors[NON_FIELD_ERRORS]

    def changes(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self._meta.fields or () if name in self.cleaned_data}


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
