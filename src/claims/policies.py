"""Pure decision code for claims: a rule set's checklist evaluated against the facts on site.

A rule set (e.g. seed 004's 假币赔付 rules: four conditions 1–4, exclusions a)–g), 1:1 payment
after the bank's 假币鉴别单 is reviewed) is data; this module only evaluates it. Every rule asks
one question (a key of ``QUESTIONS``, or any other key as a yes/no question) and names the
answers that satisfy it:

- a **condition** is *met* when the answer is one of its expected answers, *failed* otherwise;
- an **exclusion** *applies* when the answer is one of its expected answers. In a check, a
  result of *met* always means "good for the claim": an exclusion that does not apply is *met*,
  one that applies is *failed*;
- a question without an answer (or with an answer outside its options) is *unknown*.

The outcome: any exclusion that applies, or any condition failed → not eligible (each listed);
else any unknown → needs review (naming the unanswered questions); else eligible, payable =
ratio × claimed amount (capped by the set's maximum), paid only after the required documents
(the bank's slip) are reviewed. Never a guess.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from claims.choices import CheckResult, ClaimOutcome, RuleKind

CENT = Decimal("0.01")
YES, NO = "yes", "no"

Answer = str


@dataclass(frozen=True)
class Question:
    key: str
    label: Promise | str
    options: tuple[tuple[str, Promise | str], ...]

    def option_label(self, value: str | None) -> str:
        for code, label in self.options:
            if code == value:
                return str(label)
        return value or "—"


YES_NO: tuple[tuple[str, Promise | str], ...] = ((YES, gettext_lazy("Yes")), (NO, gettext_lazy("No")))

#: The facts an engineer records on site for a counterfeit-note claim (seed 004).
QUESTIONS: dict[str, Question] = {
    question.key: question
    for question in (
        Question(
            "notified_immediately",
            gettext_lazy("Was our service staff notified as soon as the counterfeit note was found?"),
            YES_NO,
        ),
        Question(
            "detection_fully_on",
            gettext_lazy("Checked with our engineer on site: were all counterfeit-detection functions on and normal?"),
            YES_NO,
        ),
        Question(
            "serial_found_in_machine",
            gettext_lazy("Does the sorter store serial numbers, and is the note's serial number found in it?"),
            YES_NO,
        ),
        Question(
            "export_connected",
            gettext_lazy("Was the sorter connected to a USB drive, a computer or network upload?"),
            YES_NO,
        ),
        Question(
            "outlet",
            gettext_lazy("Which outlet did the note go to, per the exported Excel records?"),
            (
                ("accepted", gettext_lazy("Accepted-note outlet (正币口)")),
                ("damaged", gettext_lazy("Damaged-note outlet (损币口)")),
                ("reject", gettext_lazy("Reject outlet (退币口)")),
                ("not_found", gettext_lazy("Serial number not found in the export")),
            ),
        ),
        Question(
            "serial_altered",
            gettext_lazy("Was the note's serial number altered before our engineer confirmed it?"),
            YES_NO,
        ),
        Question(
            "records_obstructed",
            gettext_lazy("Were the records on the computer or USB drive deleted, or access to them obstructed?"),
            YES_NO,
        ),
        Question(
            "agent_paid_privately",
            gettext_lazy("Did a dealer's after-sales staff pay compensation without our engineer on site?"),
            YES_NO,
        ),
    )
}


def question_for(key: str) -> Question:
    """A known question, or a yes/no question for any other key a rule set uses."""
    return QUESTIONS.get(key) or Question(key, key, YES_NO)


@dataclass(frozen=True)
class RuleTerm:
    code: str
    kind: str  # RuleKind
    text_zh: str
    text_en: str
    question: str
    expected: tuple[str, ...]


@dataclass(frozen=True)
class RuleSetTerms:
    code: str
    version: int
    name: str
    payout_ratio: Decimal
    max_amount: Decimal | None
    required_documents: tuple[str, ...]
    rules: tuple[RuleTerm, ...]

    def questions(self) -> list[Question]:
        """The questions the rules ask, each once, in rule order."""
        seen: dict[str, Question] = {}
        for rule in self.rules:
            seen.setdefault(rule.question, question_for(rule.question))
        return list(seen.values())


def localised_text(text_zh: str, text_en: str) -> str:
    """A rule's wording in the active language (Chinese is the source; English where given)."""
    language = (translation.get_language() or "zh-hans").lower()
    if language.startswith("en") and text_en:
        return text_en
    return text_zh or text_en


