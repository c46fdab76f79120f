"""Writes for claims: one function per business action, each in one transaction.

Flow (seed 004 假币赔付): draft (facts recorded on site) → decided (eligible / not eligible /
needs review, by the claim's rule-set version) → slip reviewed (the bank's 假币鉴别单 is attached
and checked by finance or the director) → approved for payment → paid; or rejected with a reason.
Each step is recorded on the linked work order's timeline (``EventKind.CLAIM``).
"""

from __future__ import annotations

import datetime
import os
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from claims.choices import ClaimOutcome, ClaimStatus, EvidenceKind, RuleKind
from claims.models import Claim, ClaimEvidence, ClaimRule, ClaimRuleSet
from claims.policies import ClaimDecision, answer_errors, question_for
from claims.policies import claim_decide as evaluate
from core.exceptions import TransitionNotAllowed
from core.numbering import next_number
from core.scoping import unit_ids_visible_to
from core.services import check_version, lock_for_update, save_versioned
from workorders.attachments import check_upload
from workorders.choices import EventKind
from workorders.services import workorder_record_event


@dataclass(frozen=True)
class ClaimAction:
    code: str
    label: Any
    from_statuses: frozenset[str]
    permission: str


OPEN = frozenset({ClaimStatus.DRAFT, ClaimStatus.DECIDED, ClaimStatus.SLIP_REVIEWED, ClaimStatus.APPROVED})

#: What may be done to a claim in which status, and with which permission.
ACTIONS: dict[str, ClaimAction] = {
    action.code: action
    for action in (
        ClaimAction(
            "answers",
            gettext_lazy("Record facts"),
            frozenset({ClaimStatus.DRAFT, ClaimStatus.DECIDED}),
            "claims.change_claim",
        ),
        ClaimAction(
            "decide", gettext_lazy("Decide"), frozenset({ClaimStatus.DRAFT, ClaimStatus.DECIDED}), "claims.decide_claim"
        ),
        ClaimAction(
            "review", gettext_lazy("Review bank slip"), frozenset({ClaimStatus.DECIDED}), "claims.review_claim"
        ),
        ClaimAction(
            "approve",
            gettext_lazy("Approve for payment"),
            frozenset({ClaimStatus.SLIP_REVIEWED}),
            "claims.approve_claim",
        ),
        ClaimAction("pay", gettext_lazy("Mark paid"), frozenset({ClaimStatus.APPROVED}), "claims.pay_claim"),
        ClaimAction("reject", gettext_lazy("Reject"), OPEN, "claims.reject_claim"),
    )
}


def allowed_actions(claim: Claim, user: Any) -> list[str]:
    """The actions ``user`` may take on ``claim`` now (the review also needs an eligible decision)."""
    codes = []
    for action in ACTIONS.values():
        if claim.status not in action.from_statuses or not user.has_perm(action.permission):
            continue
        if action.code == "review" and claim.outcome != ClaimOutcome.ELIGIBLE:
            continue
        codes.append(action.code)
    return codes


def _not_now(claim: Claim, user: Any | None, action: str, message: str) -> TransitionNotAllowed:
    """The refusal of ``action`` in the claim's current state, with what the user may do instead."""
    return TransitionNotAllowed(
        message,
        status=claim.status,
        action=action,
        allowed_actions=allowed_actions(claim, user) if user is not None else [],
    )


def _require(claim: Claim, user: Any, code: str) -> None:
    action = ACTIONS[code]
    if user is not None and not user.has_perm(action.permission):
        raise PermissionDenied(_("You may not do this with claims: %(action)s.") % {"action": action.label})
    if claim.status not in action.from_statuses:
        raise _not_now(
            claim,
            user,
            code,
            _("A claim that is “%(status)s” cannot be changed with “%(action)s”.")
            % {"status": claim.get_status_display(), "action": action.label},
        )


def _record(claim: Claim, acting_user: Any | None, note: str, **data: Any) -> None:
    """Every step of a claim with a linked order goes onto the order's timeline."""
    order = claim.work_order
    if order is None:
        return
    workorder_record_event(
        order=order,
        kind=EventKind.CLAIM,
        acting_user=acting_user,
        note=note,
        data={"claim": claim.number, "status": claim.status, **data},
    )


def _check_visible(unit_id: int, acting_user: Any | None, field: str, message: str) -> None:
    if acting_user is None:
        return
    visible = unit_ids_visible_to(acting_user)
    if visible is not None and unit_id not in visible:
        raise ValidationError({field: message})


