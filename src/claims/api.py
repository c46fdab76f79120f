"""Claims in the public API v1 (``/api/v1/claims``). Thin: parse, call selectors/services, serialise."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from pydantic import Field

from claims import services
from claims.choices import ClaimOutcome, ClaimStatus, EvidenceKind
from claims.models import Claim, ClaimRuleSet
from claims.selectors import claim_list, claims_visible_to, rule_set_current, rule_sets_visible_to
from core.api import (
    ERROR_RESPONSES,
    MAX_ID,
    DateText,
    DateTimeText,
    DecimalText,
    Id,
    IdName,
    IdNumber,
    Money,
    MoneyText,
    PageQuery,
    StrictIn,
    Upload,
    idempotent_create,
    local_iso,
    money_text,
    paginate,
    parse_id,
)
from customers.selectors import customers_visible_to
from devices.selectors import devices_visible_to
from workorders.selectors import workorders_visible_to

router = Router(tags=["claims"])

#: (prefix under /api/v1, router) pairs that aftersales.api mounts.
ROUTERS: list[tuple[str, Router]] = [("/claims", router)]

AnswerMap = dict[str, str | None]


class ClaimIn(StrictIn):
    rule_set: str = Field(max_length=32, description="The rule set's code, e.g. COUNTERFEIT (its current version)")
    customer: Id | None = Field(default=None, description="Customer id; taken from the work order when omitted")
    device: Id | None = None
    work_order: Id | None = Field(default=None, description="A work order (service type claim) it belongs to")
    claimed_amount: Money
    description: str = Field(default="", max_length=2000)
    answers: AnswerMap = Field(default_factory=dict, description="question key → answer code")


class AnswersIn(StrictIn):
    version: int = Field(ge=1)
    answers: AnswerMap


class ClaimVersionIn(StrictIn):
    version: int | None = Field(default=None, ge=1)


class SlipReviewIn(ClaimVersionIn):
    note: str = Field(default="", max_length=500)


class PayIn(ClaimVersionIn):
    reference: str = Field(default="", max_length=64)


class ClaimRejectIn(ClaimVersionIn):
    reason: str = Field(max_length=1000)


class ClaimFilters(PageQuery):
    status: ClaimStatus | None = None
    outcome: ClaimOutcome | None = None
    q: str = Field(default="", max_length=64)
    work_order: Id | None = None


class RuleSetSummaryOut(Schema):
    id: int
    code: str
    version: int
    name: str
    effective_from: DateText
    payout_ratio: DecimalText = Field(description="1 means 1:1 — the claimed amount is paid in full")
    max_amount: MoneyText | None
    required_documents: list[str]
    is_active: bool


class RuleSetListOut(Schema):
    items: list[RuleSetSummaryOut]
    count: int


class RuleOut(Schema):
    code: str
    kind: str = Field(description="condition or exclusion")
    text_zh: str
    text_en: str
    question: str
    expected: list[str] = Field(description="The answers that meet the condition (or trigger the exclusion)")


class OptionOut(Schema):
    value: str
    label: str


class QuestionOut(Schema):
    key: str
    label: str
    options: list[OptionOut]


class RuleSetDetailOut(RuleSetSummaryOut):
    description: str
    rules: list[RuleOut]
    questions: list[QuestionOut]


class RuleSetRef(Schema):
    id: int
    code: str
    version: int


class ClaimDeviceRef(Schema):
    id: int
    serial_number: str


class ClaimSummaryOut(Schema):
    id: int
    number: str
    status: str
    outcome: str | None
    rule_set: RuleSetRef
    customer: IdName
    device: ClaimDeviceRef | None
    work_order: IdNumber | None
    unit: int
    claimed_amount: MoneyText
    payable_amount: MoneyText | None
    version: int
    created_at: DateTimeText


class ClaimListOut(Schema):
    items: list[ClaimSummaryOut]
    count: int


class AnsweredQuestionOut(QuestionOut):
    answer: str | None


class DecisionRuleSetRef(Schema):
    code: str
    version: int


class CheckOut(Schema):
    code: str
    kind: str
    text: str
    question: str
    answer: str | None
    result: str = Field(description="met, failed or unknown")
    reason: str


class ClaimDecisionOut(Schema):
    outcome: str
    summary: str
    claimed_amount: MoneyText
    payable_amount: MoneyText
    rule_set: DecisionRuleSetRef
    unanswered: list[str] = Field(description="Question keys still without an answer")
    checks: list[CheckOut]


class EvidenceOut(Schema):
    id: int
    kind: str
    name: str
    size: int


class ClaimDetailOut(ClaimSummaryOut):
    description: str
    answers: AnswerMap = Field(description="question key → answer code")
    questions: list[AnsweredQuestionOut]
    decision: ClaimDecisionOut | None
    evidence: list[EvidenceOut]
    missing_documents: list[str] = Field(description="Document kinds the rule set requires that are not attached yet")
    decided_at: DateTimeText | None
    slip_reviewed_at: DateTimeText | None
    approved_at: DateTimeText | None
    paid_at: DateTimeText | None
    payment_reference: str
    reject_reason: str
    allowed_actions: list[str]


def rule_set_summary(rule_set: ClaimRuleSet) -> dict[str, Any]:
    return {
        "id": rule_set.pk,
        "code": rule_set.code,
        "version": rule_set.version,
        "name": rule_set.name,
        "effective_from": rule_set.effective_from.isoformat(),
        "payout_ratio": f"{rule_set.payout_ratio.normalize():f}",
        "max_amount": money_text(rule_set.max_amount),
        "required_documents": list(rule_set.required_documents or []),
        "is_active": rule_set.is_active,
    }


def rule_set_detail(rule_set: ClaimRuleSet) -> dict[str, Any]:
    terms = rule_set.terms()
    return {
        **rule_set_summary(rule_set),
        "description": rule_set.description,
        "rules": [
            {
                "code": rule.code,
                "kind": rule.kind,
                "text_zh": rule.text_zh,
                "text_en": rule.text_en,
                "question": rule.question,
                "expected": list(rule.expected),
            }
            for rule in terms.rules
        ],
        "questions": [
            {
                "key": question.key,
                "label": str(question.label),
                "options": [{"value": value, "label": str(label)} for value, label in question.options],
            }
            for question in terms.questions()
        ],
    }


def claim_summary(claim: Claim) -> dict[str, Any]:
    return {
        "id": claim.pk,
        "number": claim.number,
        "status": claim.status,
        "outcome": claim.outcome or None,
        "rule_set": {"id": claim.rule_set_id, "code": claim.rule_set.code, "version": claim.rule_set.version},
        "customer": {"id": claim.customer_id, "name": claim.customer.name},
        "device": {"id": claim.device_id, "serial_number": claim.device.serial_number} if claim.device else None,
        "work_order": {"id": claim.work_order_id, "number": claim.work_order.number} if claim.work_order else None,
        "unit": claim.unit_id,
        "claimed_amount": money_text(claim.claimed_amount),
        "payable_amount": money_text(claim.payable_amount),
        "version": claim.version,
        "created_at": local_iso(claim.created_at),
    }


def claim_detail(claim: Claim, request: HttpRequest) -> dict[str, Any]:
    decision = services.claim_decision(claim)
    questions = claim.rule_set.terms().questions()
    return {
        **claim_summary(claim),
        "description": claim.description,
        "answers": claim.answers,
        "questions": [
            {
                "key": question.key,
                "label": str(question.label),
                "options": [{"value": value, "label": str(label)} for value, label in question.options],
                "answer": (claim.answers or {}).get(question.key),
            }
            for question in questions
        ],
        "decision": None
        if decision is None
        else {
            "outcome": decision.outcome,
            "summary": decision.summary,
            "claimed_amount": money_text(decision.claimed_amount),
            "payable_amount": money_text(decision.payable_amount),
            "rule_set": {"code": decision.rule_set_code, "version": decision.rule_set_version},
            "unanswered": decision.unanswered,
            "checks": [
                {
                    "code": check.code,
                    "kind": check.kind,
                    "text": check.text,
                    "question": check.question,
                    "answer": check.answer,
                    "result": check.result,
                    "reason": check.reason,
                }
                for check in decision.checks
            ],
        },
        "evidence": [
            {"id": item.pk, "kind": item.kind, "name": item.original_name, "size": item.size}
            for item in claim.evidence.all()
        ],
        "missing_documents": services.missing_documents(claim),
        "decided_at": local_iso(claim.decided_at),
        "slip_reviewed_at": local_iso(claim.slip_reviewed_at),
        "approved_at": local_iso(claim.approved_at),
        "paid_at": local_iso(claim.paid_at),
        "payment_reference": claim.payment_reference,
        "reject_reason": claim.reject_reason,
        "allowed_actions": services.allowed_actions(claim, request.user),
    }


def _get_claim(request: HttpRequest, claim_id: int) -> Claim:
    if not 1 <= claim_id <= MAX_ID:
        raise Claim.DoesNotExist
    return claims_visible_to(request.user).get(pk=claim_id)


def _visible(queryset: Any, value: Any, field: str, message: str) -> Any:
    record = queryset.filter(pk=parse_id(value, field)).first()
    if record is None:
        raise ValidationError({field: message})
    return record


@router.post(
    "", response={201: ClaimDetailOut, **ERROR_RESPONSES}, summary="Register a claim (Idempotency-Key honoured)"
)
def create_claim(request: HttpRequest, payload: ClaimIn) -> Any:
    def create() -> tuple[int, dict[str, Any]]:
        rule_set = rule_set_current(payload.rule_set.strip())
        if rule_set is None:
            raise ValidationError({"rule_set": _("Unknown rule set.")})
        order = None
        if payload.work_order is not None:
            order = _visible(
                workorders_visible_to(request.user), payload.work_order, "work_order", _("Unknown work order.")
            )
        if payload.customer is not None:
            customer = _visible(
                customers_visible_to(request.user), payload.customer, "customer", _("Unknown customer.")
            )
        elif order is not None:
            customer = order.customer
        else:
            raise ValidationError({"customer": _("This field is required.")})
        device = None
        if payload.device is not None:
            device = _visible(devices_visible_to(request.user), payload.device, "device", _("Unknown device."))
        claim = services.claim_create(
            acting_user=request.user,
            rule_set=rule_set,
            customer=customer,
            device=device,
            work_order=order,
            claimed_amount=payload.claimed_amount,
            description=payload.description,
            answers=payload.answers,
        )
        return 201, claim_detail(_get_claim(request, claim.pk), request)

    return idempotent_create(request, "claims", create)


@router.get("", response={200: ClaimListOut, **ERROR_RESPONSES}, summary="List claims (scoped to the user's units)")
def list_claims(request: HttpRequest, filters: Query[ClaimFilters]) -> Any:
    claims = claim_list(
        user=request.user,
        status=filters.status or "",
        outcome=filters.outcome or "",
        q=filters.q,
        work_order=filters.work_order,
    )
    return paginate(claims, page=filters.page, page_size=filters.page_size, serialize=claim_summary)


@router.get("/rule-sets", response={200: RuleSetListOut, **ERROR_RESPONSES}, summary="Claim rule sets, every version")
def list_rule_sets(request: HttpRequest, filters: Query[PageQuery]) -> Any:
    rule_sets = rule_sets_visible_to(request.user).order_by("code", "-version")
    return paginate(rule_sets, page=filters.page, page_size=filters.page_size, serialize=rule_set_summary)


@router.get(
    "/rule-sets/{rule_set_id}", response={200: RuleSetDetailOut, **ERROR_RESPONSES}, summary="One rule set version"
)
def get_rule_set(request: HttpRequest, rule_set_id: int) -> Any:
    if not 1 <= rule_set_id <= MAX_ID:
        raise ClaimRuleSet.DoesNotExist
    return rule_set_detail(rule_sets_visible_to(request.user).get(pk=rule_set_id))


@router.get(
    "/{claim_id}", response={200: ClaimDetailOut, **ERROR_RESPONSES}, summary="One claim with its checklist decision"
)
def get_claim(request: HttpRequest, claim_id: int) -> Any:
    return claim_detail(_get_claim(request, claim_id), request)


@router.patch(
    "/{claim_id}/answers", response={200: ClaimDetailOut, **ERROR_RESPONSES}, summary="Record facts (with version)"
)
def record_answers(request: HttpRequest, claim_id: int, payload: AnswersIn) -> Any:
    claim = _get_claim(request, claim_id)
    services.claim_record_answers(
        claim=claim, acting_user=request.user, answers=payload.answers, expected_version=payload.version
    )
    return claim_detail(_get_claim(request, claim_id), request)


@router.post("/{claim_id}/decide", response={200: ClaimDetailOut, **ERROR_RESPONSES}, summary="Decide by the rule set")
def decide(request: HttpRequest, claim_id: int, payload: ClaimVersionIn) -> Any:
    claim = _get_claim(request, claim_id)
    services.claim_decide(claim=claim, acting_user=request.user, expected_version=payload.version)
    return claim_detail(_get_claim(request, claim_id), request)


@router.post(
    "/{claim_id}/evidence",
    response={201: ClaimDetailOut, **ERROR_RESPONSES},
    summary="Attach a document (e.g. the bank slip)",
)
def add_evidence(request: HttpRequest, claim_id: int, kind: Form[EvidenceKind], file: File[Upload]) -> Any:
    claim = _get_claim(request, claim_id)
    services.claim_add_evidence(claim=claim, acting_user=request.user, upload=file, kind=kind)
    return Status(201, claim_detail(_get_claim(request, claim_id), request))


@router.post("/{claim_id}/review", response={200: ClaimDetailOut, **ERROR_RESPONSES}, summary="Review the bank's slip")
def review(request: HttpRequest, claim_id: int, payload: SlipReviewIn) -> Any:
    claim = _get_claim(request, claim_id)
    services.claim_review_slip(
        claim=claim, acting_user=request.user, note=payload.note, expected_version=payload.version
    )
    return claim_detail(_get_claim(request, claim_id), request)


@router.post("/{claim_id}/approve", response={200: ClaimDetailOut, **ERROR_RESPONSES}, summary="Approve for payment")
def approve(request: HttpRequest, claim_id: int, payload: ClaimVersionIn) -> Any:
    claim = _get_claim(request, claim_id)
    services.claim_approve_payment(claim=claim, acting_user=request.user, expected_version=payload.version)
    return claim_detail(_get_claim(request, claim_id), request)


@router.post("/{claim_id}/pay", response={200: ClaimDetailOut, **ERROR_RESPONSES}, summary="Mark paid")
def pay(request: HttpRequest, claim_id: int, payload: PayIn) -> Any:
    claim = _get_claim(request, claim_id)
    services.claim_mark_paid(
        claim=claim, acting_user=request.user, reference=payload.reference, expected_version=payload.version
    )
    return claim_detail(_get_claim(request, claim_id), request)


@router.post("/{claim_id}/reject", response={200: ClaimDetailOut, **ERROR_RESPONSES}, summary="Reject with a reason")
def reject(request: HttpRequest, claim_id: int, payload: ClaimRejectIn) -> Any:
    claim = _get_claim(request, claim_id)
    services.claim_reject(
        claim=claim, acting_user=request.user, reason=payload.reason, expected_version=payload.version
    )
    return claim_detail(_get_claim(request, claim_id), request)
