"""Weekly working hours as people and integrators write them, validated with localised errors.

Stored (and sent in the API) as ``{"mon": [["09:00", "12:00"], ["13:00", "18:00"]], …}``;
"24:00" (or "00:00" as an end) is midnight at the end of the day. Every problem names the field
(``hours`` or ``timezone``) and the weekday, so forms and the API's error body can show it.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Mapping
from datetime import time
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from workcalendar.calendar import MIDNIGHT, WEEKDAY_KEYS, interval_problems

WEEKDAY_NAMES = (
    gettext_lazy("Monday"),
    gettext_lazy("Tuesday"),
    gettext_lazy("Wednesday"),
    gettext_lazy("Thursday"),
    gettext_lazy("Friday"),
    gettext_lazy("Saturday"),
    gettext_lazy("Sunday"),
)

_TIME = re.compile(r"^([01]?\d|2[0-4]):([0-5]\d)$")
_RANGE_SPLIT = re.compile(r"\s*[-–—~～至]\s*")


def parse_time(value: Any, *, is_end: bool) -> time:
    """ "09:00" → 09:00; "24:00" is accepted as an end only (midnight at the end of the day)."""
    text = str(value).strip() if isinstance(value, str | int) else ""
    match = _TIME.match(text)
    if not match:
        raise ValueError(_("“%(value)s” is not a time; write it as HH:MM, e.g. 09:00.") % {"value": value})
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour == 24:
        if minute or not is_end:
            raise ValueError(_("“%(value)s” is not a time; write it as HH:MM, e.g. 09:00.") % {"value": value})
        return MIDNIGHT
    return time(hour, minute)


def format_time(value: time, *, is_end: bool) -> str:
    return "24:00" if is_end and value == MIDNIGHT else value.strftime("%H:%M")


def validate_calendar_definition(*, timezone: str, always_open: bool, hours: Any) -> dict[str, list[list[str]]]:
    """The normalised hours JSON (weekdays in order, intervals sorted, "HH:MM"), or ValidationError."""
    errors: dict[str, list[str]] = {}
    try:
        if not timezone or not isinstance(timezone, str):
            raise ValueError
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        errors["timezone"] = [
            _("Unknown timezone “%(value)s”; use an IANA name such as Asia/Shanghai.") % {"value": timezone}
        ]
    normalised: dict[str, list[list[str]]] = {}
    hour_errors: list[str] = []
    if hours in (None, ""):
        hours = {}
    if not isinstance(hours, Mapping):
        hour_errors.append(_('Working hours must be an object like {"mon": [["09:00", "12:00"]]}.'))
        hours = {}
    for key, intervals in hours.items():
        if key not in WEEKDAY_KEYS:
            hour_errors.append(
                _("Unknown weekday “%(value)s”; use mon, tue, wed, thu, fri, sat or sun.") % {"value": key}
            )
            continue
        day_name = WEEKDAY_NAMES[WEEKDAY_KEYS.index(key)]
        parsed: list[tuple[time, time]] = []
        if not isinstance(intervals, list | tuple):
            hour_errors.append(_("%(day)s: give a list of [start, end] pairs.") % {"day": day_name})
            continue
        for pair in intervals:
            if not isinstance(pair, list | tuple) or len(pair) != 2:
                hour_errors.append(_("%(day)s: each interval is a pair [start, end].") % {"day": day_name})
                continue
            try:
                parsed.append((parse_time(pair[0], is_end=False), parse_time(pair[1], is_end=True)))
            except ValueError as error:
                hour_errors.append(f"{day_name}: {error}")
        for kind, first, second in interval_problems(parsed):
            label = f"{format_time(first[0], is_end=False)}–{format_time(first[1], is_end=True)}"
            if kind == "inverted":
                hour_errors.append(
                    _("%(day)s: %(interval)s ends before it starts (or is empty).")
                    % {"day": day_name, "interval": label}
                )
            else:
                other = f"{format_time(second[0], is_end=False)}–{format_time(second[1], is_end=True)}"  # type: ignore[index]
                hour_errors.append(
                    _("%(day)s: %(interval)s overlaps %(other)s.")
                    % {"day": day_name, "interval": label, "other": other}
                )
        if parsed:
            normalised[key] = [[format_time(s, is_end=False), format_time(e, is_end=True)] for s, e in sorted(parsed)]
    if not hour_errors and not always_open and not normalised:
        hour_errors.append(
            _("The calendar has no working time at all: give at least one weekday working hours, or make it 7×24.")
        )
    if hour_errors:
        errors["hours"] = hour_errors
    if errors:
        raise ValidationError(errors)
    return {key: normalised[key] for key in WEEKDAY_KEYS if key in normalised}


def weekly_hours_from_json(hours: Mapping[str, Any]) -> dict[int, tuple[tuple[time, time], ...]]:
    """Stored (already validated) JSON → the pure calendar's ``{0: ((09:00, 12:00), …)}``."""
    weekly: dict[int, tuple[tuple[time, time], ...]] = {}
    for index, key in enumerate(WEEKDAY_KEYS):
        intervals = hours.get(key) or []
        if intervals:
            weekly[index] = tuple(
                sorted((parse_time(s, is_end=False), parse_time(e, is_end=True)) for s, e in intervals)
            )
    return weekly


def day_text(intervals: list[list[str]]) -> str:
    """[["09:00","12:00"],["13:00","18:00"]] → "09:00-12:00, 13:00-18:00" (the form's format)."""
    return ", ".join(f"{s}-{e}" for s, e in intervals)


def hours_rows(hours: Mapping[str, Any] | None, *, every_day: bool = False) -> list[dict[str, Any]]:
    """The weekly hours as people read them: the weekday's name (never its key ``mon``) and its
    intervals, Monday first; without ``every_day`` only the days with hours (issue 18, point 7)."""
    rows = []
    for index, key in enumerate(WEEKDAY_KEYS):
        intervals = (hours or {}).get(key) or []
        if intervals or every_day:
            rows.append({"day": WEEKDAY_NAMES[index], "text": day_text(intervals)})
    return rows


def parse_day_text(text: str) -> list[list[str]]:
    """ "09:00-12:00, 13:00-18:00" → [["09:00","12:00"],["13:00","18:00"]] (validated later)."""
    result: list[list[str]] = []
    for chunk in re.split(r"[,，;；\s]+(?=\d)", (text or "").strip()):
        chunk = chunk.strip().strip(",，;；")
        if not chunk:
            continue
        parts = _RANGE_SPLIT.split(chunk)
        result.append(parts if len(parts) == 2 else [chunk, ""])
    return result