@transaction.atomic
def claim_create(
    *,
    acting_user: Any | None,
    rule_set: ClaimRuleSet,
    customer: Any,
    claimed_amount: Decimal,
    device: Any | None = None,
    work_order: Any | None = None,
    description: str = "",
    answers: Mapping[str, Any] | None = None,
) -> Claim:
    """Open a claim under the rule set's current version; the number comes from ``CL`` numbering."""
    if acting_user is not None and not acting_user.has_perm("claims.add_claim"):
        raise PermissionDenied(_("You may not register claims."))
    errors: dict[str, str] = {}
    if not rule_set.is_active or rule_set.effective_from > timezone.localdate():
        errors["rule_set"] = _("This rule set is not in effect.")
    _check_visible(customer.unit_id, acting_user, "customer", _("Unknown customer."))
    if device is not None and device.customer_id != customer.pk:
        errors["device"] = _("The device does not belong to this customer.")
    if work_order is not None and work_order.customer_id != customer.pk:
        errors["work_order"] = _("The work order is not this customer's.")
    if not isinstance(claimed_amount, Decimal) or not claimed_amount.is_finite():
        errors["claimed_amount"] = _("Enter an amount such as 120.00.")
    if errors:
        raise ValidationError(errors)
    answers = _clean_answers(rule_set, answers or {})
    claim = Claim(
        number="",
        rule_set=rule_set,
        customer=customer,
        device=device,
        work_order=work_order,
        unit_id=work_order.unit_id if work_order is not None else customer.unit_id,
        description=(description or "").strip(),
        claimed_amount=claimed_amount,
        answers=answers,
        created_by=acting_user,
    )
    claim.full_clean(exclude=["number"])
    claim.number = next_number("CL")
    claim.save()
    _record(claim, acting_user, _("Claim %(number)s registered.") % {"number": claim.number})
    return claim


def _clean_answers(rule_set: ClaimRuleSet, answers: Mapping[str, Any]) -> dict[str, str]:
    if not isinstance(answers, Mapping):
        raise ValidationError({"answers": _("Enter the answers as an object of question: answer.")})
    errors = answer_errors(rule_set.terms().questions(), answers)
    if errors:
        raise ValidationError(errors)
    return {key: value for key, value in answers.items() if value not in (None, "")}


@transaction.atomic
def claim_record_answers(
    *, claim: Claim, acting_user: Any | None, answers: Mapping[str, Any], expected_version: int | None
) -> Claim:
    """Record facts found on site. Given keys replace earlier answers; an empty one clears it.
    A decided claim whose facts change goes back to draft: it must be decided again."""
    claim = lock_for_update(claim)
    check_version(claim, expected_version)
    _require(claim, acting_user, "answers")
    errors = answer_errors(claim.rule_set.terms().questions(), answers)
    if errors:
        raise ValidationError(errors)
    merged = dict(claim.answers or {})
    for key, value in answers.items():
        if value in (None, ""):
            merged.pop(key, None)
        else:
            merged[key] = value
    if merged == claim.answers:
        return claim
    claim.answers = merged
    fields = ["answers"]
    if claim.status == ClaimStatus.DECIDED:
        claim.status, claim.outcome, claim.payable_amount = ClaimStatus.DRAFT, "", None
        fields += ["status", "outcome", "payable_amount"]
    save_versioned(claim, fields)
    return claim


@transaction.atomic
def claim_decide(*, claim: Claim, acting_user: Any | None, expected_version: int | None = None) -> Claim:
    """Evaluate the claim's own rule-set version (claims.policies.claim_decide) and record it."""
    claim = lock_for_update(claim)
    check_version(claim, expected_version)
    _require(claim, acting_user, "decide")
    decision = evaluate(claim.rule_set.terms(), claim.answers or {}, claim.claimed_amount)
    claim.decision = decision.as_json()
    claim.outcome = decision.outcome
    claim.payable_amount = decision.payable_amount if decision.outcome == ClaimOutcome.ELIGIBLE else None
    claim.status = ClaimStatus.DECIDED
    claim.decided_at = timezone.now()
    claim.decided_by = acting_user
    save_versioned(claim, ["decision", "outcome", "payable_amount", "status", "decided_at", "decided_by"])
    _record(
        claim,
        acting_user,
        decision.summary,
        outcome=decision.outcome,
        payable_amount=f"{decision.payable_amount:.2f}",
        rules=", ".join(f"{check.code}:{check.result}" for check in decision.checks),
    )
    return claim


