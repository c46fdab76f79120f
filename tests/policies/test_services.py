"""Decisions from the database: policy versions, device history, the order flow, contracts, waivers."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from policies.choices import Coverage, FaultCause, WarrantyStatus
from policies.models import WarrantyDecisionRecord, WarrantyPolicy
from policies.reference import install_reference_data
from policies.services import contract_create, warranty_decision, warranty_policy_create, warranty_status
from policies.waivers import FeeWaiver, fee_waivers_for_order
from workorders.models import WorkOrder
from workorders.services import workorder_create, workorder_transition

from .conftest import make_device

TODAY = timezone.localdate


def new_order(user: Any, device: Any, service_type: str = "repair") -> WorkOrder:
    return workorder_create(
        acting_user=user,
        customer=device.customer,
        device=device,
        service_type=service_type,
        channel="phone",
        description="开机无显示",
        applicant_name="张三丰",
        contact_phone="13800138000",
    )


def accept(order: WorkOrder, user: Any, **data: Any) -> WorkOrder:
    return workorder_transition(order=order, action="accept", acting_user=user, data=data)


def finished_repair(device: Any, *, days_ago: int, took: int, cause: str = FaultCause.QUALITY) -> WorkOrder:
    now = timezone.now()
    order = new_order(None, device)
    WorkOrder.objects.filter(pk=order.pk).update(
        status="closed",
        submitted_at=now - datetime.timedelta(days=days_ago + took),
        completed_at=now - datetime.timedelta(days=days_ago),
        completion_status="done",
        fault_cause=cause,
    )
    return order


def test_reference_policies_are_installed_once_and_admin_versions_survive(db: Any) -> None:
    before = WarrantyPolicy.objects.count()
    assert before == 5
    sorter = WarrantyPolicy.objects.get(category__code="cash-sorter")
    assert (sorter.unit_months, sorter.start_basis) == (36, "acceptance")
    warranty_policy_create(acting_user=None, category=sorter.category, effective_from=TODAY(), unit_months=48)
    install_reference_data()
    install_reference_data()
    assert WarrantyPolicy.objects.count() == before + 1
    assert WarrantyPolicy.objects.filter(category__code="cash-sorter", unit_months=48).exists()


def test_cash_sorter_counts_36_months_from_acceptance(customer_a: Any, cash_sorter_model: Any) -> None:
    device = make_device(
        customer_a,
        cash_sorter_model,
        "QF-1",
        purchased_on=datetime.date(2023, 10, 1),
        accepted_on=datetime.date(2023, 12, 15),
    )
    status = warranty_status(device=device, on=datetime.date(2026, 12, 1))
    assert (status.status, status.starts_on, status.ends_on) == (
        WarrantyStatus.IN_WARRANTY,
        datetime.date(2023, 12, 15),
        datetime.date(2026, 12, 14),
    )


def test_cash_sorter_without_acceptance_date_needs_review(customer_a: Any, cash_sorter_model: Any) -> None:
    device = make_device(customer_a, cash_sorter_model, "QF-2", purchased_on=datetime.date(2025, 1, 1))
    decision = warranty_status(device=device, on=datetime.date(2026, 1, 1))
    assert decision.status == WarrantyStatus.NEEDS_REVIEW
    assert [r.rule for r in decision.reasons][-1] == "no_proof_of_start"


def test_notebook_main_parts_two_years(customer_a: Any, notebook_model: Any) -> None:
    device = make_device(customer_a, notebook_model, "NB-1", purchased_on=datetime.date(2025, 3, 1))
    decision = warranty_decision(device=device, on=datetime.date(2026, 6, 1), fault_cause="quality")
    assert (decision.status, decision.coverage, decision.parts_ends_on) == (
        WarrantyStatus.EXPIRED,
        Coverage.NEEDS_REVIEW,
        datetime.date(2027, 2, 28),
    )


def test_policy_version_in_force_on_the_sale_date_applies(customer_a: Any, product_model: Any) -> None:
    old = make_device(customer_a, product_model, "OLD", purchased_on=datetime.date(2024, 1, 1))
    model_policy = warranty_policy_create(
        acting_user=None,
        product_model=product_model,
        name="TDR 36",
        effective_from=datetime.date(2025, 1, 1),
        unit_months=36,
    )
    new = make_device(customer_a, product_model, "NEW", purchased_on=datetime.date(2025, 6, 1))
    assert warranty_status(device=old, on=datetime.date(2026, 6, 1)).ends_on == datetime.date(2025, 12, 31)
    assert warranty_status(device=new, on=datetime.date(2026, 6, 1)).ends_on == datetime.date(2028, 5, 31)
    assert model_policy.revision == 1
    second = warranty_policy_create(
        acting_user=None, product_model=product_model, effective_from=datetime.date(2026, 1, 1)
    )
    assert (second.revision, second.unit_months, second.name) == (2, 36, "TDR 36")


def test_a_future_date_is_answered_and_a_far_one_refused_naming_the_field(device_a: Any) -> None:
    from django.utils import translation

    tomorrow = warranty_status(device=device_a, on=TODAY() + datetime.timedelta(days=1))
    assert tomorrow.status == WarrantyStatus.IN_WARRANTY
    assert warranty_status(device=device_a, on=tomorrow.ends_on + datetime.timedelta(days=1)).status == (
        WarrantyStatus.EXPIRED
    )
    with translation.override("en"), pytest.raises(ValidationError) as error:
        warranty_status(device=device_a, on=datetime.date(2300, 1, 1))
    assert error.value.message_dict == {"on": ["Choose a date between 1990-01-01 and 2199-12-31."]}


def test_policy_change_never_rewrites_a_recorded_decision(agent: Any, device_a: Any, default_policy: Any) -> None:
    order = accept(new_order(agent, device_a), agent)
    record = WarrantyDecisionRecord.objects.get(order=order)
    saved = dict(record.result)
    warranty_policy_create(acting_user=None, effective_from=TODAY(), unit_months=1, excluded_causes=[])
    record.refresh_from_db()
    assert record.result == saved
    assert record.policy_id == default_policy.pk


def test_acceptance_records_the_decision_and_sets_free(agent: Any, device_a: Any) -> None:
    order = accept(new_order(agent, device_a), agent)
    order.refresh_from_db()
    assert order.charge_type == "free"
    event = order.events.get(kind="warranty")
    assert event.data["coverage"] == "free"
    assert event.data["status"] == "in_warranty"
    assert event.data["trigger"] == "accept"
    assert any(r["rule"] == "presumed_quality_fault" for r in event.data["reasons"])


def test_out_of_period_acceptance_sets_paid(agent: Any, customer_a: Any, product_model: Any) -> None:
    device = make_device(customer_a, product_model, "SN-OLD", purchased_on=datetime.date(2020, 1, 1))
    order = accept(new_order(agent, device), agent)
    order.refresh_from_db()
    assert order.charge_type == "paid"


def test_agent_choice_at_acceptance_is_kept(agent: Any, customer_a: Any, product_model: Any) -> None:
    device = make_device(customer_a, product_model, "SN-OLD2", purchased_on=datetime.date(2020, 1, 1))
    order = accept(new_order(agent, device), agent, charge_type="free")
    order.refresh_from_db()
    assert order.charge_type == "free"


def test_diagnosis_of_an_exclusion_redecides_and_makes_it_paid(agent: Any, director: Any, device_a: Any) -> None:
    order = accept(new_order(agent, device_a), agent)
    order = workorder_transition(order=order, action="start", acting_user=director)
    order = workorder_transition(
        order=order, action="diagnose", acting_user=director, data={"fault_cause": "water", "diagnosis": "进水"}
    )
    order.refresh_from_db()
    assert order.charge_type == "paid"
    records = list(WarrantyDecisionRecord.objects.filter(order=order).order_by("id"))
    assert [(r.trigger, r.coverage) for r in records] == [("accept", "free"), ("diagnose", "paid")]
    assert records[1].result["reasons"][-1]["article"] == "第十八条(一)"
    workorder_transition(
        order=order, action="diagnose", acting_user=director, data={"fault_cause": "water", "diagnosis": "进水，主板"}
    )
    assert WarrantyDecisionRecord.objects.filter(order=order).count() == 2  # same cause: no new decision


def test_repeat_repairs_from_history_allow_exchange(agent: Any, recent_device: Any) -> None:
    finished_repair(recent_device, days_ago=3, took=1)
    finished_repair(recent_device, days_ago=1, took=1)
    decision = warranty_decision(device=recent_device, on=TODAY(), fault_cause="quality")
    assert decision.repeat_repairs == 2
    assert "exchange" in decision.remedies
    assert decision.repair_days == 2


def test_completed_exchange_restarts_the_period(customer_a: Any, product_model: Any) -> None:
    device = make_device(customer_a, product_model, "SN-EX", purchased_on=datetime.date(2023, 1, 1))
    exchange = new_order(None, device, service_type="exchange")
    WorkOrder.objects.filter(pk=exchange.pk).update(
        status="closed", completed_at=timezone.now() - datetime.timedelta(days=10), completion_status="done"
    )
    decision = warranty_status(device=device, on=TODAY())
    assert decision.status == WarrantyStatus.IN_WARRANTY
    assert decision.starts_on == TODAY() - datetime.timedelta(days=10)


def test_waivers_from_warranty_and_annual_maintenance(agent: Any, device_a: Any) -> None:
    contract = contract_create(
        acting_user=agent,
        customer=device_a.customer,
        kind="annual_maintenance",
        starts_on=TODAY() - datetime.timedelta(days=30),
        ends_on=TODAY() + datetime.timedelta(days=335),
        price=Decimal("1300.00"),
        devices=[device_a],
    )
    order = accept(new_order(agent, device_a), agent)
    waivers = fee_waivers_for_order(order=order)
    assert [(w.kind, w.source, w.contract_id) for w in waivers] == [
        ("labour", "warranty", None),
        ("parts", "warranty", None),
        ("software", "contract", contract.pk),
    ]
    assert isinstance(waivers[0], FeeWaiver)


def test_annual_maintenance_out_of_warranty_waives_labour_and_software_not_parts(
    agent: Any, customer_a: Any, product_model: Any
) -> None:
    device = make_device(customer_a, product_model, "SN-AM", purchased_on=datetime.date(2020, 1, 1))
    contract_create(
        acting_user=agent,
        customer=customer_a,
        kind="annual_maintenance",
        starts_on=TODAY() - datetime.timedelta(days=1),
        extends_months=12,
        price=Decimal("1300.00"),
    )
    order = accept(new_order(agent, device), agent)
    assert [(w.kind, w.source) for w in fee_waivers_for_order(order=order)] == [
        ("labour", "contract"),
        ("software", "contract"),
    ]


def test_contract_refuses_bad_input(agent: Any, customer_a: Any, customer_b: Any, product_model: Any) -> None:
    other = make_device(customer_b, product_model, "SN-B")
    with pytest.raises(ValidationError) as error:
        contract_create(
            acting_user=agent,
            customer=customer_a,
            kind="service_package",
            starts_on=TODAY(),
            ends_on=TODAY() - datetime.timedelta(days=1),
            waived_fee_kinds=["travel", "beer"],
            devices=[other],
        )
    assert set(error.value.message_dict) == {"ends_on", "waived_fee_kinds", "devices"}


def test_order_without_device_needs_review(agent: Any, customer_a: Any) -> None:
    order = workorder_create(
        acting_user=agent,
        customer=customer_a,
        service_type="repair",
        channel="phone",
        description="不知道型号",
        applicant_name="张三丰",
        contact_phone="13800138000",
    )
    order = accept(order, agent)
    order.refresh_from_db()
    assert order.charge_type == "undetermined"
    assert order.events.get(kind="warranty").data["coverage"] == Coverage.NEEDS_REVIEW


def test_goodwill_free_chosen_at_acceptance_survives_a_diagnosis_that_confirms_paid(
    agent: Any, director: Any, customer_a: Any, product_model: Any
) -> None:
    device = make_device(customer_a, product_model, "SN-GOODWILL", purchased_on=datetime.date(2020, 1, 1))
    order = accept(new_order(agent, device), agent, charge_type="free")
    order = workorder_transition(order=order, action="start", acting_user=director)
    order = workorder_transition(
        order=order, action="diagnose", acting_user=director, data={"fault_cause": "quality", "diagnosis": "主板老化"}
    )
    order.refresh_from_db()
    records = list(WarrantyDecisionRecord.objects.filter(order=order).order_by("id"))
    assert [(r.trigger, r.coverage) for r in records] == [("accept", "paid"), ("diagnose", "paid")]
    assert order.charge_type == "free"


def _completed_and_reopened(order: WorkOrder, director: Any, *, completed_days_ago: int) -> WorkOrder:
    """The order's first round ends with the customer's sign-off; the unit fails again and the
    order is reopened (第六条)."""
    from workorders.models import TimelineEvent

    completed = timezone.now() - datetime.timedelta(days=completed_days_ago)
    WorkOrder.objects.filter(pk=order.pk).update(
        status="completed", completion_status="done", completed_at=completed, signed_off_at=completed
    )
    TimelineEvent.objects.create(order=order, kind="sign_off", at=completed, actor_label="customer")
    order.refresh_from_db()
    return workorder_transition(order=order, action="reopen", acting_user=director, data={"reason": "再次无法开机"})


def test_article_6_reopened_after_the_period_stays_free_through_the_diagnosis(
    agent: Any, director: Any, customer_a: Any, product_model: Any
) -> None:
    """The unit was repaired just before its period ended; it fails again within the 30-day
    repair warranty: the reopened order is free, and the technician's diagnosis keeps it free
    because the earlier round of the same order is the repair the warranty protects."""
    months = product_model.warranty_months
    purchased = TODAY() - datetime.timedelta(days=31 * months + 20)
    device = make_device(customer_a, product_model, "SN-REOPEN", purchased_on=purchased)
    order = accept(new_order(agent, device), agent, charge_type="free")
    order = _completed_and_reopened(order, director, completed_days_ago=10)
    assert (order.status, order.charge_type, order.reopened_count) == ("accepted", "free", 1)
    order = workorder_transition(order=order, action="start", acting_user=director)
    order = workorder_transition(
        order=order, action="diagnose", acting_user=director, data={"fault_cause": "quality", "diagnosis": "同一故障"}
    )
    order.refresh_from_db()
    record = WarrantyDecisionRecord.objects.filter(order=order, trigger="diagnose").get()
    assert record.status == "expired" and record.coverage == "free"
    rules = [reason["rule"] for reason in record.result["reasons"]]
    assert "repair_warranty" in rules
    assert record.result["repeat_repairs"] == 1
    assert order.charge_type == "free"


def test_repair_warranty_days_follow_the_policy_of_the_device(customer_a: Any) -> None:
    from catalog.models import ProductCategory
    from catalog.services import product_model_create
    from policies.services import repair_warranty_days_for

    network = product_model_create(
        acting_user=None, code="SW-24", name="交换机", category=ProductCategory.objects.get(code="network")
    )
    switch = make_device(customer_a, network, "SW-1", purchased_on=datetime.date(2025, 1, 1))
    assert repair_warranty_days_for(device=switch) == 60
    assert repair_warranty_days_for(device=None) == 30
