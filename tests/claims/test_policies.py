"""The pure evaluator on seed 004's counterfeit-note rules (four conditions, exclusions a–g)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from claims.choices import CheckResult, ClaimOutcome
from claims.policies import RuleSetTerms, RuleTerm, answer_errors, claim_decide, payable_amount
from claims.reference import COUNTERFEIT_RULES
from tests.claims.conftest import ELIGIBLE_ANSWERS

TERMS = RuleSetTerms(
    code="COUNTERFEIT",
    version=1,
    name="清分机假币赔付",
    payout_ratio=Decimal("1"),
    max_amount=None,
    required_documents=("bank_slip",),
    rules=tuple(
        RuleTerm(code=code, kind=kind, text_zh=zh, text_en=en, question=question, expected=tuple(expected))
        for kind, code, zh, en, question, expected in COUNTERFEIT_RULES
    ),
)


def decide(amount: str = "100.00", **changes: str | None) -> object:
    answers = {**ELIGIBLE_ANSWERS, **changes}
    return claim_decide(TERMS, {k: v for k, v in answers.items() if v is not None}, Decimal(amount))


def results(decision) -> dict[str, str]:
    return {check.code: check.result for check in decision.checks}


def test_all_conditions_met_and_no_exclusion_is_eligible_one_to_one():
    decision = decide("1250.50")
    assert decision.outcome == ClaimOutcome.ELIGIBLE
    assert decision.payable_amount == Decimal("1250.50")
    assert set(results(decision).values()) == {CheckResult.MET}
    assert [check.code for check in decision.checks] == ["1", "2", "3", "4", "a", "b", "c", "d", "e", "f", "g"]
    assert decision.required_documents == ("bank_slip",)


def test_condition_1_not_notified_at_once_fails_it():
    decision = decide(notified_immediately="no")
    assert decision.outcome == ClaimOutcome.NOT_ELIGIBLE
    assert [c.code for c in decision.failing] == ["1"]
    assert decision.payable_amount == Decimal("0.00")


def test_condition_2_and_exclusion_b_detection_not_fully_on():
    decision = decide(detection_fully_on="no")
    assert decision.outcome == ClaimOutcome.NOT_ELIGIBLE
    assert [c.code for c in decision.failing] == ["2", "b"]


def test_condition_3_and_exclusion_c_serial_not_found_in_the_sorter():
    decision = decide(serial_found_in_machine="no")
    assert decision.outcome == ClaimOutcome.NOT_ELIGIBLE
    assert [c.code for c in decision.failing] == ["3", "c"]


def test_condition_4_damaged_outlet_is_met_too():
    decision = decide(outlet="damaged")
    assert decision.outcome == ClaimOutcome.ELIGIBLE
    assert results(decision)["4"] == CheckResult.MET


def test_condition_4_serial_not_found_in_the_export_fails_it():
    decision = decide(outlet="not_found")
    assert decision.outcome == ClaimOutcome.NOT_ELIGIBLE
    assert [c.code for c in decision.failing] == ["4"]


def test_exclusion_a_dealer_paid_privately_without_our_engineer():
    decision = decide(agent_paid_privately="yes")
    assert decision.outcome == ClaimOutcome.NOT_ELIGIBLE
    assert [c.code for c in decision.failing] == ["a"]
    assert "exclusion applies" in decision.failing[0].reason


def test_exclusion_d_no_usb_drive_or_computer_connected():
    decision = decide(export_connected="no")
    assert decision.outcome == ClaimOutcome.NOT_ELIGIBLE
    assert [c.code for c in decision.failing] == ["d"]


def test_exclusion_e_note_went_to_the_reject_outlet():
    decision = decide(outlet="reject")
    assert decision.outcome == ClaimOutcome.NOT_ELIGIBLE
    assert [c.code for c in decision.failing] == ["4", "e"]


def test_exclusion_f_serial_number_altered_before_the_visit():
    decision = decide(serial_altered="yes")
    assert [c.code for c in decision.failing] == ["f"]
    assert decision.outcome == ClaimOutcome.NOT_ELIGIBLE


def test_exclusion_g_records_deleted_or_obstructed():
    decision = decide(records_obstructed="yes")
    assert [c.code for c in decision.failing] == ["g"]
    assert decision.outcome == ClaimOutcome.NOT_ELIGIBLE


def test_missing_answer_needs_review_naming_the_question():
    decision = decide(notified_immediately=None)
    assert decision.outcome == ClaimOutcome.NEEDS_REVIEW
    assert decision.unanswered == ["notified_immediately"]
    assert results(decision)["1"] == CheckResult.UNKNOWN
    assert "notified as soon as the counterfeit note was found" in decision.summary
    assert decision.payable_amount == Decimal("0.00")


def test_an_exclusion_that_applies_decides_even_with_answers_missing():
    decision = claim_decide(TERMS, {"serial_altered": "yes"}, Decimal("10.00"))
    assert decision.outcome == ClaimOutcome.NOT_ELIGIBLE
    assert [c.code for c in decision.failing] == ["f"]


def test_an_answer_outside_the_options_is_unknown_not_a_guess():
    decision = decide(outlet="maybe")
    assert decision.outcome == ClaimOutcome.NEEDS_REVIEW
    assert "not one of its options" in next(c for c in decision.checks if c.code == "4").reason


def test_zero_amount_needs_review():
    decision = decide("0")
    assert decision.outcome == ClaimOutcome.NEEDS_REVIEW
    assert decision.amount_problem


@pytest.mark.parametrize(
    ("ratio", "cap", "claimed", "payable"),
    [
        ("1", None, "100.00", "100.00"),
        ("0.5", None, "0.01", "0.01"),  # half-up
        ("0.3333", None, "100.00", "33.33"),
        ("1", "50.00", "100.00", "50.00"),
    ],
    ids=["one-to-one", "half-up", "ratio", "capped"],
)
def test_payable_amount_rounds_half_up_and_respects_the_cap(ratio, cap, claimed, payable):
    terms = RuleSetTerms("X", 1, "x", Decimal(ratio), Decimal(cap) if cap else None, (), TERMS.rules)
    assert payable_amount(terms, Decimal(claimed)) == Decimal(payable)


def test_answer_errors_name_unknown_questions_and_values():
    errors = answer_errors(TERMS.questions(), {"outlet": "sideways", "colour": "red", "serial_altered": ""})
    assert set(errors) == {"answers.outlet", "answers.colour"}


def test_decision_round_trips_through_json():
    decision = decide(outlet="reject")
    from claims.policies import ClaimDecision

    again = ClaimDecision.from_json(decision.as_json())
    assert again == decision


EXCLUSION_TRIGGERS = {
    "a": ("agent_paid_privately", "yes"),
    "b": ("detection_fully_on", "no"),
    "c": ("serial_found_in_machine", "no"),
    "d": ("export_connected", "no"),
    "e": ("outlet", "reject"),
    "f": ("serial_altered", "yes"),
    "g": ("records_obstructed", "yes"),
}


@given(
    exclusion=st.sampled_from(sorted(EXCLUSION_TRIGGERS)),
    others=st.dictionaries(
        st.sampled_from(sorted(ELIGIBLE_ANSWERS)), st.sampled_from(["yes", "no", "accepted", "reject", ""])
    ),
)
def test_any_exclusion_that_applies_is_never_eligible_whatever_else_is_answered(exclusion, others):
    key, value = EXCLUSION_TRIGGERS[exclusion]
    decision = claim_decide(TERMS, {**others, key: value}, Decimal("100.00"))
    assert decision.outcome == ClaimOutcome.NOT_ELIGIBLE
    assert exclusion in [c.code for c in decision.failing]
    assert decision.payable_amount == Decimal("0.00")
