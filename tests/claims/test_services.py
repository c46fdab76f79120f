"""Claims end to end through the services: decide by the seed-004 rule set, slip review, payment."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from claims.choices import ClaimOutcome, ClaimStatus, EvidenceKind
from claims.models import Claim, ClaimRuleSet
from claims.reference import install_counterfeit_rule_set, install_reference_data
from claims.selectors import claims_visible_to, rule_set_current
from claims.services import (
    RuleDraft,
    claim_add_evidence,
    claim_approve_payment,
    claim_decide,
    claim_mark_paid,
    claim_record_answers,
    claim_reject,
    claim_review_slip,
    rule_set_new_version,
)
from core.exceptions import TransitionNotAllowed, VersionConflict
from tests.claims.conftest import ELIGIBLE_ANSWERS, slip_file
from workorders.choices import EventKind
from workorders.services import workorder_create


def claim_order(customer, device, user):
    return workorder_create(
        acting_user=user,
        customer=customer,
        device=device,
        service_type="claim",
        channel="phone",
        description="清分机未检出假币,客户申请赔付",
    )


def test_ready_made_rule_set_has_four_conditions_and_exclusions_a_to_g(rule_set):
    rules = list(rule_set.rules.values_list("kind", "code"))
    assert rules == [("condition", c) for c in "1234"] + [("exclusion", c) for c in "abcdefg"]
    assert rule_set.payout_ratio == Decimal("1")
    assert rule_set.required_documents == ["bank_slip"]
    assert rule_set.rules.get(code="e").text_zh.startswith("在Excel表格内找到该张假币冠字号码")


def test_reference_install_is_idempotent_and_keeps_admin_edits(rule_set):
    rule_set.name = "改过的名称"
    rule_set.save(update_fields=["name"])
    install_reference_data()
    install_reference_data()
    assert ClaimRuleSet.objects.filter(code="COUNTERFEIT").count() == 1
    assert ClaimRuleSet.objects.get(code="COUNTERFEIT").name == "改过的名称"


def test_eligible_claim_then_slip_review_then_approved_one_to_one_and_paid(
    make_claim, customer_a, device_a, agent, finance, director
):
    order = claim_order(customer_a, device_a, agent)
    claim = make_claim(customer_a, amount="1250.50", device=device_a, work_order=order)
    assert claim.number.startswith("CL-") and claim.unit_id == order.unit_id
    claim = claim_record_answers(claim=claim, acting_user=agent, answers=ELIGIBLE_ANSWERS, expected_version=1)
    claim = claim_decide(claim=claim, acting_user=agent)
    assert (claim.status, claim.outcome, claim.payable_amount) == (
        ClaimStatus.DECIDED,
        ClaimOutcome.ELIGIBLE,
        Decimal("1250.50"),
    )
    assert [c["result"] for c in claim.decision["checks"]] == ["met"] * 11

    claim_add_evidence(claim=claim, acting_user=agent, upload=slip_file(), kind=EvidenceKind.BANK_SLIP)
    claim = claim_review_slip(claim=claim, acting_user=finance, note="鉴别单真实有效")
    claim = claim_approve_payment(claim=claim, acting_user=director)
    assert claim.status == ClaimStatus.APPROVED
    claim = claim_mark_paid(claim=claim, acting_user=finance, reference="BANK-2026-001")
    assert (claim.status, claim.payable_amount, claim.payment_reference) == (
        ClaimStatus.PAID,
        Decimal("1250.50"),
        "BANK-2026-001",
    )
    events = order.events.filter(kind=EventKind.CLAIM).order_by("id")
    decision_event = events.get(data__outcome="eligible")
    assert decision_event.data["claim"] == claim.number and decision_event.data["payable_amount"] == "1250.50"
    assert [e.data["status"] for e in events] == ["draft", "decided", "decided", "slip_reviewed", "approved", "paid"]


@pytest.mark.parametrize(
    ("exclusion", "question", "answer"),
    [
        ("a", "agent_paid_privately", "yes"),
        ("b", "detection_fully_on", "no"),
        ("c", "serial_found_in_machine", "no"),
        ("d", "export_connected", "no"),
        ("e", "outlet", "reject"),
        ("f", "serial_altered", "yes"),
        ("g", "records_obstructed", "yes"),
    ],
    ids=lambda value: value if len(value) == 1 else None,
)
def test_each_exclusion_makes_the_claim_not_eligible_naming_it(
    make_claim, customer_a, agent, exclusion, question, answer
):
    claim = make_claim(customer_a, answers={**ELIGIBLE_ANSWERS, question: answer})
    claim = claim_decide(claim=claim, acting_user=agent)
    assert claim.outcome == ClaimOutcome.NOT_ELIGIBLE
    failed = {c["code"] for c in claim.decision["checks"] if c["result"] == "failed" and c["kind"] == "exclusion"}
    assert failed == {exclusion}
    assert claim.payable_amount is None


def test_missing_answer_needs_review_and_blocks_the_slip_review(make_claim, customer_a, agent, finance):
    answers = {k: v for k, v in ELIGIBLE_ANSWERS.items() if k != "records_obstructed"}
    claim = claim_decide(claim=make_claim(customer_a, answers=answers), acting_user=agent)
    assert claim.outcome == ClaimOutcome.NEEDS_REVIEW
    unknown = [c["code"] for c in claim.decision["checks"] if c["result"] == "unknown"]
    assert unknown == ["g"]
    claim_add_evidence(claim=claim, acting_user=agent, upload=slip_file(), kind=EvidenceKind.BANK_SLIP)
    with pytest.raises(TransitionNotAllowed, match="Only an eligible claim"):
        claim_review_slip(claim=claim, acting_user=finance)


def test_payment_is_blocked_before_the_slip_review(make_claim, customer_a, agent, director):
    claim = claim_decide(claim=make_claim(customer_a, answers=ELIGIBLE_ANSWERS), acting_user=agent)
    with pytest.raises(TransitionNotAllowed) as refused:
        claim_approve_payment(claim=claim, acting_user=director)
    assert refused.value.message == "Payment needs the bank's slip reviewed first."
    assert Claim.objects.get(pk=claim.pk).status == ClaimStatus.DECIDED


def test_slip_review_needs_the_bank_slip_attached(make_claim, customer_a, agent, finance):
    claim = claim_decide(claim=make_claim(customer_a, answers=ELIGIBLE_ANSWERS), acting_user=agent)
    with pytest.raises(ValidationError) as error:
        claim_review_slip(claim=claim, acting_user=finance)
    assert list(error.value.message_dict) == ["evidence"]
    assert "假币鉴别单" in error.value.message_dict["evidence"][0]


def test_agent_may_not_review_the_slip_nor_approve(make_claim, customer_a, agent):
    claim = claim_decide(claim=make_claim(customer_a, answers=ELIGIBLE_ANSWERS), acting_user=agent)
    with pytest.raises(PermissionDenied):
        claim_review_slip(claim=claim, acting_user=agent)


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("-5.00", "Ensure this value is greater than or equal to 0.01."),
        ("0", "Ensure this value is greater than or equal to 0.01."),
        ("10.125", "Ensure that there are no more than 2 decimal places."),
    ],
    ids=["negative", "zero", "three-decimals"],
)
def test_bad_amount_is_refused_naming_the_field(make_claim, customer_a, amount, message):
    with pytest.raises(ValidationError) as error:
        make_claim(customer_a, amount=amount)
    assert error.value.message_dict == {"claimed_amount": [message]}
    assert not Claim.objects.exists()


def test_device_of_another_customer_is_refused(make_claim, customer_a, customer_b, device_a):
    with pytest.raises(ValidationError) as error:
        make_claim(customer_b, device=device_a)
    assert list(error.value.message_dict) == ["device"]


def test_unknown_answer_is_refused_naming_the_question(make_claim, customer_a, agent):
    claim = make_claim(customer_a)
    with pytest.raises(ValidationError) as error:
        claim_record_answers(claim=claim, acting_user=agent, answers={"outlet": "roof"}, expected_version=1)
    assert list(error.value.message_dict) == ["answers.outlet"]


def test_stale_version_of_answers_is_refused(make_claim, customer_a, agent):
    claim = make_claim(customer_a)
    claim_record_answers(claim=claim, acting_user=agent, answers={"outlet": "accepted"}, expected_version=1)
    with pytest.raises(VersionConflict):
        claim_record_answers(claim=claim, acting_user=agent, answers={"outlet": "reject"}, expected_version=1)


def test_changing_facts_after_a_decision_sends_the_claim_back_to_draft(make_claim, customer_a, agent):
    claim = claim_decide(claim=make_claim(customer_a, answers=ELIGIBLE_ANSWERS), acting_user=agent)
    claim = claim_record_answers(
        claim=claim, acting_user=agent, answers={"serial_altered": "yes"}, expected_version=claim.version
    )
    assert (claim.status, claim.outcome, claim.payable_amount) == (ClaimStatus.DRAFT, "", None)
    assert claim_decide(claim=claim, acting_user=agent).outcome == ClaimOutcome.NOT_ELIGIBLE


def test_reject_needs_a_reason_and_ends_the_claim(make_claim, customer_a, agent, director):
    claim = make_claim(customer_a)
    with pytest.raises(ValidationError) as error:
        claim_reject(claim=claim, acting_user=director, reason="  ")
    assert list(error.value.message_dict) == ["reason"]
    claim = claim_reject(claim=claim, acting_user=director, reason="代理商私自赔付")
    assert claim.status == ClaimStatus.REJECTED
    with pytest.raises(TransitionNotAllowed):
        claim_decide(claim=claim, acting_user=agent)


def test_station_b_cannot_see_station_a_claims(make_claim, customer_a, customer_b, station_a_user, station_b_user):
    claim_a = make_claim(customer_a)
    claim_b = make_claim(customer_b)
    assert list(claims_visible_to(station_b_user)) == [claim_b]
    assert list(claims_visible_to(station_a_user)) == [claim_a]


def test_station_cannot_open_a_claim_for_another_stations_customer(make_claim, customer_a, station_b_user):
    with pytest.raises(ValidationError) as error:
        make_claim(customer_a, acting_user=station_b_user)
    assert list(error.value.message_dict) == ["customer"]


def rules_of(rule_set):
    return [
        RuleDraft(
            kind=r.kind, code=r.code, text_zh=r.text_zh, text_en=r.text_en, question=r.question, expected=r.expected
        )
        for r in rule_set.rules.all()
    ]


def test_a_new_rule_set_version_does_not_change_a_decided_claim(make_claim, customer_a, agent, director, rule_set):
    claim = claim_decide(claim=make_claim(customer_a, answers=ELIGIBLE_ANSWERS), acting_user=agent)
    decision_before = dict(claim.decision)
    drafts = rules_of(rule_set)
    drafts[3] = RuleDraft(kind="condition", code="4", text_zh="只认正币口", question="outlet", expected=["damaged"])
    v2 = rule_set_new_version(
        base=rule_set,
        acting_user=director,
        name=rule_set.name,
        effective_from=datetime.date(2026, 1, 1),
        payout_ratio=Decimal("0.5"),
        max_amount=None,
        required_documents=["bank_slip"],
        rules=drafts,
    )
    assert v2.version == 2 and rule_set_current("COUNTERFEIT") == v2
    claim.refresh_from_db()
    assert claim.rule_set_id == rule_set.pk and claim.decision == decision_before
    # re-deciding keeps the claim's own version: still eligible, still 1:1
    again = claim_decide(claim=claim, acting_user=agent)
    assert (again.outcome, again.payable_amount) == (ClaimOutcome.ELIGIBLE, Decimal("100.00"))
    # a new claim uses version 2
    new = claim_decide(claim=make_claim(customer_a, answers=ELIGIBLE_ANSWERS, rule_set_override=v2), acting_user=agent)
    assert new.outcome == ClaimOutcome.NOT_ELIGIBLE


def test_new_version_refuses_bad_rules_naming_them(rule_set, director):
    with pytest.raises(ValidationError) as error:
        rule_set_new_version(
            base=rule_set,
            acting_user=director,
            name="x",
            effective_from=datetime.date(2026, 1, 1),
            payout_ratio=Decimal("1"),
            max_amount=None,
            required_documents=["passport"],
            rules=[
                RuleDraft(kind="condition", code="1", text_zh="", question="outlet", expected=["sideways"]),
                RuleDraft(kind="maybe", code="1", text_zh="x", question="own_question", expected=["yes"]),
            ],
        )
    assert set(error.value.message_dict) == {
        "required_documents",
        "rules.0.text_zh",
        "rules.0.expected",
        "rules.1.code",
        "rules.1.kind",
    }
    assert ClaimRuleSet.objects.filter(code="COUNTERFEIT").count() == 1


def test_only_director_or_admin_may_make_a_new_version(rule_set, agent):
    with pytest.raises(PermissionDenied):
        rule_set_new_version(
            base=rule_set,
            acting_user=agent,
            name="x",
            effective_from=datetime.date(2026, 1, 1),
            payout_ratio=Decimal("1"),
            max_amount=None,
            required_documents=[],
            rules=rules_of(rule_set),
        )


def test_install_counterfeit_rule_set_returns_existing(rule_set):
    assert install_counterfeit_rule_set().pk == rule_set.pk