@dataclass(frozen=True)
class RuleCheck:
    code: str
    kind: str
    text_zh: str
    text_en: str
    question: str
    answer: str | None
    expected: tuple[str, ...]
    result: str  # CheckResult

    @property
    def text(self) -> str:
        return localised_text(self.text_zh, self.text_en)

    @property
    def reason(self) -> str:
        """Why the rule came out this way, in the active language (rendered when shown)."""
        question = question_for(self.question)
        label = str(question.label)
        answer = question.option_label(self.answer)
        expected = ", ".join(f"“{question.option_label(value)}”" for value in self.expected)
        params = {"question": label, "answer": answer, "expected": expected}
        if self.result == CheckResult.UNKNOWN:
            if self.answer:
                return _("The answer “%(answer)s” to “%(question)s” is not one of its options: needs review.") % params
            return _("No answer yet to “%(question)s”: needs review.") % params
        if self.kind == RuleKind.EXCLUSION:
            if self.result == CheckResult.FAILED:
                return _("The exclusion applies: “%(question)s” was answered “%(answer)s”.") % params
            return _("Does not apply: “%(question)s” was answered “%(answer)s”.") % params
        if self.result == CheckResult.MET:
            return _("Met: “%(question)s” was answered “%(answer)s”.") % params
        return _("Not met: “%(question)s” was answered “%(answer)s”; the condition needs %(expected)s.") % params

    def as_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "kind": self.kind,
            "text_zh": self.text_zh,
            "text_en": self.text_en,
            "question": self.question,
            "answer": self.answer,
            "expected": list(self.expected),
            "result": self.result,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RuleCheck:
        return cls(
            code=str(data.get("code", "")),
            kind=str(data.get("kind", "")),
            text_zh=str(data.get("text_zh", "")),
            text_en=str(data.get("text_en", "")),
            question=str(data.get("question", "")),
            answer=data.get("answer"),
            expected=tuple(data.get("expected") or ()),
            result=str(data.get("result", CheckResult.UNKNOWN)),
        )


