"""Ready-made reference data of maintenance: the cash sorter's quarterly inspection checklist
(清分机季度巡检表, seed 004), installed after every migrate when missing; admins edit it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

CASH_SORTER_CODE = "cash-sorter-inspection"

ITEMS: list[tuple[str, str, str, Decimal | None, Decimal | None]] = [
    ("外观及机身清洁", "check", "", None, None),
    ("进钞、出钞通道清洁", "check", "", None, None),
    ("传感器清洁及校准", "check", "", None, None),
    ("软件版本核对（冠字号、新版币识别）", "check", "", None, None),
    ("走钞速度", "measure", "张/分", Decimal("900"), Decimal("1200")),
    ("供电电压", "measure", "V", Decimal("198"), Decimal("242")),
    ("整机接地电阻", "measure", "Ω", None, Decimal("4")),
    ("试运行（1000张混合券）", "check", "", None, None),
]


def install_reference_data(**kwargs: Any) -> int:
    from maintenance.models import ChecklistTemplate, ChecklistTemplateItem

    template, created = ChecklistTemplate.objects.get_or_create(
        code=CASH_SORTER_CODE, defaults={"name": "清分机季度巡检表"}
    )
    if not created:
        return 0
    ChecklistTemplateItem.objects.bulk_create(
        ChecklistTemplateItem(
            template=template,
            position=position * 10,
            label=label,
            kind=kind,
            unit=unit,
            lower_limit=low,
            upper_limit=high,
        )
        for position, (label, kind, unit, low, high) in enumerate(ITEMS, start=1)
    )
    return 1
