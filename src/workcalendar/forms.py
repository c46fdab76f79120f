"""Forms of the calendar pages: they collect input; the services validate and write."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapMixin
from workcalendar.calendar import WEEKDAY_KEYS
from workcalendar.hours import WEEKDAY_NAMES, day_text, parse_day_text
from workcalendar.models import DayKind, WorkCalendar

HOURS_HELP = _("Intervals like 09:00-12:00, 13:00-18:00; empty: a day off.")


class WorkCalendarForm(BootstrapMixin, forms.Form):
    code = forms.CharField(label=_("code"), max_length=32)
    name = forms.CharField(label=_("name"), max_length=100)
    timezone = forms.CharField(label=_("timezone"), max_length=64, initial="Asia/Shanghai")
    always_open = forms.BooleanField(label=_("open 7×24"), required=False)
    use_chinese_holidays = forms.BooleanField(label=_("Chinese statutory holidays"), required=False, initial=True)
    is_active = forms.BooleanField(label=_("active"), required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args: Any, calendar: WorkCalendar | None = None, **kwargs: Any) -> None:
        self.calendar = calendar
        if calendar is not None:
            initial = kwargs.setdefault("initial", {})
            initial.update(
                code=calendar.code,
                name=calendar.name,
                timezone=calendar.timezone,
                always_open=calendar.always_open,
                use_chinese_holidays=calendar.use_chinese_holidays,
                is_active=calendar.is_active,
                version=calendar.version,
            )
            for key in WEEKDAY_KEYS:
                initial[f"hours_{key}"] = day_text((calendar.hours or {}).get(key, []))
        super().__init__(*args, **kwargs)
        for index, key in enumerate(WEEKDAY_KEYS):
            self.fields[f"hours_{key}"] = forms.CharField(
                label=WEEKDAY_NAMES[index], required=False, max_length=200, help_text=HOURS_HELP if index == 0 else ""
            )
        if calendar is not None:
            self.fields["code"].disabled = True
        else:
            del self.fields["is_active"]
        self.style_fields()

    def hours_json(self) -> dict[str, list[list[str]]]:
        hours = {}
        for key in WEEKDAY_KEYS:
            intervals = parse_day_text(self.cleaned_data.get(f"hours_{key}", ""))
            if intervals:
                hours[key] = intervals
        return hours

    def changes(self) -> dict[str, Any]:
        data = {
            "name": self.cleaned_data["name"],
            "timezone": self.cleaned_data["timezone"],
            "always_open": self.cleaned_data["always_open"],
            "use_chinese_holidays": self.cleaned_data["use_chinese_holidays"],
            "hours": self.hours_json(),
        }
        if "is_active" in self.fields:
            data["is_active"] = self.cleaned_data["is_active"]
        return data


SCOPE_NATIONAL = "national"
SCOPE_CALENDAR = "calendar"


class CalendarDayForm(BootstrapMixin, forms.Form):
    date = forms.DateField(label=_("date"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("kind"), choices=DayKind.choices)
    name = forms.CharField(label=_("name"), max_length=100, required=False)
    scope = forms.ChoiceField(
        label=_("applies to"),
        choices=[
            (SCOPE_NATIONAL, _("Every calendar that follows Chinese holidays (State Council dates)")),
            (SCOPE_CALENDAR, _("This calendar only")),
        ],
        initial=SCOPE_NATIONAL,
    )


class CalendarDayImportForm(BootstrapMixin, forms.Form):
    text = forms.CharField(
        label=_("dates"),
        max_length=100_000,
        widget=forms.Textarea(
            # holiday / workday are the format's keywords; the names are the reader's example.
            attrs={
                "rows": 6,
                "placeholder": _("2027-01-01,holiday,New Year's Day\n2027-02-07,workday,Spring Festival make-up day"),
            }
        ),
        help_text=_(
            "One date per line: date,holiday|workday,name. All lines are checked; nothing is saved if one is wrong."
        ),
    )
    file = forms.FileField(label=_("or a CSV file"), required=False)
    scope = forms.ChoiceField(label=_("applies to"), choices=CalendarDayForm.base_fields["scope"].choices)  # type: ignore[attr-defined]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["text"].required = False


class HolidayYearCompleteForm(BootstrapMixin, forms.Form):
    """Mark a year's national list complete; the box confirms festivals that have no entry."""

    confirm_missing = forms.BooleanField(
        label=_("Mark complete although these festivals have no entry"),
        required=False,
        help_text=_("Only if the State Council's notice gives no days off for them this year."),
    )


class DeadlineForm(BootstrapMixin, forms.Form):
    start = forms.DateTimeField(label=_("start"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    hours = forms.CharField(label=_("business hours"), max_length=32)
