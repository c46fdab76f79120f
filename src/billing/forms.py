"""Forms of the billing pages: the shape of the input; the rules live in ``billing.services``."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from billing.choices import PaymentMethod
from core.choices import FeeKind
from core.forms import BootstrapMixin
from parts.forms import SheetUploadForm

PROVIDABLE = [
    (kind, label) for kind, label in FeeKind.choices if kind in {FeeKind.TRAVEL, FeeKind.LODGING, FeeKind.MEALS}
]
MAX_PART_ROWS = 5


class QuoteBuildForm(BootstrapMixin, forms.Form):
    """Numbers are taken as text so the service names the field of a bad value (negative, 3 decimals)."""

    days = forms.CharField(label=_("Days on site (meals, allowance)"), required=False, initial="0", max_length=12)
    nights = forms.CharField(label=_("Nights (lodging)"), required=False, initial="0", max_length=12)
    hours = forms.CharField(label=_("Labour hours"), required=False, initial="0", max_length=12)
    travel_cost = forms.CharField(label=_("Travel at actual cost (CNY)"), required=False, initial="0", max_length=16)
    provided_by_customer = forms.MultipleChoiceField(
        label=_("Provided by the customer"), choices=PROVIDABLE, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for index in range(MAX_PART_ROWS):
            self.fields[f"part_code_{index}"] = forms.CharField(label=_("Part code"), required=False, max_length=64)
            self.fields[f"part_description_{index}"] = forms.CharField(
                label=_("Part (if not on the list)"), required=False, max_length=100
            )
            self.fields[f"part_quantity_{index}"] = forms.CharField(label=_("Quantity"), required=False, max_length=12)
        self.style_fields()

    def part_rows(self) -> list[tuple[forms.BoundField, forms.BoundField, forms.BoundField]]:
        return [
            (self[f"part_code_{i}"], self[f"part_description_{i}"], self[f"part_quantity_{i}"])
            for i in range(MAX_PART_ROWS)
        ]

    def parts(self) -> list[tuple[str | None, str, str]]:
        rows = []
        for index in range(MAX_PART_ROWS):
            code = (self.cleaned_data.get(f"part_code_{index}") or "").strip()
            description = (self.cleaned_data.get(f"part_description_{index}") or "").strip()
            quantity = (self.cleaned_data.get(f"part_quantity_{index}") or "").strip()
            if code or description or quantity:
                rows.append((code or None, description, quantity or "1"))
        return rows


class PhoneConfirmForm(BootstrapMixin, forms.Form):
    confirmed_by = forms.CharField(label=_("Confirmed by (customer side)"), max_length=64)
    confirmed_at = forms.DateTimeField(
        label=_("Confirmed at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=300)


class SettlementForm(BootstrapMixin, forms.Form):
    actual_charge = forms.CharField(label=_("Actual charge (CNY)"), max_length=16)
    amount_paid = forms.CharField(label=_("Amount paid (CNY)"), max_length=16)
    payment_method = forms.ChoiceField(label=_("Payment method"), choices=PaymentMethod.choices)
    receiver = forms.CharField(label=_("Payment received by"), max_length=64)
    paid_at = forms.DateTimeField(
        label=_("Paid at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=300)


class ReviewForm(BootstrapMixin, forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    note = forms.CharField(label=_("Reason / note"), required=False, max_length=300)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class PurchasePriceForm(BootstrapMixin, forms.Form):
    unit_price = forms.CharField(label=_("Unit price (CNY)"), max_length=16)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)


class FeeScheduleForm(BootstrapMixin, forms.Form):
    effective_from = forms.DateField(label=_("Effective from"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def __init__(self, *args: object, kinds: list[tuple[str, Any]] | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for kind, label in kinds or list(FeeKind.choices):
            self.fields[f"{kind}_unit"] = forms.ChoiceField(
                label=label,
                choices=[
                    ("", "—"),
                    ("per_day", _("per day")),
                    ("per_hour", _("per hour")),
                    ("actual", _("actual cost")),
                ],
                required=False,
            )
            self.fields[f"{kind}_amount"] = forms.CharField(label=_("Rate"), required=False, max_length=16)
            self.fields[f"{kind}_provided"] = forms.BooleanField(label=_("or provided by the customer"), required=False)
            self.fields[f"{kind}_remark"] = forms.CharField(label=_("Remark"), required=False, max_length=200)
        self.style_fields()


class PriceListForm(BootstrapMixin, forms.Form):
    effective_from = forms.DateField(label=_("Effective from"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note"), required=False, max_length=200)
    rows = forms.CharField(
        label=_("Prices (CSV: code,name,unit price,unit)"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("One part per line, e.g. BAT-48V,48V 锂电池,1280.00,块"),
    )


class PriceImportForm(SheetUploadForm):
    """An Excel sheet of part prices becoming a new version of the price list (``billing.imports``)."""

    effective_from = forms.DateField(label=_("Effective from"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note"), required=False, max_length=200)
