"""Ready-made calendars every fresh install has (SPEC §6), installed after migrate.

Idempotent: a calendar whose code exists is left alone, so admins' edits survive every migrate.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

OFFICE_LUNCH = [["09:00", "12:00"], ["13:00", "18:00"]]
OFFICE_DAY = [["09:00", "17:00"]]
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")

REFERENCE_CALENDARS: list[dict[str, Any]] = [
    {
        "code": "24x7",
        "name": _("Around the clock (7×24)"),
        "always_open": True,
        "use_chinese_holidays": False,
        "hours": {},
    },
    {
        "code": "standard",
        "name": _("Working days 09:00–18:00 with lunch break"),
        "always_open": False,
        "use_chinese_holidays": True,
        "hours": {day: OFFICE_LUNCH for day in WEEKDAYS},
    },
    {
        "code": "office",
        "name": _("Office hours 09:00–17:00"),
        "always_open": False,
        "use_chinese_holidays": True,
        "hours": {day: OFFICE_DAY for day in WEEKDAYS},
    },
]


def install_reference_data(**kwargs: Any) -> None:
    from django.utils import translation

    from workcalendar.models import WorkCalendar
    from workcalendar.services import work_calendar_create

    existing = set(WorkCalendar.objects.values_list("code", flat=True))
    with translation.override("zh-hans"):
        for spec in REFERENCE_CALENDARS:
            if spec["code"] in existing:
                continue
            work_calendar_create(acting_user=None, **{**spec, "name": str(spec["name"])})
