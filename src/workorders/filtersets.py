"""The work-order list's filters: one form that turns a query string into ``WorkOrderFilters``."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from core.models import OrgUnit
from core.scoping import scope_by_unit
from workorders.choices import Channel, ServiceType, Status, Urgency
from workorders.list_extensions import list_filters, list_sorts
from workorders.selectors import WorkOrderFilters

#: The list's own sort keys; apps above add theirs (workorders.list_extensions), e.g. the SLA's
#: "nearest deadline first".
OWN_SORTS: dict[str, tuple[Any, ...]] = {
    "-submitted": ("-submitted_at", "-id"),
    "submitted": ("submitted_at", "id"),
}
OWN_FILTER_KEYS = (
    "status",
    "service_type",
    "channel",
    "unit",
    "urgency",
    "submitted_from",
    "submitted_to",
    "q",
    "sort",
)


OWN_SORT_CHOICES = [("-submitted", _("Newest first")), ("submitted", _("Oldest first"))]


def sorts() -> dict[str, tuple[Any, ...]]:
    return {**OWN_SORTS, **{sort.key: sort.ordering for sort in list_sorts()}}


def filter_keys() -> tuple[str, ...]:
    return (*OWN_FILTER_KEYS, *(f.name for f in list_filters()))


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
    sort = forms.ChoiceField(label=_("Sort"), required=False, choices=OWN_SORT_CHOICES)

    def __init__(self, data: QueryDict | None, *, user: Any) -> None:
        super().__init__(data)
        # The apps' filters come before the sort, their sort keys after the list's own.
        sort = self.fields.pop("sort")
        for list_filter in list_filters():
            self.fields[list_filter.name] = forms.ChoiceField(
                label=str(list_filter.label), required=False, choices=_blank(list_filter.choices())
            )
        assert isinstance(sort, forms.ChoiceField)
        sort.choices = [*OWN_SORT_CHOICES, *((s.key, s.label) for s in list_sorts())]
        self.fields["sort"] = sort
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
            extra={f.name: data[f.name] for f in list_filters() if data.get(f.name)},
        )

    def ordering(self) -> tuple[Any, ...]:
        sort = (self.cleaned_data.get("sort") if self.is_bound else "") or "-submitted"
        known = sorts()
        return known.get(sort, known["-submitted"])


def filter_query_string(query: QueryDict) -> str:
    """Only the filter keys of a query (no page, no htmx noise): what a saved view stores."""
    pairs = [(key, value) for key in filter_keys() for value in query.getlist(key) if value]
    return urlencode(pairs)
