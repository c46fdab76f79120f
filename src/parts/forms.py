"""Forms of the parts pages: the shape of the input; the rules live in ``parts.services`` (and
``parts.imports``), whose refusals are put on the fields they name (``core.forms.add_service_errors``).
Numbers are taken as text, so the service names the field of a bad one."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapMixin
from parts.choices import MoveKind

#: The moves the stock page posts (issue and return belong to a work order: the order's parts card).
PAGE_MOVE_KINDS = (MoveKind.RECEIVE, MoveKind.TRANSFER, MoveKind.SHIP, MoveKind.ADJUST, MoveKind.SCRAP)


class SheetUploadForm(BootstrapMixin, forms.Form):
    """An Excel workbook to import (the import's options are added by subclasses)."""

    file = forms.FileField(
        label=_("Excel file (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )

    def options(self) -> dict[str, Any]:
        return {name: value for name, value in self.cleaned_data.items() if name != "file"}


class StockCountImportForm(SheetUploadForm):
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=200,
        help_text=_("Written on every adjustment (“Stock count (Excel)” and the date when empty)."),
    )


class PartForm(BootstrapMixin, forms.Form):
    """A new catalogue part (``services.part_create``)."""

    code = forms.CharField(label=_("Part code"), max_length=64)
    name = forms.CharField(label=_("Name"), max_length=100)
    uom = forms.CharField(label=_("Unit"), max_length=16, required=False, help_text=_("个 when empty."))
    product_models = forms.CharField(
        label=_("Fits product models"),
        max_length=2000,
        required=False,
        help_text=_("Product model codes, separated by commas."),
    )
    genuine = forms.BooleanField(label=_("Genuine part"), required=False, initial=True)
    supplier = forms.CharField(label=_("Supplier"), max_length=100, required=False)

    def model_codes(self) -> list[str]:
        from parts.excel import cell_codes

        return cell_codes(self.cleaned_data.get("product_models") or "")


class StockMoveForm(BootstrapMixin, forms.Form):
    """A move posted from the stock page (``services.stock_move``): receive, transfer, ship, adjust, scrap."""

    kind = forms.ChoiceField(label=_("Kind"), choices=[(k.value, k.label) for k in PAGE_MOVE_KINDS])
    part = forms.CharField(label=_("Part code"), max_length=64)
    warehouse = forms.ChoiceField(label=_("Warehouse"))
    to_warehouse = forms.CharField(
        label=_("To warehouse"),
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"list": "warehouse-codes", "autocomplete": "off"}),
        help_text=_("The destination's code (transfer, ship)."),
    )
    quantity = forms.CharField(
        label=_("Quantity"), max_length=12, help_text=_("A whole number; an adjustment may be negative.")
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False, help_text=_("Required for an adjustment."))

    def __init__(self, *args: Any, warehouses: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice: Any = self.fields["warehouse"]
        choice.choices = [("", "—")] + [(w.code, str(w)) for w in warehouses]
        self.style_fields()
