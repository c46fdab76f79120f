"""Which service level an order gets — pure decision code returning the level and why.

A level applies when every condition it sets holds (an empty condition holds for every order):
service type, urgency, priority, a customer tag (contract / tier, e.g. ``维保合同``), the
responsible unit, a region (administrative-code prefix of the customer). Among the levels that
apply, the lowest ``rank`` wins; on equal rank the one with more conditions (the more specific)
wins, then the code. The reasons name each condition that matched, so the timeline can say why.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class OrderFacts:
    service_type: str
    urgency: str
    priority: int
    customer_tags: frozenset[str] = frozenset()
    unit_ids: frozenset[int] = frozenset()  # the order's unit and the units above it
    adcode: str = ""


@dataclass(frozen=True)
class LevelRule:
    id: int
    code: str
    name: str
    rank: int = 100
    service_types: tuple[str, ...] = ()
    urgencies: tuple[str, ...] = ()
    priorities: tuple[int, ...] = ()
    customer_tags: tuple[str, ...] = ()
    unit_ids: tuple[int, ...] = ()
    region_prefixes: tuple[str, ...] = ()

    @property
    def specificity(self) -> int:
        return sum(
            1
            for values in (
                self.service_types,
                self.urgencies,
                self.priorities,
                self.customer_tags,
                self.unit_ids,
                self.region_prefixes,
            )
            if values
        )


@dataclass(frozen=True)
class Reason:
    rule: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"rule": self.rule, "message": self.message}


@dataclass(frozen=True)
class LevelDecision:
    level: LevelRule | None
    reasons: tuple[Reason, ...] = field(default_factory=tuple)


def _condition_reasons(rule: LevelRule, facts: OrderFacts) -> list[Reason] | None:
    """The reasons the rule applies, or ``None`` when one of its conditions fails."""
    reasons: list[Reason] = []
    if rule.service_types:
        if facts.service_type not in rule.service_types:
            return None
        reasons.append(Reason("service_type", _("service type %(value)s") % {"value": facts.service_type}))
    if rule.urgencies:
        if facts.urgency not in rule.urgencies:
            return None
        reasons.append(Reason("urgency", _("urgency %(value)s") % {"value": facts.urgency}))
    if rule.priorities:
        if facts.priority not in rule.priorities:
            return None
        reasons.append(Reason("priority", _("priority P%(value)s") % {"value": facts.priority}))
    if rule.customer_tags:
        shared = sorted(set(rule.customer_tags) & facts.customer_tags)
        if not shared:
            return None
        reasons.append(Reason("customer_tag", _("customer tag %(value)s") % {"value": "、".join(shared)}))
    if rule.unit_ids:
        if not set(rule.unit_ids) & facts.unit_ids:
            return None
        reasons.append(Reason("unit", _("responsible unit")))
    if rule.region_prefixes:
        prefix = next((p for p in rule.region_prefixes if facts.adcode.startswith(p)), None)
        if prefix is None:
            return None
        reasons.append(Reason("region", _("region %(value)s") % {"value": prefix}))
    return reasons


def service_level_match(rules: Iterable[LevelRule], facts: OrderFacts) -> LevelDecision:
    """The level for an order with these facts, and why (or no level, and why not)."""
    candidates: list[tuple[LevelRule, list[Reason]]] = []
    for rule in rules:
        reasons = _condition_reasons(rule, facts)
        if reasons is not None:
            candidates.append((rule, reasons))
    if not candidates:
        return LevelDecision(None, (Reason("no_level", _("No active service level applies to this order.")),))
    candidates.sort(key=lambda item: (item[0].rank, -item[0].specificity, item[0].code))
    rule, reasons = candidates[0]
    chosen = Reason(
        "level",
        _("Service level %(code)s (rank %(rank)s) applies.") % {"code": rule.code, "rank": rule.rank},
    )
    if not reasons:
        reasons = [Reason("default", _("it applies to every order"))]
    return LevelDecision(rule, (chosen, *reasons))


def parse_tags(raw: str) -> frozenset[str]:
    """Customer tags as typed (comma, Chinese comma, semicolon or space separated)."""
    for separator in ("，", "、", ";", "；", " "):
        raw = raw.replace(separator, ",")
    return frozenset(tag.strip() for tag in raw.split(",") if tag.strip())


def unit_chain(unit_id: int | None, parents: Mapping[int, int | None]) -> frozenset[int]:
    chain: list[int] = []
    while unit_id is not None and unit_id not in chain:
        chain.append(unit_id)
        unit_id = parents.get(unit_id)
    return frozenset(chain)


def as_tuple(values: Sequence[object] | None) -> tuple[str, ...]:
    return tuple(str(v) for v in values or ())
