"""Reads for warranty policies, contracts and recorded decisions (scoped where they belong to a unit)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from catalog.models import ProductModel
from core.scoping import scope_by_unit
from policies.models import Contract, WarrantyDecisionRecord, WarrantyPolicy


def warranty_policies_visible_to(user: Any) -> QuerySet[WarrantyPolicy]:
    """Policies are company-wide configuration: every role with the view permission sees them all."""
    if not getattr(user, "is_authenticated", False) or not user.has_perm("policies.view_warrantypolicy"):
        return WarrantyPolicy.objects.none()
    return WarrantyPolicy.objects.select_related("category", "product_model")


def contracts_visible_to(user: Any) -> QuerySet[Contract]:
    """The one scoping rule for contracts: the unit serving the contract's customer."""
    return scope_by_unit(
        Contract.objects.select_related("customer"),
        user,
        field="customer__unit",
        permission="policies.view_contract",
    )


def warranty_decisions_visible_to(user: Any) -> QuerySet[WarrantyDecisionRecord]:
    return scope_by_unit(
        WarrantyDecisionRecord.objects.select_related("order", "device", "policy"),
        user,
        field="order__unit",
        permission="workorders.view_workorder",
    )


def policy_in_force(*, product_model: ProductModel, on: date) -> WarrantyPolicy | None:
    """The version in force on ``on``: the model's own, else its category's, else the default."""
    candidates = WarrantyPolicy.objects.filter(effective_from__lte=on).filter(
        Q(product_model=product_model)
        | Q(category_id=product_model.category_id, product_model__isnull=True)
        | Q(category__isnull=True, product_model__isnull=True)
    )
    best: WarrantyPolicy | None = None
    best_rank = (-1, date.min, -1)
    for policy in candidates.select_related("category", "product_model"):
        level = 2 if policy.product_model_id else 1 if policy.category_id else 0
        rank = (level, policy.effective_from, policy.pk)
        if rank > best_rank:
            best, best_rank = policy, rank
    return best


def policy_versions(policy: WarrantyPolicy) -> QuerySet[WarrantyPolicy]:
    """Every version of the same scope (category, model or default), newest first."""
    return WarrantyPolicy.objects.filter(category=policy.category, product_model=policy.product_model).order_by(
        "-effective_from", "-id"
    )


def contracts_covering(*, device: Any, on: date) -> QuerySet[Contract]:
    """Active contracts of the device's customer whose term includes ``on`` and that cover it."""
    return (
        Contract.objects.filter(customer_id=device.customer_id, is_active=True, starts_on__lte=on, ends_on__gte=on)
        .filter(Q(devices=device) | Q(devices__isnull=True))
        .distinct()
        .order_by("starts_on", "id")
    )


def latest_order_decision(order: Any) -> WarrantyDecisionRecord | None:
    """The order's latest recorded decision. Kept on the order object for its version, so the
    order page's cards (warranty, quote waivers) read it once."""
    memo = order.__dict__.get("_latest_warranty_decision")
    if memo is not None and memo[0] == order.version:
        return memo[1]
    record = WarrantyDecisionRecord.objects.filter(order=order).order_by("-id").first()
    order.__dict__["_latest_warranty_decision"] = (order.version, record)
    return record


def remember_order_decision(order: Any, record: WarrantyDecisionRecord) -> None:
    order.__dict__["_latest_warranty_decision"] = (order.version, record)
