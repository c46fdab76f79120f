from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import ProductCategory
from core.choices import UnitKind
from core.forms import BootstrapMixin
from core.models import OrgUnit
from network.choices import StationAction, SupportReason
from network.services import FIELDS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class StationForm(BootstrapMixin, forms.Form):
    unit = forms.ModelChoiceField(
        label=_("station"), queryset=OrgUnit.objects.filter(kind=UnitKind.STATION, station_profile__isnull=True)
    )
    legal_entity = forms.CharField(label=_("legal entity"), max_length=200)
    licence_number = forms.CharField(label=_("licence number"), max_length=64, required=False)
    licence_expires_on = forms.DateField(label=_("licence expires on"), required=False, widget=DATE)
    product_lines = forms.ModelMultipleChoiceField(
        label=_("licensed product lines"), queryset=ProductCategory.objects.all(), required=False
    )
    equipment = forms.CharField(label=_("equipment"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    contact_name = forms.CharField(label=_("contact person"), max_length=64, required=False)
    contact_phone = forms.CharField(label=_("contact phone"), max_length=32, required=False)
    contact_email = forms.EmailField(label=_("contact e-mail"), required=False)
    contract_start = forms.DateField(label=_("contract from"), required=False, widget=DATE)
    contract_end = forms.DateField(label=_("contract until"), required=False, widget=DATE)
    contract_terms = forms.CharField(
        label=_("contract terms"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["unit"]

    def data_fields(self) -> dict[str, Any]:
        return {key: self.cleaned_data.get(key) or ("" if key not in DATE_FIELDS else None) for key in FIELDS}


DATE_FIELDS = {"licence_expires_on", "contract_start", "contract_end"}


class TransitionForm(BootstrapMixin, forms.Form):
    action = forms.CharField(label=_("action"), max_length=32)
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}))


class DecisionForm(BootstrapMixin, forms.Form):
    accept = forms.TypedChoiceField(
        label=_("decision"),
        choices=[("1", _("Accept: suspend the station")), ("0", _("Decline"))],
        coerce=lambda v: v == "1",
    )
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}))


class EscalateForm(BootstrapMixin, forms.Form):
    reason = forms.ChoiceField(label=_("reason"), choices=SupportReason.choices)
    question = forms.CharField(label=_("question"), widget=forms.Textarea(attrs={"rows": 3}))


class AnswerForm(BootstrapMixin, forms.Form):
    answer = forms.CharField(label=_("answer"), widget=forms.Textarea(attrs={"rows": 3}))


class TeamForm(BootstrapMixin, forms.Form):
    team = forms.CharField(label=_("team"), max_length=200)
    visit_at = forms.DateTimeField(
        label=_("team on site at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


ACTION_CHOICES = StationAction.choices
