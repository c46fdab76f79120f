"""Reads for claims, scoped by the unit serving the claim (the order's, else the customer's)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from claims.models import Claim, ClaimRuleSet
from core.scoping import scope_by_unit


def claims_visible_to(user: Any) -> QuerySet[Claim]:
    """The one scoping rule for claims: a station sees only its own area's claims."""
    return scope_by_unit(
        Claim.objects.select_related("customer", "device", "device__product_model", "work_order", "unit", "rule_set"),
        user,
        field="unit",
        permission="claims.view_claim",
    )


def claim_list(
    *, user: Any, status: str = "", outcome: str = "", q: str = "", work_order: int | None = None
) -> QuerySet[Claim]:
    claims = claims_visible_to(user)
    if status:
        claims = claims.filter(status=status)
    if outcome:
        claims = claims.filter(outcome=outcome)
    if work_order:
        claims = claims.filter(work_order_id=work_order)
    q = (q or "").strip()[:64]
    if q:
        claims = claims.filter(
            Q(number__icontains=q) | Q(customer__name__icontains=q) | Q(device__serial_number__icontains=q)
        )
    return claims


def rule_sets_visible_to(user: Any) -> QuerySet[ClaimRuleSet]:
    """Rule sets are company-wide configuration: every holder of the view permission sees them."""
    if not user.has_perm("claims.view_claimruleset"):
        return ClaimRuleSet.objects.none()
    return ClaimRuleSet.objects.all()


def rule_set_current(code: str, *, on: Any = None) -> ClaimRuleSet | None:
    """The newest active version of ``code`` in effect on ``on`` (today by default)."""
    day = on or timezone.localdate()
    return ClaimRuleSet.objects.filter(code=code, is_active=True, effective_from__lte=day).order_by("-version").first()


def rule_sets_in_effect(*, on: Any = None) -> list[ClaimRuleSet]:
    """One rule set per code: the version a new claim is created under."""
    day = on or timezone.localdate()
    current: dict[str, ClaimRuleSet] = {}
    for rule_set in ClaimRuleSet.objects.filter(is_active=True, effective_from__lte=day).order_by("code", "-version"):
        current.setdefault(rule_set.code, rule_set)
    return list(current.values())