def claim_decision(claim: Claim) -> ClaimDecision | None:
    """The recorded decision (as it was made, whatever the rule set says today)."""
    return ClaimDecision.from_json(claim.decision) if claim.decision else None


def missing_documents(claim: Claim) -> list[str]:
    """Kinds of documents the rule set requires that the claim does not have yet."""
    present = set(claim.evidence.values_list("kind", flat=True))
    return [kind for kind in claim.rule_set.required_documents or [] if kind not in present]


@transaction.atomic
def claim_add_evidence(*, claim: Claim, acting_user: Any | None, upload: UploadedFile, kind: str) -> ClaimEvidence:
    """Attach a document (the bank's slip, photos, the exported records) after checking its real type."""
    if acting_user is not None and not acting_user.has_perm("claims.add_claimevidence"):
        raise PermissionDenied(_("You may not add documents to claims."))
    if kind not in EvidenceKind.values:
        raise ValidationError({"kind": _("Choose one of: %(choices)s.") % {"choices": ", ".join(EvidenceKind.values)}})
    if claim.status not in OPEN:
        raise _not_now(
            claim,
            acting_user,
            "evidence",
            _("A claim that is “%(status)s” takes no more documents.") % {"status": claim.get_status_display()},
        )
    _kind, content_type = check_upload(upload)
    evidence = ClaimEvidence(
        claim=claim,
        kind=kind,
        original_name=(upload.name or "file")[:200],
        content_type=content_type,
        size=upload.size or 0,
        uploaded_by=acting_user,
    )
    extension = os.path.splitext(upload.name or "")[1].lower()[:10]
    evidence.file.save(f"{uuid.uuid4().hex}{extension}", upload, save=False)
    evidence.save()
    _record(claim, acting_user, _("Document added: %(name)s") % {"name": evidence.original_name}, document=kind)
    return evidence


@transaction.atomic
def claim_review_slip(
    *, claim: Claim, acting_user: Any | None, note: str = "", expected_version: int | None = None
) -> Claim:
    """说明: the bank's 假币鉴别单 is sent back and reviewed before any payment (seed 004)."""
    claim = lock_for_update(claim)
    check_version(claim, expected_version)
    _require(claim, acting_user, "review")
    if claim.outcome != ClaimOutcome.ELIGIBLE:
        raise _not_now(
            claim,
            acting_user,
            "review",
            _("Only an eligible claim has its slip reviewed; this one is “%(outcome)s”.")
            % {"outcome": claim.get_outcome_display()},
        )
    missing = missing_documents(claim)
    if missing:
        labels = ", ".join(str(EvidenceKind(kind).label) if kind in EvidenceKind.values else kind for kind in missing)
        raise ValidationError({"evidence": _("Attach first: %(documents)s.") % {"documents": labels}})
    claim.status = ClaimStatus.SLIP_REVIEWED
    claim.slip_reviewed_at = timezone.now()
    claim.slip_reviewed_by = acting_user
    save_versioned(claim, ["status", "slip_reviewed_at", "slip_reviewed_by"])
    _record(claim, acting_user, (note or "").strip() or _("Bank slip reviewed."))
    return claim


@transaction.atomic
def claim_approve_payment(*, claim: Claim, acting_user: Any | None, expected_version: int | None = None) -> Claim:
    """Approve payment of the decided amount; only after the slip review."""
    claim = lock_for_update(claim)
    check_version(claim, expected_version)
    if claim.status in {ClaimStatus.DRAFT, ClaimStatus.DECIDED} and (
        acting_user is None or acting_user.has_perm("claims.approve_claim")
    ):
        raise _not_now(claim, acting_user, "approve", _("Payment needs the bank's slip reviewed first."))
    _require(claim, acting_user, "approve")
    claim.status = ClaimStatus.APPROVED
    claim.approved_at = timezone.now()
    claim.approved_by = acting_user
    save_versioned(claim, ["status", "approved_at", "approved_by"])
    _record(
        claim,
        acting_user,
        _("Approved for payment: %(amount)s.") % {"amount": claim.payable_amount},
        payable_amount=f"{claim.payable_amount:.2f}" if claim.payable_amount is not None else None,
    )
    return claim


