"""Forms of the follow-up pages: they validate the input; the services decide and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from followup.choices import CallOutcome, ComplaintChannel, ComplaintSubject, CustomerAnswer
from workorders.choices import Satisfaction

SCORE_CHOICES = [("", "—")] + [(str(n), str(n)) for n in range(1, 6)]


class CallForm(forms.Form):
    outcome = forms.ChoiceField(label=_("outcome"), choices=CallOutcome.choices)
    satisfaction = forms.ChoiceField(label=_("rating"), choices=[("", "—"), *Satisfaction.choices], required=False)
    score = forms.TypedChoiceField(
        label=_("score"), choices=SCORE_CHOICES, coerce=int, empty_value=None, required=False
    )
    comment = forms.CharField(
        label=_("comment"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    note = forms.CharField(label=_("call note"), required=False, max_length=2000)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault(
                "class",
                "form-select form-select-sm"
                if isinstance(field, forms.ChoiceField)
                else "form-control form-control-sm",
            )


class SampleForm(forms.Form):
    unit = forms.IntegerField(widget=forms.HiddenInput)
    period_start = forms.DateField(label=_("completed from"), widget=forms.DateInput(attrs={"type": "date"}))
    period_end = forms.DateField(label=_("completed until"), widget=forms.DateInput(attrs={"type": "date"}))
    share = forms.DecimalField(label=_("share"), min_value=0, max_value=1, decimal_places=4, required=False)
    seed = forms.CharField(label=_("seed"), max_length=64, required=False)


class ComplaintCreateForm(forms.Form):
    customer = forms.IntegerField(label=_("customer id"), min_value=1)
    channel = forms.ChoiceField(label=_("channel"), choices=ComplaintChannel.choices)
    subject = forms.ChoiceField(label=_("about"), choices=[("", "—"), *ComplaintSubject.choices], required=False)
    description = forms.CharField(
        label=_("the customer's words"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    remedy_requested = forms.CharField(label=_("remedy asked for"), max_length=2000, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault(
                "class", "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            )


class ComplaintActionForm(forms.Form):
    note = forms.CharField(label=_("note"), required=False, max_length=5000)
    reason = forms.CharField(label=_("reason"), required=False, max_length=2000)
    resolution = forms.CharField(label=_("resolution"), required=False, max_length=5000)
    remedy = forms.CharField(label=_("remedy given"), required=False, max_length=2000)
    answer = forms.ChoiceField(
        label=_("customer's answer"), choices=[("", "—"), *CustomerAnswer.choices], required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)
