"""Ready-made warranty policies a fresh install has (SPEC §4 and the seeds' examples).

Installed after migrate: a scope (the default, or a category) that already has any policy
version is left alone, so admins' versions are never overwritten and running it again does
nothing. Missing categories are created by code; existing categories are not touched.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction

from policies.choices import StartBasis, StartFallback

#: Far enough back that every unit sold before the system was installed has a policy.
REFERENCE_EFFECTIVE_FROM = datetime.date(2000, 1, 1)

#: (category code, category name, category default months, policy name, policy terms)
REFERENCE_POLICIES: list[tuple[str, str, int, str, dict[str, Any]]] = [
    (
        "cash-sorter",
        "清分机",
        36,
        "清分机：整机36个月，自验收合格之日起",
        {
            "unit_months": 36,
            "start_basis": StartBasis.ACCEPTANCE,
            "start_fallback": StartFallback.NEEDS_REVIEW,
            "repeat_failure_threshold": 3,
            "repeat_same_fault_consecutive": True,
            "note": "Seed 004: 质保期36个月，自验收合格之日起计算；"
            "同一质量问题连续三次修理仍不能正常使用的更换新设备。",
        },
    ),
    (
        "network",
        "网络设备",
        36,
        "网络设备：硬件3年",
        {"unit_months": 36, "repair_warranty_days": 60, "note": "Seed: 网络设备硬件保修3年；维修后保修60天。"},
    ),
    (
        "notebook",
        "笔记本电脑",
        12,
        "笔记本电脑：整机1年，主要部件2年",
        {"unit_months": 12, "parts_months": 24, "parts": "主板, CPU, 内存, 硬盘, 显示屏"},
    ),
    (
        "phone",
        "手机",
        12,
        "手机：主机1年，电池6个月",
        {"unit_months": 12, "parts_months": 6, "parts": "电池"},
    ),
]
DEFAULT_POLICY_NAME = "通用三包政策（整机按型号保修月数，默认12个月）"


@transaction.atomic
def install_reference_data(**kwargs: Any) -> None:
    from catalog.models import ProductCategory
    from policies.models import WarrantyPolicy

    if not WarrantyPolicy.objects.filter(category__isnull=True, product_model__isnull=True).exists():
        WarrantyPolicy.objects.create(
            name=DEFAULT_POLICY_NAME,
            effective_from=REFERENCE_EFFECTIVE_FROM,
            note="《部分商品修理更换退货责任规定》: 7/15 days, two repairs, 90/30 days, 30-day repair warranty.",
        )
    for code, name, months, policy_name, terms in REFERENCE_POLICIES:
        category = ProductCategory.objects.filter(code=code).first()
        if category is None:
            category = ProductCategory.objects.create(code=code, name=name, warranty_months=months)
        if WarrantyPolicy.objects.filter(category=category, product_model__isnull=True).exists():
            continue
        WarrantyPolicy.objects.create(
            name=policy_name, category=category, effective_from=REFERENCE_EFFECTIVE_FROM, **terms
        )