@transaction.atomic
def claim_mark_paid(
    *, claim: Claim, acting_user: Any | None, reference: str = "", expected_version: int | None = None
) -> Claim:
    claim = lock_for_update(claim)
    check_version(claim, expected_version)
    _require(claim, acting_user, "pay")
    reference = (reference or "").strip()
    if len(reference) > 64:
        raise ValidationError({"reference": _("Enter at most %(max)s characters.") % {"max": 64}})
    claim.status = ClaimStatus.PAID
    claim.paid_at = timezone.now()
    claim.paid_by = acting_user
    claim.payment_reference = reference
    save_versioned(claim, ["status", "paid_at", "paid_by", "payment_reference"])
    _record(claim, acting_user, _("Paid: %(amount)s.") % {"amount": claim.payable_amount}, reference=reference)
    return claim


@transaction.atomic
def claim_reject(*, claim: Claim, acting_user: Any | None, reason: str, expected_version: int | None = None) -> Claim:
    claim = lock_for_update(claim)
    check_version(claim, expected_version)
    _require(claim, acting_user, "reject")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the rejection.")})
    claim.status = ClaimStatus.REJECTED
    claim.reject_reason = reason
    save_versioned(claim, ["status", "reject_reason"])
    _record(claim, acting_user, _("Rejected: %(reason)s") % {"reason": reason})
    return claim


# --- rule sets ----------------------------------------------------------------------------


@dataclass(frozen=True)
class RuleDraft:
    kind: str
    code: str
    text_zh: str
    question: str
    expected: list[str]
    text_en: str = ""


@transaction.atomic
def rule_set_new_version(
    *,
    base: ClaimRuleSet,
    acting_user: Any | None,
    name: str,
    effective_from: datetime.date,
    payout_ratio: Decimal,
    max_amount: Decimal | None,
    required_documents: list[str],
    rules: list[RuleDraft],
    description: str = "",
) -> ClaimRuleSet:
    """A change to a rule set is a new version of it (version + 1); earlier versions and the
    claims decided under them stay exactly as they were."""
    if acting_user is not None and not acting_user.has_perm("claims.add_claimruleset"):
        raise PermissionDenied(_("You may not change claim rule sets."))
    latest = ClaimRuleSet.objects.select_for_update().filter(code=base.code).order_by("-version").first()
    assert latest is not None
    errors: dict[str, str] = {}
    if not rules:
        errors["rules"] = _("A rule set needs at least one rule.")
    unknown_documents = [kind for kind in required_documents if kind not in EvidenceKind.values]
    if unknown_documents:
        errors["required_documents"] = _("Choose one of: %(choices)s.") % {"choices": ", ".join(EvidenceKind.values)}
    seen: set[str] = set()
    for index, rule in enumerate(rules):
        prefix = f"rules.{index}"
        code = rule.code.strip()
        if not code:
            errors[f"{prefix}.code"] = _("This field is required.")
        elif code in seen:
            errors[f"{prefix}.code"] = _("Each rule needs its own code.")
        seen.add(code)
        if rule.kind not in RuleKind.values:
            errors[f"{prefix}.kind"] = _("Choose one of: %(choices)s.") % {"choices": ", ".join(RuleKind.values)}
        if not rule.text_zh.strip():
            errors[f"{prefix}.text_zh"] = _("This field is required.")
        options = [value for value, _label in question_for(rule.question.strip()).options]
        if not rule.expected or any(value not in options for value in rule.expected):
            errors[f"{prefix}.expected"] = _("Choose one or more of: %(choices)s.") % {"choices": ", ".join(options)}
    if errors:
        raise ValidationError(errors)
    rule_set = ClaimRuleSet(
        code=base.code,
        version=latest.version + 1,
        name=(name or "").strip(),
        description=(description or "").strip(),
        effective_from=effective_from,
        payout_ratio=payout_ratio,
        max_amount=max_amount,
        required_documents=list(dict.fromkeys(required_documents)),
        created_by=acting_user,
    )
    rule_set.full_clean()
    rule_set.save()
    built = [
        ClaimRule(
            rule_set=rule_set,
            position=position,
            kind=rule.kind,
            code=rule.code.strip(),
            text_zh=rule.text_zh.strip(),
            text_en=rule.text_en.strip(),
            question=rule.question.strip(),
            expected=list(rule.expected),
        )
        for position, rule in enumerate(rules, start=1)
    ]
    for built_rule in built:
        built_rule.full_clean(exclude=["rule_set"])
    ClaimRule.objects.bulk_create(built)
    return rule_set
