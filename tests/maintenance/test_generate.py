"""Generation: one work order per device and due occurrence, through the work-order services,
routed to the device's unit, never twice — however often or concurrently it runs."""

from __future__ import annotations

import threading
from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from maintenance.models import MaintenancePlan, Occurrence
from maintenance.services import Due, _create_occurrence, plan_create, plan_generate, plans_generate_due
from policies.services import contract_create
from workorders.models import WorkOrder
from workorders.services import workorder_transition

pytestmark = pytest.mark.django_db


def test_generates_one_order_per_device_and_occurrence(plan: MaintenancePlan, devices_a: list[Any]) -> None:
    assert plan_generate(plan=plan, until=date(2026, 12, 30)) == 3 * 3  # 31 Mar, 30 Jun, 30 Sep
    dues = sorted({occ.due_on for occ in Occurrence.objects.filter(plan=plan)})
    assert dues == [date(2026, 3, 31), date(2026, 6, 30), date(2026, 9, 30)]
    orders = WorkOrder.objects.filter(maintenance_occurrence__plan=plan)
    assert orders.count() == 9
    assert plan_generate(plan=plan, until=date(2026, 12, 31)) == 3  # 31 Dec: back to the 31st
    assert set(orders.values_list("service_type", flat=True)) == {"inspection"}
    assert set(orders.values_list("status", flat=True)) == {"submitted"}
    assert all(o.device_id in {d.pk for d in devices_a} for o in orders)
    order = orders.order_by("pk").first()
    assert order is not None and "清分机季度巡检" in order.description
    assert order.events.filter(kind="created").count() == 1


def test_repeat_runs_create_nothing(plan: MaintenancePlan) -> None:
    assert plan_generate(plan=plan, until=date(2026, 6, 30)) == 6
    assert plan_generate(plan=plan, until=date(2026, 6, 30)) == 0
    assert plan_generate(plan=plan, until=date(2026, 9, 30)) == 3
    assert WorkOrder.objects.count() == 9


def test_the_constraint_refuses_a_twin_even_without_the_pre_read(plan: MaintenancePlan, devices_a: list[Any]) -> None:
    """The insert itself is the guard: a twin (as a concurrent run would insert) creates nothing."""
    plan_generate(plan=plan, until=date(2026, 3, 31))
    before = WorkOrder.objects.count()
    twin = Due(device=devices_a[0], sequence=0, due_on=date(2026, 3, 31))
    assert _create_occurrence(plan, twin, lambda day: True) is False
    assert WorkOrder.objects.count() == before
    assert Occurrence.objects.filter(plan=plan, device=devices_a[0]).count() == 1


def test_routed_to_the_device_unit(plan: MaintenancePlan, devices_a: list[Any], org: Any) -> None:
    device = devices_a[0]
    type(device).objects.filter(pk=device.pk).update(unit=org.centre)
    plan_generate(plan=plan, until=date(2026, 3, 31))
    order = WorkOrder.objects.get(device=device)
    assert order.unit_id == org.centre.pk


def test_non_working_due_date_moves_with_the_work_calendar(today: date, devices_a: list[Any], director: Any) -> None:
    """28 Mar 2026 is a Saturday: moved to Fri 27 Mar (earlier) or Mon 30 Mar (later)."""
    for rule, expected in (("earlier", date(2026, 3, 27)), ("later", date(2026, 3, 30))):
        plan = plan_create(
            acting_user=director,
            name=f"保养 {rule}",
            service_type="maintenance",
            interval_months=1,
            starts_on=date(2026, 3, 28),
            devices=[devices_a[0].pk],
            non_working=rule,
        )
        plan_generate(plan=plan, until=date(2026, 3, 28))
        occ = Occurrence.objects.get(plan=plan)
        assert (occ.due_on, occ.planned_on) == (date(2026, 3, 28), expected)


def test_floating_schedule_counts_from_the_last_completion(
    today: date, devices_a: list[Any], director: Any, agent: Any, technician: Any, qc_inspector: Any
) -> None:
    plan = plan_create(
        acting_user=director,
        name="浮动保养",
        service_type="maintenance",
        interval_days=30,
        starts_on=date(2026, 3, 2),
        devices=[devices_a[0].pk],
        schedule="floating",
        non_working="keep",
    )
    assert plan_generate(plan=plan, until=date(2026, 12, 31)) == 1  # the next only after completion
    assert plan_generate(plan=plan, until=date(2026, 12, 31)) == 0
    order = Occurrence.objects.get(plan=plan).work_order
    order = workorder_transition(order=order, action="accept", acting_user=agent, data={"charge_type": "free"})
    order = workorder_transition(order=order, action="assign", acting_user=director, data={"technician": technician.pk})
    order = workorder_transition(order=order, action="start", acting_user=technician)
    order = workorder_transition(order=order, action="submit_qc", acting_user=technician, data={"note": "保养完成"})
    order = workorder_transition(order=order, action="qc_pass", acting_user=qc_inspector)
    order = workorder_transition(
        order=order, action="sign_off", acting_user=None, by_customer=True, data={"signer_name": "王经理"}
    )
    assert order.completed_at is not None
    assert plan_generate(plan=plan, until=date(2026, 12, 31)) == 1
    second = Occurrence.objects.get(plan=plan, sequence=1)
    assert second.due_on == date(2026, 4, 1)  # completed 2 Mar + 30 days


