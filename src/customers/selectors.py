"""Reads for customers, always scoped to what the user may see."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from core.scoping import scope_by_unit
from core.search import apply_search
from customers.models import Customer


def customers_visible_to(user: Any) -> QuerySet[Customer]:
    """The one scoping rule for customers: the unit serving them must be visible to the user."""
    return scope_by_unit(Customer.objects.select_related("unit"), user, permission="customers.view_customer")


def customer_search(
    *,
    user: Any,
    query: str = "",
    kind: str = "",
    unit: int | None = None,
    payment_standing: str = "",
    active: bool | None = None,
) -> QuerySet[Customer]:
    customers = customers_visible_to(user)
    if query:
        customers = apply_search(customers, query)
    if kind:
        customers = customers.filter(kind=kind)
    if unit:
        customers = customers.filter(unit_id=unit)
    if payment_standing:
        customers = customers.filter(payment_standing=payment_standing)
    if active is not None:
        customers = customers.filter(is_active=active)
    return customers


def customer_lookup(*, user: Any, query: str, limit: int = 10) -> list[Customer]:
    """Quick pick for forms (device registration, request intake): name, phone or pinyin."""
    if not (query or "").strip():
        return []
    return list(customer_search(user=user, query=query, active=True)[:limit])
