"""Ready-made configuration of the parts app: the message telling staff a spare unit is overdue.
Installed after every migrate, only what is missing (an admin's edit is never overwritten)."""

from __future__ import annotations

from typing import Any

ZH = (
    "备用机逾期未还：{{ serial_number }}",
    "备用机 {{ serial_number }}（工单 {{ order_number }}）应于 {{ due_back }} 归还，已逾期 {{ days_overdue }} 天。",
)
EN = (
    "Spare unit overdue: {{ serial_number }}",
    "Spare unit {{ serial_number }} (order {{ order_number }}) was due back on {{ due_back }}: "
    "{{ days_overdue }} day(s) overdue.",
)
TEMPLATES = {("in_app", "zh-hans"): ZH, ("in_app", "en"): EN, ("email", "zh-hans"): ZH, ("email", "en"): EN}


def install_reference_data(**kwargs: Any) -> int:
    from notify.models import MessageTemplate
    from parts.services import LOANER_OVERDUE_TEMPLATE

    created = 0
    for (channel, language), (subject, body) in TEMPLATES.items():
        _, made = MessageTemplate.objects.get_or_create(
            key=LOANER_OVERDUE_TEMPLATE, channel=channel, language=language, defaults={"subject": subject, "body": body}
        )
        created += int(made)
    return created
