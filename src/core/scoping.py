"""Which organisational units a user's lists and details may show. The one rule for scoping.

HQ staff (and superusers) see every unit; a service centre sees itself and its stations; a
station sees only itself. Each app's ``selectors.<model>_visible_to(user)`` applies this.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from django.db.models import Q, QuerySet

from core.choices import UnitKind
from core.models import OrgUnit
from core.process_cache import StampedCache

ALL_UNITS = None


def unit_ids_visible_to(user: Any) -> set[int] | None:
    """``None`` means every unit; an empty set means none (anonymous or no profile)."""
    if not getattr(user, "is_authenticated", False):
        return set()
    if user.is_superuser:
        return ALL_UNITS
    if hasattr(user, "_visible_unit_ids"):
        cached: set[int] | None = user._visible_unit_ids
        return cached
    profile = getattr(user, "profile", None)
    if profile is None:
        result: set[int] | None = set()
    elif profile.unit.kind == UnitKind.HQ:
        result = ALL_UNITS
    else:
        result = unit_subtree_ids(profile.unit_id)
    user._visible_unit_ids = result
    return result


_unit_tree: StampedCache[Mapping[int, int | None]] = StampedCache("core.unit_tree", models=[OrgUnit])


def unit_parents() -> Mapping[int, int | None]:
    """Every unit's parent id (the tree is small: one query, cached per process)."""
    return _unit_tree.get("parents", lambda: MappingProxyType(dict(OrgUnit.objects.values_list("id", "parent_id"))))


def unit_ancestry(unit_id: int | None) -> list[int]:
    """The unit, its parent, … up to the top (a cycle in bad data stops the walk)."""
    parents = unit_parents()
    chain: list[int] = []
    while unit_id is not None and unit_id not in chain:
        chain.append(unit_id)
        unit_id = parents.get(unit_id)
    return chain


def unit_subtree_ids(unit_id: int) -> set[int]:
    """The unit and every unit below it."""
    children: dict[int, list[int]] = {}
    for child, parent in unit_parents().items():
        if parent is not None:
            children.setdefault(parent, []).append(child)
    ids = {unit_id}
    frontier = [unit_id]
    while frontier:
        below = [child for parent in frontier for child in children.get(parent, ()) if child not in ids]
        ids.update(below)
        frontier = below
    return ids


def scope_by_unit(queryset: QuerySet, user: Any, field: str = "unit", permission: str = "") -> QuerySet:
    """The records of the units the user may see — and none without the role's view permission."""
    if permission and not user.has_perm(permission):
        return queryset.none()
    ids = unit_ids_visible_to(user)
    if ids is ALL_UNITS:
        return queryset
    return queryset.filter(Q(**{f"{field}__in": ids}))


def scope_by_unit_or_assignee(
    queryset: QuerySet, user: Any, *, field: str, assignee_field: str, permission: str
) -> QuerySet:
    """``scope_by_unit``, plus the records assigned to the user: a technician on an approved loan
    works on orders of a unit their own role does not see."""
    if not user.has_perm(permission):
        return queryset.none()
    ids = unit_ids_visible_to(user)
    if ids is ALL_UNITS:
        return queryset
    return queryset.filter(Q(**{f"{field}__in": ids}) | Q(**{assignee_field: user.pk}))


def unit_for_region(adcode: str) -> OrgUnit | None:
    """The most specific unit whose coverage includes ``adcode`` (district > city > province)."""
    from core.models import CoverageRegion

    if not adcode:
        return None
    prefixes = [adcode[:6], adcode[:4], adcode[:2]]
    regions = {
        region.adcode_prefix: region.unit
        for region in CoverageRegion.objects.filter(adcode_prefix__in=prefixes, unit__is_active=True).select_related(
            "unit"
        )
    }
    for prefix in prefixes:
        if prefix in regions:
            return regions[prefix]
    return None


def default_unit() -> OrgUnit | None:
    return OrgUnit.objects.filter(kind=UnitKind.HQ, is_active=True).order_by("id").first()
