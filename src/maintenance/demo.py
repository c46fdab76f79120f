"""Demo content of preventive maintenance (seed 004: a quarterly inspection of every cash sorter,
the results reported to the bank's first-level branch): the demo's bank customers with cash
sorters get their first-level branch as parent organisation, each such bank gets a quarterly
inspection plan over its sorters, the plans generate their orders up to today's horizon, and
the oldest orders are worked through with recorded results (one voltage out of limits).
Deterministic for the demo's seed and date; idempotent (stops when plans exist). Called by the
demo loader: ``maintenance.demo.load_demo_maintenance()``."""

from __future__ import annotations

import logging
import random
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.exceptions import TransitionNotAllowed
from customers.services import customer_create, customer_update
from devices.models import Device
from maintenance.choices import ItemKind
from maintenance.models import ChecklistTemplate, MaintenancePlan, Occurrence
from maintenance.reference import CASH_SORTER_CODE
from maintenance.schedule import add_months
from maintenance.services import inspection_record, plan_create, plan_generate
from workorders.services import workorder_transition

logger = logging.getLogger(__name__)

BANK_PREFIXES = (
    "中国工商银行",
    "中国建设银行",
    "中国农业银行",
    "中国银行",
    "交通银行",
    "招商银行",
    "邮储银行",
    "杭州银行",
    "北京银行",
    "广州农商银行",
    "郑州银行",
    "成都银行",
)
MAX_BANKS = 4
SORTER_CATEGORIES = ("cash-sorter", "SORTER")  # the ready-made category, or the demo table's own
WORKED_ORDERS = 4


def _user(username: str) -> Any | None:
    return get_user_model().objects.filter(username=username, is_active=True).first()


def _bank_of(name: str) -> str:
    return next((prefix for prefix in BANK_PREFIXES if name.startswith(prefix)), "")


def load_demo_maintenance() -> dict[str, int]:
    created = {"parent organisations": 0, "plans": 0, "orders": 0, "results": 0}
    if MaintenancePlan.objects.exists():
        return created
    director, agent = _user("director"), _user("agent")
    technician, qc = _user("technician"), _user("qc")
    checklist = ChecklistTemplate.objects.filter(code=CASH_SORTER_CODE).first()
    if director is None or agent is None or checklist is None:
        return created
    today = timezone.localdate()
    sorters = list(
        Device.objects.filter(product_model__category__code__in=SORTER_CATEGORIES, customer__kind="organisation")
        .select_related("customer")
        .order_by("pk")
    )
    groups: dict[tuple[str, str], list[Device]] = defaultdict(list)
    for device in sorters:
        bank = _bank_of(device.customer.name)
        if bank:
            groups[(bank, device.customer.city)].append(device)
    rng = random.Random(f"maintenance-demo-{today.isoformat()}")
    starts_on = add_months(_quarter_end(today), -6)
    for (bank, city), devices in sorted(groups.items(), key=lambda kv: -len(kv[1]))[:MAX_BANKS]:
        first = devices[0].customer
        short_city = (city or "").removesuffix("市")
        parent = customer_create(
            acting_user=None,
            name=f"{bank}{short_city}分行",
            phone=first.phone,
            kind="organisation",
            address=first.address,
            unit=first.unit,
            notes="一级分行：辖内网点清分机巡检结果按季度报送。",
        )
        created["parent organisations"] += 1
        for branch in sorted({d.customer for d in devices}, key=lambda c: c.pk):
            customer_update(customer=branch, acting_user=None, changes={"parent": parent})
        plan = plan_create(
            acting_user=None,
            name=f"{bank}{short_city}分行清分机季度巡检",
            service_type="inspection",
            interval_months=3,
            starts_on=starts_on,
            devices=[d.pk for d in devices],
            checklist=checklist,
            non_working="earlier",
            horizon_days=14,
        )
        created["plans"] += 1
        created["orders"] += plan_generate(plan=plan, until=today + timedelta(days=plan.horizon_days))
        if technician is not None and qc is not None:
            created["results"] += _work_oldest(plan, rng, agent=agent, director=director, technician=technician, qc=qc)
    return created


def _quarter_end(day: date) -> date:
    """The last day of the quarter ``day`` is in (31 Mar, 30 Jun, 30 Sep, 31 Dec)."""
    end_month = ((day.month - 1) // 3) * 3 + 3
    return add_months(date(day.year, end_month, 1), 1) - timedelta(days=1)


def _technician_for(order: Any) -> Any | None:
    """A technician of the unit serving the order or of a unit above it (first by username)."""
    from core.choices import Role
    from core.scoping import unit_ancestry

    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.TECHNICIAN, profile__unit_id__in=unit_ancestry(order.unit_id))
        .order_by("username")
        .first()
    )


def _work_oldest(
    plan: MaintenancePlan, rng: random.Random, *, agent: Any, director: Any, technician: Any, qc: Any
) -> int:
    """The plan's oldest orders done on site: each item recorded, one voltage out of limits."""
    recorded = 0
    items = list(plan.checklist.items.order_by("position")) if plan.checklist else []
    for index, occurrence in enumerate(
        Occurrence.objects.filter(plan=plan)
        .select_related("work_order")
        .order_by("due_on", "device_id")[:WORKED_ORDERS]
    ):
        order = occurrence.work_order
        if order is None:
            continue
        try:
            order = workorder_transition(order=order, action="accept", acting_user=agent, data={"charge_type": "free"})
            technician = _technician_for(order) or technician
            order = workorder_transition(
                order=order, action="assign", acting_user=director, data={"technician": technician.pk}
            )
            order = workorder_transition(order=order, action="start", acting_user=technician)
            for item in items:
                if item.kind == ItemKind.MEASURE:
                    low = item.lower_limit if item.lower_limit is not None else Decimal("0")
                    high = item.upper_limit if item.upper_limit is not None else low + 10
                    value = (low + high) / 2 + Decimal(rng.randint(-5, 5)) / 10
                    if index == 0 and item.unit == "V":
                        value = high + Decimal("6")  # the one finding of the demo: supply voltage too high
                    inspection_record(
                        order=order, acting_user=technician, item=item, value=str(value.quantize(Decimal("0.1")))
                    )
                elif index == 1 and "传感器" in item.label:
                    inspection_record(
                        order=order,
                        acting_user=technician,
                        item=item,
                        outcome="issue",
                        note="传感器积尘较多，已清洁，建议缩短清洁周期。",
                    )
                else:
                    inspection_record(order=order, acting_user=technician, item=item, outcome="ok")
                recorded += 1
            if index < WORKED_ORDERS - 1:  # the last one stays in progress (results half recorded on a phone)
                order = workorder_transition(
                    order=order, action="submit_qc", acting_user=technician, data={"note": "季度巡检完成"}
                )
                order = workorder_transition(order=order, action="qc_pass", acting_user=qc)
                workorder_transition(
                    order=order,
                    action="sign_off",
                    acting_user=None,
                    by_customer=True,
                    data={"signer_name": "网点负责人"},
                )
        except (ValidationError, TransitionNotAllowed, PermissionDenied):
            logger.warning("demo maintenance order %s could not be worked through", order.number, exc_info=True)
    return recorded
