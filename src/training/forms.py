"""Forms of the training pages. Attendees are typed one a line: 姓名, 单位, 职务."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapMixin
from training.choices import TrainingAudience, TrainingKind, TrainingSatisfaction

DATE = forms.DateInput(attrs={"type": "date"})


class TrainingForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=TrainingKind.choices)
    audience = forms.ChoiceField(label=_("trained"), choices=TrainingAudience.choices)
    customer = forms.IntegerField(label=_("customer (id)"), required=False, min_value=1)
    device = forms.IntegerField(label=_("device (id)"), required=False, min_value=1)
    contract = forms.IntegerField(label=_("contract (id)"), required=False, min_value=1)
    content = forms.CharField(label=_("training content"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    held_on = forms.DateField(label=_("date"), widget=DATE)
    duration_hours = forms.DecimalField(label=_("duration (hours)"), min_value=0.5, max_value=200, decimal_places=1)
    trainer_name = forms.CharField(label=_("trainer"), max_length=64, required=False)
    location = forms.CharField(label=_("location"), max_length=200, required=False)
    attendees = forms.CharField(
        label=_("attendees"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One a line: name, organisation, position"),
        max_length=20000,
    )
    satisfaction = forms.ChoiceField(
        label=_("satisfaction"), choices=[("", "—"), *TrainingSatisfaction.choices], required=False
    )
    comment = forms.CharField(label=_("attendees' comments"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def attendee_rows(self) -> list[dict[str, Any]]:
        rows = []
        for line in (self.cleaned_data.get("attendees") or "").splitlines():
            parts = [p.strip() for p in line.replace("，", ",").split(",")]
            if parts and parts[0]:
                rows.append(
                    {
                        "name": parts[0],
                        "organisation": parts[1] if len(parts) > 1 else "",
                        "position": parts[2] if len(parts) > 2 else "",
                    }
                )
        return rows