def test_contract_plan_covers_every_device_of_the_contract(
    today: date, customer_a: Any, devices_a: list[Any], director: Any
) -> None:
    contract = contract_create(
        acting_user=None,
        customer=customer_a,
        kind="annual_maintenance",
        starts_on=date(2026, 1, 1),
        ends_on=date(2026, 12, 31),
    )
    plan = plan_create(
        acting_user=director,
        name="维保合同巡检",
        service_type="inspection",
        interval_months=3,
        starts_on=date(2026, 3, 31),
        contract=contract,
        non_working="keep",
    )
    assert plan_generate(plan=plan, until=date(2026, 3, 31)) == len(devices_a)


def test_daily_run_uses_each_plan_horizon(plan: MaintenancePlan) -> None:
    assert plans_generate_due(today=date(2026, 3, 16)) == 0  # 31 Mar is 15 days away, horizon 14
    assert plans_generate_due(today=date(2026, 3, 17)) == 3
    assert plans_generate_due(today=date(2026, 3, 17)) == 0


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"interval_months": 0}, "interval_months"),
        ({"interval_months": -3}, "interval_months"),
        ({"interval_months": None}, "interval_months"),
        ({"interval_days": 0, "interval_months": None}, "interval_days"),
        ({"devices": []}, "devices"),
        ({"devices": [999_999]}, "devices"),
        ({"name": "  "}, "name"),
        ({"service_type": "repair"}, "service_type"),
    ],
)
def test_bad_plans_are_refused_and_nothing_saved(
    today: date, devices_a: list[Any], director: Any, fields: dict[str, Any], field: str
) -> None:
    base: dict[str, Any] = {
        "name": "巡检",
        "service_type": "inspection",
        "interval_months": 3,
        "starts_on": date(2026, 3, 31),
        "devices": [devices_a[0].pk],
    }
    with pytest.raises(ValidationError) as refused:
        plan_create(acting_user=director, **{**base, **fields})
    assert field in refused.value.message_dict
    assert MaintenancePlan.objects.count() == 0


def test_another_station_device_is_refused(
    today: date, device_b: Any, devices_a: list[Any], station_a_user: Any
) -> None:
    with pytest.raises(ValidationError) as refused:
        plan_create(
            acting_user=station_a_user,
            name="巡检",
            service_type="inspection",
            interval_months=3,
            starts_on=date(2026, 3, 31),
            devices=[devices_a[0].pk, device_b.pk],
        )
    assert "devices" in refused.value.message_dict
    assert MaintenancePlan.objects.count() == 0


def test_generate_refuses_a_date_too_far_ahead(plan: MaintenancePlan) -> None:
    with pytest.raises(ValidationError) as refused:
        plan_generate(plan=plan, until=date(2040, 1, 1))
    assert "until" in refused.value.message_dict
    assert Occurrence.objects.count() == 0


# --- real concurrency ------------------------------------------------------------------------

THREADS = 6


@pytest.mark.django_db(transaction=True)
def test_concurrent_generations_create_each_occurrence_once(plan: MaintenancePlan, devices_a: list[Any]) -> None:
    barrier = threading.Barrier(THREADS)
    created: list[int] = []
    failures: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait(timeout=10)
            created.append(plan_generate(plan=plan, until=date(2027, 3, 31)))
        except BaseException as error:  # reported below
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    expected = len(devices_a) * 5  # 2026-03-31 … 2027-03-31
    assert sum(created) == expected
    assert Occurrence.objects.filter(plan=plan).count() == expected
    assert WorkOrder.objects.count() == expected
    assert Occurrence.objects.filter(plan=plan, work_order=None).count() == 0


@pytest.mark.django_db(transaction=True)
def test_concurrent_twin_inserts_without_the_pre_read(plan: MaintenancePlan, devices_a: list[Any]) -> None:
    """Every thread inserts the very same occurrences (no read first): the constraint lets one win each."""
    barrier = threading.Barrier(THREADS)
    created: list[int] = []
    failures: list[BaseException] = []
    dues = [Due(device=d, sequence=0, due_on=date(2026, 3, 31)) for d in devices_a]

    def run() -> None:
        try:
            barrier.wait(timeout=10)
            created.append(sum(_create_occurrence(plan, due, lambda day: True) for due in dues))
        except BaseException as error:
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    assert sum(created) == len(devices_a)
    assert WorkOrder.objects.count() == len(devices_a)
