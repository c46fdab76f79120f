"""Forms of the campaign pages (labels translated; the services check the rules)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from campaigns.choices import CampaignKind
from catalog.models import ProductModel
from core.forms import BootstrapMixin
from core.models import OrgUnit
from core.scoping import unit_ids_visible_to

DATE = forms.DateInput(attrs={"type": "date"})


class CampaignForm(BootstrapMixin, forms.Form):
    code = forms.CharField(label=_("campaign code"), max_length=32)
    name = forms.CharField(label=_("name"), max_length=100)
    kind = forms.ChoiceField(label=_("kind"), choices=CampaignKind.choices)
    product_models = forms.MultipleChoiceField(
        label=_("product models"), widget=forms.SelectMultiple(attrs={"size": 6})
    )
    firmware_below = forms.CharField(
        label=_("firmware below"), max_length=64, required=False, help_text=_("e.g. 3.4.10 (1.9 < 1.10 < 2.0)")
    )
    firmware_to = forms.CharField(label=_("new firmware version"), max_length=64, required=False)
    serial_from = forms.CharField(label=_("serial from"), max_length=64, required=False)
    serial_to = forms.CharField(label=_("serial to"), max_length=64, required=False)
    unit = forms.TypedChoiceField(
        label=_("unit (and the units below it)"), coerce=int, required=False, empty_value=None
    )
    region = forms.CharField(label=_("region code"), max_length=6, required=False)
    installed_from = forms.DateField(label=_("installed from"), required=False, widget=DATE)
    installed_to = forms.DateField(label=_("installed until"), required=False, widget=DATE)
    due_on = forms.DateField(label=_("due on"), widget=DATE, required=False)
    description = forms.CharField(
        label=_("instructions for the technician"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        models = ProductModel.objects.order_by("code").values_list("code", "name")
        self.fields["product_models"].choices = [(code, f"{code} · {name}") for code, name in models]  # type: ignore[attr-defined]
        ids = unit_ids_visible_to(user)
        units = OrgUnit.objects.filter(is_active=True).order_by("code")
        if ids is not None:
            units = units.filter(pk__in=ids)
        self.fields["unit"].choices = [("", _("Every unit I see")), *[(u.pk, u.name) for u in units]]  # type: ignore[attr-defined]

    def selection(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "product_models": data.get("product_models") or [],
            "firmware_below": data.get("firmware_below") or "",
            "serial_from": data.get("serial_from") or "",
            "serial_to": data.get("serial_to") or "",
            "unit": data.get("unit"),
            "region": data.get("region") or "",
            "installed_from": data.get("installed_from"),
            "installed_to": data.get("installed_to"),
        }


class OutcomeForm(BootstrapMixin, forms.Form):
    status = forms.ChoiceField(
        label=_("outcome"),
        choices=[("unreachable", _("Unreachable")), ("failed", _("Failed")), ("pending", _("Pending again"))],
    )
    note = forms.CharField(label=_("reason"), max_length=500, required=False)


class FirmwareForm(BootstrapMixin, forms.Form):
    firmware_version = forms.CharField(label=_("version installed"), max_length=64)
