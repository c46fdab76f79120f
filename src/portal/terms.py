"""The public service terms (服务条款), generated from the live configuration: the service items
and what is free or paid, the fee schedule in force, response commitments (sla), warranty terms
(policies) and the contacts. Apps not installed yet (or without data) are simply left out."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.selectors import fee_schedule_in_force
from workorders.choices import ServiceType

#: How each service type is charged (seed 000 第三篇: phone guidance is free even out of warranty;
#: on-site work out of warranty is paid per the fee schedule, parts per the price list).
FREE_TYPES = frozenset({ServiceType.CONSULTATION, ServiceType.TECHNICAL_GUIDANCE, ServiceType.COMPLAINT})


@dataclass
class ServiceTerms:
    on: date
    service_items: list[dict[str, str]] = field(default_factory=list)
    schedule: Any = None
    rates: list[Any] = field(default_factory=list)
    commitments: list[dict[str, Any]] = field(default_factory=list)
    warranty: list[dict[str, Any]] = field(default_factory=list)
    exclusions: list[str] = field(default_factory=list)
    hotline: str = ""
    units: list[dict[str, Any]] = field(default_factory=list)


MAX_POLICY_ROWS = 50  # scopes listed on the public page (each its newest version in force)


def _service_items() -> list[dict[str, str]]:
    items = []
    for code, label in ServiceType.choices:
        if code in FREE_TYPES:
            charge = _("Free of charge, also out of warranty.")
        elif code in {ServiceType.RETURN, ServiceType.EXCHANGE, ServiceType.CLAIM}:
            charge = _("Decided by the warranty terms and the regulation; no service fee.")
        else:
            charge = _(
                "Free within the warranty for quality faults; otherwise charged by the fee schedule below, "
                "after you approve the quote."
            )
        items.append({"code": code, "label": str(label), "charge": charge})
    return items


def _commitments() -> list[dict[str, Any]]:
    try:
        model = apps.get_model("sla", "ServiceLevel")
    except LookupError:
        return []
    try:
        levels = list(model.objects.filter(is_active=True).order_by("rank", "code")[:20])
    except DatabaseError:
        return []
    rows = []
    for level in levels:
        rows.append(
            {
                "name": level.name,
                "description": getattr(level, "description", ""),
                "response_hours": getattr(level, "response_hours", None),
                "arrival_hours": getattr(level, "arrival_hours", None),
                "resolution_hours": getattr(level, "resolution_hours", None),
            }
        )
    return rows


def _warranty(on: date) -> list[dict[str, Any]]:
    try:
        model = apps.get_model("policies", "WarrantyPolicy")
    except LookupError:
        return []
    try:
        policies = list(
            model.objects.filter(effective_from__lte=on)
            .select_related("category", "product_model")
            .order_by("category__name", "product_model__name", "-effective_from", "-revision")
        )
    except DatabaseError:
        return []
    rows: list[dict[str, Any]] = []
    seen = set()
    for policy in policies:
        key = (getattr(policy, "category_id", None), getattr(policy, "product_model_id", None))
        if key in seen:
            continue  # the newest version in force only
        seen.add(key)
        if len(rows) == MAX_POLICY_ROWS:
            break
        scope = policy.product_model or policy.category
        rows.append(
            {
                "name": policy.name,
                "scope": str(scope) if scope else _("All products"),
                "unit_months": getattr(policy, "unit_months", None),
                "parts_months": getattr(policy, "parts_months", None),
                "parts": getattr(policy, "parts", ""),
                "start": policy.get_start_basis_display() if hasattr(policy, "get_start_basis_display") else "",
                "return_days": getattr(policy, "return_days", None),
                "exchange_days": getattr(policy, "exchange_days", None),
                "repair_warranty_days": getattr(policy, "repair_warranty_days", None),
                "excluded_causes": sorted(getattr(policy, "excluded_causes", None) or []),
            }
        )
    return rows


def _exclusions(warranty: list[dict[str, Any]]) -> list[str]:
    """What no policy in force covers, by name (policies.choices.FaultCause): the exclusions the
    policies configure, in the catalogue's order; each policy that differs lists its own."""
    try:
        from policies.choices import FaultCause
    except ImportError:
        return []
    labels = dict(FaultCause.choices)
    sets = Counter(frozenset(row["excluded_causes"]) for row in warranty)
    common = sets.most_common(1)[0][0] if sets else frozenset()
    for row in warranty:
        row["own_exclusions"] = frozenset(row["excluded_causes"]) != common
        row["exclusions"] = [str(labels[code]) for code in FaultCause.values if code in row["excluded_causes"]]
    return [str(labels[code]) for code in FaultCause.values if code in common]


def _units() -> list[dict[str, Any]]:
    """The service network's contacts: every active unit with a phone, and the areas it serves."""
    from core.models import OrgUnit

    units = OrgUnit.objects.filter(is_active=True).exclude(phone="").prefetch_related("regions").order_by("code")
    return [
        {
            "name": unit.name,
            "phone": unit.phone,
            "address": unit.address,
            "regions": "、".join(region.name for region in unit.regions.all() if region.name),
        }
        for unit in units[:100]
    ]


def service_terms(on: date | None = None) -> ServiceTerms:
    day = on or timezone.localdate()
    schedule = fee_schedule_in_force(day)
    warranty = _warranty(day)
    return ServiceTerms(
        on=day,
        service_items=_service_items(),
        schedule=schedule,
        rates=list(schedule.rates.all()) if schedule else [],
        commitments=_commitments(),
        warranty=warranty,
        exclusions=_exclusions(warranty),
        hotline=str(getattr(settings, "SERVICE_HOTLINE", "") or ""),
        units=_units(),
    )
