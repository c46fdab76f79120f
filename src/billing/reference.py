"""Ready-made configuration a fresh install has: the seed's fee schedule (seed 000 第三篇 附件1
服务收费标准). Idempotent: it only creates the schedule when no fee schedule exists at all, so
an administrator's versions are never touched."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import override

from billing.choices import RateUnit
from core.choices import FeeKind

REFERENCE_EFFECTIVE_FROM = datetime.date(2020, 1, 1)
#: Not in the seed: the seed charges per day; a labour rate per hour is configurable (set yours).
REFERENCE_LABOUR_RATE = Decimal("100.00")


def reference_rates() -> list[Any]:
    from billing.services import RateSpec

    return [
        RateSpec(FeeKind.TRAVEL, RateUnit.ACTUAL, None, True, "实际发生费用，或客户提供"),
        RateSpec(FeeKind.LODGING, RateUnit.PER_DAY, Decimal("200.00"), True, "也可按实际或对方提供住宿"),
        RateSpec(FeeKind.MEALS, RateUnit.PER_DAY, Decimal("50.00"), True, "也可由对方提供"),
        RateSpec(FeeKind.ALLOWANCE, RateUnit.PER_DAY, Decimal("200.00"), False, "保障服务时此项收费"),
        RateSpec(FeeKind.LABOUR, RateUnit.PER_HOUR, REFERENCE_LABOUR_RATE, False, ""),
    ]


def install_reference_data(**kwargs: Any) -> None:
    from billing.models import FeeSchedule
    from billing.services import fee_schedule_create

    if FeeSchedule.objects.exists():
        return
    with override("zh-hans"):
        note = _("Seed fee schedule (附件1 服务收费标准); adjusted yearly.")
    fee_schedule_create(acting_user=None, effective_from=REFERENCE_EFFECTIVE_FROM, rates=reference_rates(), note=note)
