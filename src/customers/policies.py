"""Is a "new caller" someone already on file? Pure decision with reasons (issue 18, point 6).

A customer registered twice splits their devices, orders and warranty history over two records.
The phone number is what identifies a caller: the same normalised number (``core.phones``) as an
existing customer's phone, their other number or one of their contacts is a *likely* duplicate,
and registering anyway needs an explicit confirmation. The same name alone is a *weaker* hint
(张伟 is a common name): it is shown to the agent, but confirming is not required.

The selector (``customers.selectors.customer_duplicates_for``) reads the candidates the acting
user may see; this module only decides, so the console and the API apply one rule.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from core.phones import phone_normalise
from customers.choices import DuplicateReason

#: Reasons strong enough that creating the customer anyway must be confirmed.
STRONG_REASONS = frozenset({DuplicateReason.SAME_PHONE, DuplicateReason.OTHER_PHONE})


@dataclass(frozen=True)
class CustomerFacts:
    """What the rule looks at of an existing customer."""

    id: int
    name: str
    phone: str
    other_phones: tuple[str, ...] = ()  # the other number and the contacts' phones


@dataclass(frozen=True)
class DuplicateCandidate:
    customer_id: int
    reasons: tuple[DuplicateReason, ...]

    @property
    def is_likely(self) -> bool:
        """A strong reason (the phone): registering anyway must be confirmed."""
        return any(reason in STRONG_REASONS for reason in self.reasons)


@dataclass(frozen=True)
class DuplicateDecision:
    """The candidates, likely ones first, each with its reasons; empty when the caller is new."""

    candidates: tuple[DuplicateCandidate, ...] = ()

    @property
    def needs_confirmation(self) -> bool:
        return any(candidate.is_likely for candidate in self.candidates)

    def reasons_of(self, customer_id: int) -> tuple[DuplicateReason, ...]:
        for candidate in self.candidates:
            if candidate.customer_id == customer_id:
                return candidate.reasons
        return ()


def name_normalise(name: str) -> str:
    """Full-width letters as half-width, no spaces, case folded: ``张 三丰`` = ``张三丰``."""
    return "".join(unicodedata.normalize("NFKC", name or "").split()).casefold()


def customer_duplicates_decide(*, name: str, phone: str, existing: Iterable[CustomerFacts]) -> DuplicateDecision:
    """Which existing customers the caller (``name``, ``phone`` as typed) may already be, and why."""
    wanted_phone, wanted_name = phone_normalise(phone), name_normalise(name)
    candidates = []
    for facts in existing:
        reasons: list[DuplicateReason] = []
        if wanted_phone and phone_normalise(facts.phone) == wanted_phone:
            reasons.append(DuplicateReason.SAME_PHONE)
        elif wanted_phone and wanted_phone in {phone_normalise(other) for other in facts.other_phones}:
            reasons.append(DuplicateReason.OTHER_PHONE)
        if wanted_name and name_normalise(facts.name) == wanted_name:
            reasons.append(DuplicateReason.SAME_NAME)
        if reasons:
            candidates.append(DuplicateCandidate(customer_id=facts.id, reasons=tuple(reasons)))
    candidates.sort(key=lambda candidate: (not candidate.is_likely, -len(candidate.reasons)))
    return DuplicateDecision(candidates=tuple(candidates))
