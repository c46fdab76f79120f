"""The service-level form: conditions as choices and short lists, targets in hours."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import VersionedForm, model_choice
from core.models import OrgUnit
from sla.models import ServiceLevel
from sla.policies import parse_tags
from workcalendar.models import WorkCalendar
from workorders.choices import Priority, ServiceType, Urgency


class ListField(forms.CharField):
    """A short list typed on one line, separated by commas (or 、，; and spaces)."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return ", ".join(str(v) for v in value)
        return value

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value)
        return sorted(parse_tags(text or ""))


class ServiceLevelForm(VersionedForm):
    service_types = forms.MultipleChoiceField(
        label=_("Service types"),
        required=False,
        choices=ServiceType.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every service type."),
    )
    urgencies = forms.MultipleChoiceField(
        label=_("Urgencies"), required=False, choices=Urgency.choices, widget=forms.CheckboxSelectMultiple
    )
    priorities = forms.TypedMultipleChoiceField(
        label=_("Priorities"),
        required=False,
        coerce=int,
        choices=Priority.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    customer_tags = ListField(
        label=_("Customer tags (contract / tier)"),
        required=False,
        max_length=200,
        help_text=_("The level applies to customers carrying one of these tags, e.g. VIP, 备用机承诺."),
    )
    region_prefixes = ListField(
        label=_("Region codes"),
        required=False,
        max_length=200,
        help_text=_("Administrative codes of 2, 4 or 6 digits, e.g. 33 (Zhejiang) or 330106."),
    )

    class Meta:
        model = ServiceLevel
        fields = [
            "code",
            "name",
            "description",
            "rank",
            "service_types",
            "urgencies",
            "priorities",
            "customer_tags",
            "region_prefixes",
            "units",
            "calendar",
            "response_hours",
            "arrival_hours",
            "resolution_hours",
            "resolution_from",
            "at_risk_percent",
            "backup_unit_on_miss",
            "is_active",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 2}), "units": forms.SelectMultiple(attrs={"size": 4})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "calendar").queryset = WorkCalendar.objects.filter(is_active=True).order_by("code")
        model_choice(self, "units").queryset = OrgUnit.objects.filter(is_active=True).order_by("code")
        self.fields["units"].required = False
        for name in ("service_types", "urgencies", "priorities"):
            self.fields[name].widget.attrs.pop("class", None)