@dataclass(frozen=True)
class ClaimDecision:
    outcome: str  # ClaimOutcome
    claimed_amount: Decimal
    payable_amount: Decimal
    rule_set_code: str
    rule_set_version: int
    required_documents: tuple[str, ...]
    checks: tuple[RuleCheck, ...] = field(default_factory=tuple)
    amount_problem: bool = False

    @property
    def unanswered(self) -> list[str]:
        return [check.question for check in self.checks if check.result == CheckResult.UNKNOWN]

    @property
    def failing(self) -> list[RuleCheck]:
        return [check for check in self.checks if check.result == CheckResult.FAILED]

    @property
    def summary(self) -> str:
        """One line for the timeline and lists: the outcome and the rules that decided it."""
        if self.outcome == ClaimOutcome.ELIGIBLE:
            return _("Eligible: every condition met and no exclusion applies; payable %(amount)s after review.") % {
                "amount": self.payable_amount
            }
        if self.outcome == ClaimOutcome.NOT_ELIGIBLE:
            codes = ", ".join(check.code for check in self.failing)
            return _("Not eligible: rules %(codes)s.") % {"codes": codes}
        if self.amount_problem:
            return _("Needs review: the claimed amount must be greater than zero.")
        missing = ", ".join(str(question_for(key).label) for key in dict.fromkeys(self.unanswered))
        return _("Needs review: no answer to %(questions)s.") % {"questions": missing}

    def as_json(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "claimed_amount": f"{self.claimed_amount:.2f}",
            "payable_amount": f"{self.payable_amount:.2f}",
            "rule_set": {"code": self.rule_set_code, "version": self.rule_set_version},
            "required_documents": list(self.required_documents),
            "amount_problem": self.amount_problem,
            "checks": [check.as_json() for check in self.checks],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ClaimDecision:
        rule_set = data.get("rule_set") or {}
        return cls(
            outcome=str(data.get("outcome", ClaimOutcome.NEEDS_REVIEW)),
            claimed_amount=Decimal(str(data.get("claimed_amount", "0"))),
            payable_amount=Decimal(str(data.get("payable_amount", "0"))),
            rule_set_code=str(rule_set.get("code", "")),
            rule_set_version=int(rule_set.get("version", 0) or 0),
            required_documents=tuple(data.get("required_documents") or ()),
            checks=tuple(RuleCheck.from_json(item) for item in data.get("checks") or ()),
            amount_problem=bool(data.get("amount_problem", False)),
        )


def _check(rule: RuleTerm, answers: Mapping[str, Answer]) -> RuleCheck:
    answer = answers.get(rule.question)
    answer = answer.strip() if isinstance(answer, str) else None
    options = {code for code, _label in question_for(rule.question).options}
    if not answer or answer not in options:
        result = CheckResult.UNKNOWN
    elif rule.kind == RuleKind.EXCLUSION:
        result = CheckResult.FAILED if answer in rule.expected else CheckResult.MET
    else:
        result = CheckResult.MET if answer in rule.expected else CheckResult.FAILED
    return RuleCheck(
        code=rule.code,
        kind=rule.kind,
        text_zh=rule.text_zh,
        text_en=rule.text_en,
        question=rule.question,
        answer=answer or None,
        expected=rule.expected,
        result=result,
    )


def payable_amount(terms: RuleSetTerms, claimed: Decimal) -> Decimal:
    """ratio × claimed (1:1 by default), half-up to the cent, capped by the set's maximum."""
    amount = (claimed * terms.payout_ratio).quantize(CENT, rounding=ROUND_HALF_UP)
    if terms.max_amount is not None and amount > terms.max_amount:
        amount = terms.max_amount.quantize(CENT, rounding=ROUND_HALF_UP)
    return amount


def claim_decide(terms: RuleSetTerms, answers: Mapping[str, Answer], claimed_amount: Decimal) -> ClaimDecision:
    """Evaluate every rule of ``terms`` against ``answers``; see the module docstring for the rule."""
    checks = tuple(_check(rule, answers) for rule in terms.rules)
    results = {check.result for check in checks}
    amount_problem = claimed_amount is None or claimed_amount <= 0
    if CheckResult.FAILED in results:
        outcome = ClaimOutcome.NOT_ELIGIBLE
    elif CheckResult.UNKNOWN in results or amount_problem or not checks:
        outcome = ClaimOutcome.NEEDS_REVIEW
    else:
        outcome = ClaimOutcome.ELIGIBLE
    payable = payable_amount(terms, claimed_amount) if outcome == ClaimOutcome.ELIGIBLE else Decimal("0.00")
    return ClaimDecision(
        outcome=outcome,
        claimed_amount=(claimed_amount or Decimal("0")).quantize(CENT, rounding=ROUND_HALF_UP),
        payable_amount=payable,
        rule_set_code=terms.code,
        rule_set_version=terms.version,
        required_documents=terms.required_documents,
        checks=checks,
        amount_problem=amount_problem,
    )


def answer_errors(questions: Iterable[Question], answers: Mapping[str, Any]) -> dict[str, str]:
    """Field errors (``answers.<key>``) for answers to questions the rule set does not ask, or
    answers outside a question's options. Empty answers are fine: they mean "not known yet"."""
    by_key = {question.key: question for question in questions}
    errors: dict[str, str] = {}
    for key, value in answers.items():
        question = by_key.get(key)
        if question is None:
            errors[f"answers.{key}"] = _("This rule set asks no such question.")
            continue
        if value is None or value == "":
            continue
        options = [code for code, _label in question.options]
        if not isinstance(value, str) or value not in options:
            errors[f"answers.{key}"] = _("Choose one of: %(choices)s.") % {"choices": ", ".join(options)}
    return errors
