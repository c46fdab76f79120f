"""Forms of the maintenance pages: they validate the input; the services decide and write."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from maintenance.choices import NonWorkingDay, PlanServiceType, Schedule
from maintenance.models import ChecklistTemplate


class _Styled(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, forms.HiddenInput):
                continue
            field.widget.attrs.setdefault(
                "class",
                "form-select form-select-sm"
                if isinstance(field, forms.ChoiceField)
                else "form-control form-control-sm",
            )


class PlanForm(_Styled):
    name = forms.CharField(label=_("name"), max_length=120)
    service_type = forms.ChoiceField(label=_("service type"), choices=PlanServiceType.choices)
    schedule = forms.ChoiceField(label=_("schedule"), choices=Schedule.choices, initial=Schedule.FIXED)
    interval_months = forms.IntegerField(label=_("interval (months)"), required=False)
    interval_days = forms.IntegerField(label=_("interval (days)"), required=False)
    starts_on = forms.DateField(label=_("starts on"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("ends on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    horizon_days = forms.IntegerField(label=_("planning horizon (days)"), min_value=0, max_value=366, initial=14)
    non_working = forms.ChoiceField(
        label=_("due on a non-working day"), choices=NonWorkingDay.choices, initial=NonWorkingDay.EARLIER
    )
    checklist = forms.ModelChoiceField(
        label=_("checklist"), queryset=ChecklistTemplate.objects.filter(is_active=True), required=False
    )
    contract = forms.IntegerField(label=_("contract"), required=False, widget=forms.Select)
    devices = forms.CharField(
        label=_("devices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Serial numbers, separated by spaces, commas or lines."),
    )

    def __init__(self, *args: Any, contracts: list[Any] | None = None, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contract"].widget.choices = [("", "—")] + [
            (c.pk, f"{c.number} · {c.customer}") for c in contracts or []
        ]
        if editing:
            for name in ("service_type", "starts_on", "contract"):
                self.fields[name].disabled = True
                self.fields[name].required = False

    def serials(self) -> list[str]:
        return [s for s in re.split(r"[\s,，;；]+", self.cleaned_data.get("devices") or "") if s]


class GenerateForm(_Styled):
    until = forms.DateField(label=_("until"), widget=forms.DateInput(attrs={"type": "date"}))
