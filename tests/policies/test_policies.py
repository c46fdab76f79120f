"""The pure decision (policies.policies.warranty_decide): one test at least per regulation article."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from policies.choices import Coverage, FaultCause, RemedyRequest, StartBasis, StartFallback, WarrantyStatus
from policies.policies import (
    ContractCover,
    DeviceDates,
    PolicyTerms,
    RepairRecord,
    WarrantyInputs,
    add_months,
    warranty_decide,
)

YEAR = PolicyTerms(unit_months=12, name="test", policy_id=1)
SOLD = DeviceDates(purchased_on=date(2025, 1, 10))


def decide(on: date, **kwargs: object) -> object:
    params: dict[str, object] = {"policy": YEAR, "device": SOLD, "on": on}
    params.update(kwargs)
    return warranty_decide(WarrantyInputs(**params))  # type: ignore[arg-type]


def rules(decision: object) -> list[str]:
    return [reason.rule for reason in decision.reasons]  # type: ignore[attr-defined]


def articles(decision: object) -> dict[str, str]:
    return {reason.rule: reason.article for reason in decision.reasons}  # type: ignore[attr-defined]


def test_add_months_clamps_month_ends() -> None:
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2025, 11, 30), 3) == date(2026, 2, 28)


def test_article_8_period_counts_from_the_invoice_date() -> None:
    decision = decide(date(2026, 1, 9), fault_cause=FaultCause.QUALITY)
    assert decision.status == WarrantyStatus.IN_WARRANTY
    assert decision.starts_on == date(2025, 1, 10)
    assert decision.ends_on == date(2026, 1, 9)
    assert decision.coverage == Coverage.FREE
    assert decision.remedies == (RemedyRequest.REPAIR,)
    assert articles(decision)["start_basis"] == "第八条"
    assert decide(date(2026, 1, 10), fault_cause=FaultCause.QUALITY).status == WarrantyStatus.EXPIRED


def test_article_8_repair_time_extends_the_period() -> None:
    repairs = (RepairRecord(date(2025, 6, 1), date(2025, 6, 21), FaultCause.QUALITY),)  # 20 days in repair
    decision = decide(date(2026, 1, 20), repairs=repairs, fault_cause=FaultCause.QUALITY)
    assert decision.ends_on == date(2026, 1, 29)
    assert decision.repair_days == 20
    assert decision.status == WarrantyStatus.IN_WARRANTY
    assert articles(decision)["repair_time_extension"] == "第八条"
    no_extension = PolicyTerms(unit_months=12, extend_for_repair_time=False)
    assert decide(date(2026, 1, 20), policy=no_extension, repairs=repairs).status == WarrantyStatus.EXPIRED


def test_article_9_within_seven_days_return_exchange_or_repair() -> None:
    decision = decide(date(2025, 1, 17), fault_cause=FaultCause.QUALITY, request=RemedyRequest.RETURN)
    assert decision.remedies == (RemedyRequest.RETURN, RemedyRequest.EXCHANGE, RemedyRequest.REPAIR)
    assert articles(decision)["return_window"] == "第九条"
    assert "request_not_available" not in rules(decision)


def test_article_10_within_fifteen_days_exchange_or_repair_but_no_return() -> None:
    decision = decide(date(2025, 1, 18), fault_cause=FaultCause.QUALITY, request=RemedyRequest.RETURN)
    assert decision.remedies == (RemedyRequest.EXCHANGE, RemedyRequest.REPAIR)
    assert articles(decision)["exchange_window"] == "第十条"
    assert "request_not_available" in rules(decision)
    assert decide(date(2025, 1, 26), fault_cause=FaultCause.QUALITY).remedies == (RemedyRequest.REPAIR,)


def test_article_11_two_repairs_of_the_same_fault_allow_exchange_or_refund() -> None:
    repairs = (
        RepairRecord(date(2025, 3, 1), date(2025, 3, 3), FaultCause.QUALITY),
        RepairRecord(date(2025, 5, 1), date(2025, 5, 3), FaultCause.QUALITY),
    )
    decision = decide(date(2025, 8, 1), repairs=repairs, fault_cause=FaultCause.QUALITY)
    assert decision.repeat_repairs == 2
    assert decision.remedies == (RemedyRequest.RETURN, RemedyRequest.EXCHANGE, RemedyRequest.REPAIR)
    assert articles(decision)["repeated_failure"] == "第十一条"
    once = decide(date(2025, 8, 1), repairs=repairs[:1], fault_cause=FaultCause.QUALITY)
    assert once.remedies == (RemedyRequest.REPAIR,)


def test_article_11_three_consecutive_same_fault_threshold_is_configurable() -> None:
    policy = PolicyTerms(unit_months=36, repeat_failure_threshold=3, repeat_same_fault_consecutive=True)
    repairs = (
        RepairRecord(date(2025, 2, 1), date(2025, 2, 2), FaultCause.QUALITY),
        RepairRecord(date(2025, 3, 1), date(2025, 3, 2), FaultCause.DROP),
        RepairRecord(date(2025, 4, 1), date(2025, 4, 2), FaultCause.QUALITY),
        RepairRecord(date(2025, 5, 1), date(2025, 5, 2), FaultCause.QUALITY),
    )
    broken = decide(date(2025, 9, 1), policy=policy, repairs=repairs, fault_cause=FaultCause.QUALITY)
    assert broken.repeat_repairs == 2  # the drop repair broke the run
    assert RemedyRequest.EXCHANGE not in broken.remedies
    run = (*repairs, RepairRecord(date(2025, 6, 1), date(2025, 6, 2), FaultCause.QUALITY))
    three = decide(date(2025, 9, 1), policy=policy, repairs=run, fault_cause=FaultCause.QUALITY)
    assert three.repeat_repairs == 3
    assert RemedyRequest.EXCHANGE in three.remedies


def test_article_12_ninety_days_waiting_for_parts_allows_exchange() -> None:
    current = RepairRecord(date(2025, 3, 1), None, FaultCause.QUALITY, parts_wait_days=91)
    decision = decide(date(2025, 6, 1), current_repair=current, fault_cause=FaultCause.QUALITY)
    assert RemedyRequest.EXCHANGE in decision.remedies
    assert articles(decision)["parts_wait_limit"] == "第十二条"
    short = RepairRecord(date(2025, 3, 1), None, FaultCause.QUALITY, parts_wait_days=88)
    assert "parts_wait_limit" not in rules(decide(date(2025, 6, 1), current_repair=short))


def test_article_12_repairers_own_delay_over_thirty_days_allows_exchange() -> None:
    current = RepairRecord(date(2025, 3, 1), None, FaultCause.QUALITY, parts_wait_days=0)
    decision = decide(date(2025, 4, 1), current_repair=current, fault_cause=FaultCause.QUALITY)
    assert articles(decision)["repairer_fault_limit"] == "第十二条"
    assert RemedyRequest.EXCHANGE in decision.remedies
    on_time = decide(date(2025, 3, 31), current_repair=current, fault_cause=FaultCause.QUALITY)
    assert "repairer_fault_limit" not in rules(on_time)


def test_article_13_refund_depreciation_excludes_repair_time() -> None:
    repairs = (
        RepairRecord(date(2025, 2, 1), date(2025, 2, 11), FaultCause.QUALITY),  # 10 days
        RepairRecord(date(2025, 3, 1), date(2025, 3, 11), FaultCause.QUALITY),  # 10 days
    )
    decision = decide(date(2025, 4, 20), repairs=repairs, fault_cause=FaultCause.QUALITY)
    # 100 days from the invoice (2025-01-10) minus 20 days in repair = 80 days × 0.1 % = 8.00 %
    assert decision.depreciation_percent == Decimal("8.00")
    assert articles(decision)["refund_depreciation"] == "第十三条"


def test_article_14_exchange_restarts_the_period() -> None:
    decision = decide(date(2026, 3, 1), exchanges=(date(2025, 11, 1),), fault_cause=FaultCause.QUALITY)
    assert decision.starts_on == date(2025, 11, 1)
    assert decision.ends_on == date(2026, 10, 31)
    assert decision.status == WarrantyStatus.IN_WARRANTY
    assert articles(decision)["restart_on_exchange"] == "第十四条"
    no_restart = PolicyTerms(unit_months=12, restart_on_exchange=False)
    kept = decide(date(2026, 3, 1), policy=no_restart, exchanges=(date(2025, 11, 1),))
    assert kept.status == WarrantyStatus.EXPIRED


def test_article_6_repair_warranty_makes_a_repeat_free_after_the_period() -> None:
    repairs = (RepairRecord(date(2026, 1, 1), date(2026, 1, 5), FaultCause.QUALITY),)
    # the period (extended by 4 days) ended 2026-01-13; the repair finished 2026-01-05
    decision = decide(date(2026, 2, 4), repairs=repairs, fault_cause=FaultCause.QUALITY)
    assert decision.status == WarrantyStatus.EXPIRED
    assert decision.coverage == Coverage.FREE
    assert articles(decision)["repair_warranty"] == "第六条"
    later = decide(date(2026, 2, 5), repairs=repairs, fault_cause=FaultCause.QUALITY)
    assert later.coverage == Coverage.PAID
    sixty = PolicyTerms(unit_months=12, repair_warranty_days=60)
    assert decide(date(2026, 3, 1), policy=sixty, repairs=repairs).coverage == Coverage.FREE


def test_article_7_parts_supply_lasts_five_years_after_production_stops() -> None:
    device = DeviceDates(purchased_on=date(2025, 1, 10), production_stopped_on=date(2020, 6, 30))
    decision = decide(date(2025, 6, 30), device=device)
    assert articles(decision)["parts_supply"] == "第七条"
    ended = decide(date(2025, 7, 1), device=device)
    assert "parts_supply_ended" in rules(ended)


def test_article_18_exclusion_in_period_is_paid_with_its_article() -> None:
    decision = decide(date(2025, 6, 1), fault_cause=FaultCause.WATER)
    assert decision.status == WarrantyStatus.IN_WARRANTY
    assert decision.coverage == Coverage.PAID
    assert articles(decision)["exclusion"] == "第十八条(一)"
    assert decide(date(2025, 6, 1), fault_cause=FaultCause.LABEL_TAMPERED).coverage == Coverage.PAID


def test_unknown_fault_in_period_is_presumed_quality_and_provisional() -> None:
    decision = decide(date(2025, 6, 1))
    assert decision.coverage == Coverage.FREE
    assert "presumed_quality_fault" in rules(decision)


def test_a_cause_the_policy_does_not_exclude_is_covered() -> None:
    lenient = PolicyTerms(unit_months=12, excluded_causes=frozenset({FaultCause.WATER}))
    assert decide(date(2025, 6, 1), policy=lenient, fault_cause=FaultCause.WEAR).coverage == Coverage.FREE


def test_out_of_period_is_paid() -> None:
    decision = decide(date(2026, 6, 1), fault_cause=FaultCause.QUALITY)
    assert (decision.status, decision.coverage) == (WarrantyStatus.EXPIRED, Coverage.PAID)
    assert "period_expired" in rules(decision)


def test_no_proof_of_start_needs_review_never_a_guess() -> None:
    policy = PolicyTerms(unit_months=36, start_basis=StartBasis.ACCEPTANCE)
    decision = decide(date(2025, 6, 1), policy=policy)
    assert (decision.status, decision.coverage) == (WarrantyStatus.NEEDS_REVIEW, Coverage.NEEDS_REVIEW)
    assert decision.ends_on is None
    assert "no_proof_of_start" in rules(decision)


def test_fallback_uses_the_next_recorded_date_when_configured() -> None:
    policy = PolicyTerms(unit_months=36, start_basis=StartBasis.ACCEPTANCE, start_fallback=StartFallback.OTHER_DATES)
    decision = decide(date(2025, 6, 1), policy=policy)
    assert decision.starts_on == date(2025, 1, 10)
    assert "start_fallback" in rules(decision)


def test_unknown_device_or_no_policy_needs_review() -> None:
    assert rules(decide(date(2025, 6, 1), device=None)) == ["unknown_device"]
    assert decide(date(2025, 6, 1), policy=None).coverage == Coverage.NEEDS_REVIEW


def test_date_before_the_sale_needs_review() -> None:
    decision = decide(date(2024, 12, 31))
    assert decision.status == WarrantyStatus.NEEDS_REVIEW
    assert "date_before_start" in rules(decision)


def test_main_parts_outlast_the_unit_and_need_review() -> None:
    notebook = PolicyTerms(unit_months=12, parts_months=24, parts=("主板", "硬盘"))
    decision = decide(date(2026, 6, 1), policy=notebook)
    assert decision.status == WarrantyStatus.EXPIRED
    assert decision.coverage == Coverage.NEEDS_REVIEW
    assert decision.parts_ends_on == date(2027, 1, 9)
    assert "main_parts_period" in rules(decision)
    assert decide(date(2027, 1, 10), policy=notebook).coverage == Coverage.PAID


def test_phone_battery_period_shorter_than_the_handset_is_noted() -> None:
    phone = PolicyTerms(unit_months=12, parts_months=6, parts=("电池",))
    decision = decide(date(2025, 9, 1), policy=phone, fault_cause=FaultCause.QUALITY)
    assert decision.coverage == Coverage.FREE
    assert "listed_parts_expired" in rules(decision)


def test_extended_warranty_contract_covers_after_the_period() -> None:
    contract = ContractCover(7, "extended_warranty", date(2026, 1, 10), date(2027, 1, 9), "CT-1")
    decision = decide(date(2026, 6, 1), contracts=(contract,), fault_cause=FaultCause.QUALITY)
    assert (decision.status, decision.coverage, decision.ends_on) == (
        WarrantyStatus.IN_WARRANTY,
        Coverage.FREE,
        date(2027, 1, 9),
    )
    maintenance = ContractCover(8, "annual_maintenance", date(2026, 1, 10), date(2027, 1, 9), "CT-2")
    assert decide(date(2026, 6, 1), contracts=(maintenance,)).coverage == Coverage.PAID


def test_decision_serialises_to_json_with_articles() -> None:
    import json

    data = decide(date(2025, 1, 12), fault_cause=FaultCause.QUALITY).as_dict()  # type: ignore[attr-defined]
    text = json.dumps(data)
    assert data["coverage"] == "free"
    assert data["remedies"] == ["return", "exchange", "repair"]
    assert {"rule": "return_window", "article": "第九条"}.items() <= next(
        r for r in data["reasons"] if r["rule"] == "return_window"
    ).items()
    assert "2025-01-10" in text
