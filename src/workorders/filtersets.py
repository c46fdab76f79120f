"""The work-order list's filters: one form that turns a query string into ``WorkOrderFilters``."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.db.models import F
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from core.models import OrgUnit
from core.scoping import scope_by_unit
from workorders.choices import Channel, ServiceType, Status, Urgency
from workorders.models import WorkOrder
from workorders.selectors import WorkOrderFilters

SORTS: dict[str, tuple[Any, ...]] = {
    "-submitted": ("-submitted_at", "-id"),
    "submitted": ("submitted_at", "id"),
    # Nearest open SLA deadline first; orders without one (no level, met, stopped) last.
    "deadline": (F("sla__nearest_deadline").asc(nulls_last=True), "-submitted_at", "-id"),
}
FILTER_KEYS = (
    "status",
    "service_type",
    "channel",
    "unit",
    "urgency",
    "sla_status",
    "submitted_from",
    "submitted_to",
    "q",
    "sort",
)


def _sla_status_choices() -> list[tuple[str, Any]]:
    """The SLA app's statuses, read from its model (workorders does not import the apps above it)."""
    from django.core.exceptions import FieldDoesNotExist

    try:
        related = WorkOrder._meta.get_field("sla").related_model
        return list(related._meta.get_field("status").choices or [])  # type: ignore[union-attr]
    except FieldDoesNotExist:
        return []


def _blank(choices: Any) -> list[tuple[str, Any]]:
    return [("", _("All")), *choices]


class WorkOrderFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.MultipleChoiceField(label=_("Status"), required=False, choices=Status.choices)
    service_type = forms.ChoiceField(label=_("Service type"), required=False, choices=_blank(ServiceType.choices))
    channel = forms.ChoiceField(label=_("Channel"), required=False, choices=_blank(Channel.choices))
    urgency = forms.ChoiceField(label=_("Urgency"), required=False, choices=_blank(Urgency.choices))
    unit = forms.ModelChoiceField(
        label=_("Unit"), required=False, queryset=OrgUnit.objects.none(), empty_label=_("All")
    )
    submitted_from = forms.DateField(
        label=_("Submitted from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    submitted_to = forms.DateField(
        label=_("Submitted to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    sla_status = forms.ChoiceField(label=_("SLA status"), required=False, choices=[("", _("All"))])
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[
            ("-submitted", _("Newest first")),
            ("submitted", _("Oldest first")),
            ("deadline", _("Nearest deadline first")),
        ],
    )

    def __init__(self, data: QueryDict | None, *, user: Any) -> None:
        super().__init__(data)
        sla_status = self.fields["sla_status"]
        assert isinstance(sla_status, forms.ChoiceField)
        sla_status.choices = _blank(_sla_status_choices())
        unit = self.fields["unit"]
        assert isinstance(unit, forms.ModelChoiceField)
        unit.queryset = scope_by_unit(OrgUnit.objects.filter(is_active=True), user, field="pk")
        for name, field in self.fields.items():
            css = (
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm"
            )
            field.widget.attrs.setdefault("class", css)
            field.widget.attrs.setdefault("id", f"id_filter_{name}")
        self.fields["status"].widget.attrs["size"] = 5
        self.fields["q"].widget.input_type = "search"
        self.fields["q"].widget.attrs["placeholder"] = _("Number, name, phone, words")

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        start, end = cleaned.get("submitted_from"), cleaned.get("submitted_to")
        if start and end and start > end:
            self.add_error("submitted_to", _("The end date is before the start date."))
        return cleaned

    def filters(self) -> WorkOrderFilters:
        """The valid part of the query: an invalid field is ignored (and shown as an error)."""
        data = self.cleaned_data if self.is_bound else {}
        unit = data.get("unit")
        return WorkOrderFilters(
            status=list(data.get("status") or []) or None,
            service_type=data.get("service_type") or "",
            channel=data.get("channel") or "",
            urgency=data.get("urgency") or "",
            unit=unit.pk if unit else None,
            submitted_from=data.get("submitted_from"),
            submitted_to=data.get("submitted_to"),
            q=(data.get("q") or "").strip(),
            sla_status=data.get("sla_status") or "",
        )

    def ordering(self) -> tuple[Any, ...]:
        sort = (self.cleaned_data.get("sort") if self.is_bound else "") or "-submitted"
        return SORTS.get(sort, SORTS["-submitted"])


def filter_query_string(query: QueryDict) -> str:
    """Only the filter keys of a query (no page, no htmx noise): what a saved view stores."""
    pairs = [(key, value) for key in FILTER_KEYS for value in query.getlist(key) if value]
    return urlencode(pairs)
