"""The seeds' commitments (SPEC §6) as ready-made service levels, installed after migrate.

Idempotent: a level whose code exists is left alone (admins' edits survive every migrate); a
level whose calendar is missing is skipped with a warning. The "5x10" calendar (Mon–Fri
08:00–18:00, for next-business-day parts) is created through the work-calendar service if absent.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

FIVE_BY_TEN: dict[str, Any] = {
    "code": "5x10",
    "name": _("Mon–Fri 08:00–18:00 (5×10)"),
    "hours": {day: [["08:00", "18:00"]] for day in ("mon", "tue", "wed", "thu", "fri")},
}
REPAIR_TYPES = ["repair", "installation", "maintenance", "inspection"]

REFERENCE_LEVELS: list[dict[str, Any]] = [
    {
        "code": "BACKUP-2H-3H",
        "name": _("On site in 2 h, fixed in 3 h, else a backup unit"),  # seed 002
        "rank": 40,
        "customer_tags": ["备用机承诺"],
        "calendar": "24x7",
        "response_hours": Decimal("1"),
        "arrival_hours": Decimal("2"),
        "resolution_hours": Decimal("3"),
        "resolution_from": "arrival",
        "backup_unit_on_miss": True,
    },
    {
        "code": "ONSITE-4H-24H",
        "name": _("On site in 4 h, resolved in 24 h"),  # seed 002
        "rank": 50,
        "customer_tags": ["VIP"],
        "calendar": "24x7",
        "response_hours": Decimal("1"),
        "arrival_hours": Decimal("4"),
        "resolution_hours": Decimal("24"),
    },
    {
        "code": "PARTS-7X24X4",
        "name": _("Spare part on site within 4 h, 7×24"),  # seed 000
        "rank": 55,
        "customer_tags": ["7×24×4"],
        "calendar": "24x7",
        "arrival_hours": Decimal("4"),
    },
    {
        "code": "PARTS-5X10-NBD",
        "name": _("Spare part next business day, 5×10×NBD"),  # seed 000
        "rank": 60,
        "customer_tags": ["5×10×NBD"],
        "calendar": "5x10",
        "arrival_hours": Decimal("10"),
    },
    {
        "code": "SAFETY-24H",
        "name": _("Urgent and safety faults on site within 24 h"),  # seed 001
        "rank": 100,
        "service_types": REPAIR_TYPES,
        "urgencies": ["safety", "urgent"],
        "calendar": "24x7",
        "response_hours": Decimal("24"),
        "arrival_hours": Decimal("24"),
    },
    {
        "code": "REPAIR-72H",
        "name": _("Low-priority repairs on site within 72 h"),  # seed 001, 002
        "rank": 190,
        "service_types": REPAIR_TYPES,
        "priorities": [4],
        "calendar": "24x7",
        "response_hours": Decimal("24"),
        "arrival_hours": Decimal("72"),
    },
    {
        "code": "REPAIR-48H",
        "name": _("Other repairs on site within 48 h"),  # seed 001
        "rank": 200,
        "service_types": REPAIR_TYPES,
        "calendar": "24x7",
        "response_hours": Decimal("24"),
        "arrival_hours": Decimal("48"),
    },
    {
        "code": "REMOTE-7X24",
        "name": _("Remote support centre 7×24: answered within 2 h"),  # seed 000, 002
        "rank": 300,
        "service_types": ["consultation", "technical_guidance", "software_upgrade"],
        "calendar": "24x7",
        "response_hours": Decimal("2"),
        "resolution_hours": Decimal("24"),
    },
    {
        "code": "RESOLVE-7WD",
        "name": _("Resolved within 7 working days, else refund or replacement is negotiated"),  # seed 002
        "rank": 400,
        "service_types": ["return", "exchange", "complaint", "claim"],
        "calendar": "standard",
        "response_hours": Decimal("8"),
        "resolution_hours": Decimal("56"),
        "description": _("7 working days of the standard calendar = 7 × 8 business hours."),
    },
    {
        "code": "REPLY-24H",
        "name": _("Every request answered within 24 h"),  # seed 002
        "rank": 900,
        "calendar": "24x7",
        "response_hours": Decimal("24"),
    },
]


def _ensure_five_by_ten() -> None:
    from workcalendar.models import WorkCalendar
    from workcalendar.services import work_calendar_create

    if not WorkCalendar.objects.filter(code=FIVE_BY_TEN["code"]).exists():
        work_calendar_create(
            acting_user=None, code=FIVE_BY_TEN["code"], name=str(FIVE_BY_TEN["name"]), hours=FIVE_BY_TEN["hours"]
        )


def install_reference_data() -> None:
    from django.utils import translation

    from sla.models import ServiceLevel
    from sla.services import service_level_create
    from workcalendar.models import WorkCalendar

    with translation.override("zh-hans"):
        _ensure_five_by_ten()
        existing = set(ServiceLevel.objects.values_list("code", flat=True))
        calendars = {calendar.code: calendar for calendar in WorkCalendar.objects.all()}
        for spec in REFERENCE_LEVELS:
            if spec["code"] in existing:
                continue
            calendar = calendars.get(spec["calendar"])
            if calendar is None:
                logger.warning("service level %s skipped: no calendar %s", spec["code"], spec["calendar"])
                continue
            fields = {key: value for key, value in spec.items() if key not in {"code", "name", "calendar"}}
            if "description" in fields:
                fields["description"] = str(fields["description"])
            service_level_create(
                acting_user=None, code=spec["code"], name=str(spec["name"]), calendar=calendar, **fields
            )
