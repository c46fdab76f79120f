"""The demo's preventive maintenance (seed 004): quarterly inspection plans over the banks' cash
sorters, the branches reporting to their first-level branch, generated orders and recorded
results. One shared load (rolled back at the end), on whatever day the suite runs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone

from maintenance.demo import load_demo_maintenance
from maintenance.models import InspectionResult, MaintenancePlan, Occurrence
from maintenance.selectors import inspection_rollup
from tests.demo.support import enter_admin_holidays

SCALE = 0.3
pytestmark = pytest.mark.xdist_group("maintenance-demo")


@pytest.fixture(scope="module")
def demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[Any]:
    from demo.loader import load_demo

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            enter_admin_holidays()
            yield load_demo(scale=SCALE, seed=2026, log=lambda _: None)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def loaded(demo: Any, db: Any) -> Any:
    return demo


def test_quarterly_plans_over_the_bank_sorters(loaded: Any) -> None:
    plans = list(MaintenancePlan.objects.all())
    assert plans, loaded.counts
    for plan in plans:
        assert plan.interval_months == 3 and plan.service_type == "inspection"
        assert plan.checklist is not None and "清分机" in plan.name
        devices = list(plan.devices.select_related("customer__parent", "product_model__category"))
        assert devices and {d.product_model.category.code for d in devices} <= {"SORTER", "cash-sorter"}
        parents = {d.customer.parent for d in devices}
        assert len(parents) == 1 and None not in parents  # every branch reports to one first-level branch
        assert all(
            occ.due_on <= timezone.localdate() + timezone.timedelta(days=plan.horizon_days)
            for occ in plan.occurrences.all()
        )
    assert Occurrence.objects.filter(work_order=None).count() == 0
    assert Occurrence.objects.count() >= 2 * len(plans)


def test_some_orders_have_recorded_results_and_a_finding(loaded: Any) -> None:
    assert InspectionResult.objects.count() > 0
    assert InspectionResult.objects.filter(out_of_limit=True).exists()
    completed = Occurrence.objects.filter(work_order__completed_at__isnull=False)
    assert completed.exists()


def test_rollup_of_a_first_level_branch(loaded: Any) -> None:
    from django.contrib.auth import get_user_model

    director = get_user_model().objects.get(username="director")
    plan = MaintenancePlan.objects.order_by("pk").first()
    assert plan is not None
    parent = plan.devices.select_related("customer__parent").first().customer.parent  # type: ignore[union-attr]
    occ = plan.occurrences.order_by("due_on").first()
    assert occ is not None
    report = inspection_rollup(
        user=director, customer=parent, start=occ.due_on, end=occ.due_on.replace(year=occ.due_on.year + 1)
    )
    assert report["totals"]["due"] == plan.occurrences.filter(due_on__gte=occ.due_on).count()
    assert len(report["rows"]) >= 2


def test_a_second_run_creates_nothing(loaded: Any) -> None:
    assert load_demo_maintenance() == {"parent organisations": 0, "plans": 0, "orders": 0, "results": 0}
