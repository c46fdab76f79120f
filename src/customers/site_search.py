"""Customers in the header's search (core.site_search): name, pinyin, initials, phone, address."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.site_search import SearchHit, SearchKind, register_search_kind
from customers.models import Customer
from customers.selectors import customer_search


def _find(user: Any, query: str) -> QuerySet[Customer]:
    return customer_search(user=user, query=query).order_by("-is_active", "name", "id")


def _hit(customer: Customer) -> SearchHit:
    detail = " · ".join(part for part in (customer.phone, str(customer.unit) if customer.unit_id else "") if part)
    return SearchHit(title=customer.name, detail=detail, url=reverse("customers:detail", args=[customer.pk]))


def register() -> None:
    register_search_kind(
        SearchKind(
            key="customers",
            label=_("Customers"),
            permission="customers.view_customer",
            find=_find,
            hit=_hit,
            list_url_name="customers:list",
            order=20,
        )
    )
