"""Reads for customers, always scoped to what the user may see."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from core.phones import phone_normalise
from core.scoping import scope_by_unit
from core.search import apply_search
from customers.choices import DuplicateReason
from customers.models import Contact, Customer
from customers.policies import CustomerFacts, DuplicateDecision, customer_duplicates_decide

#: How many possible duplicates the intake shows (and the API lists) at most.
DUPLICATE_LIMIT = 5


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


@dataclass(frozen=True)
class DuplicateMatch:
    """An existing customer the caller may be, with the policy's reasons."""

    customer: Customer
    reasons: tuple[DuplicateReason, ...]
    is_likely: bool

    @property
    def reason_labels(self) -> list[str]:
        return [str(DuplicateReason(reason).label) for reason in self.reasons]


@dataclass(frozen=True)
class CustomerDuplicates:
    decision: DuplicateDecision
    matches: tuple[DuplicateMatch, ...] = ()

    @property
    def needs_confirmation(self) -> bool:
        return self.decision.needs_confirmation


NO_DUPLICATES = CustomerDuplicates(decision=DuplicateDecision())


def customer_duplicates_for(*, user: Any, name: str, phone: str) -> CustomerDuplicates:
    """The active customers the user may see who may be this new caller (customers.policies).

    Only the user's own scope is searched: a customer of a unit the user cannot see is neither
    shown nor hinted at (the API must not reveal what exists elsewhere).
    """
    wanted_phone = phone_normalise(phone or "")
    stripped = (name or "").strip()
    match = Q(pk__in=[])
    if wanted_phone:
        match |= (
            Q(phone=wanted_phone)
            | Q(alt_phone=wanted_phone)
            | Q(pk__in=Contact.objects.filter(phone=wanted_phone).values("customer_id"))
        )
    if stripped:
        match |= Q(name__iexact=stripped) | Q(name__iexact="".join(stripped.split()))
    if not wanted_phone and not stripped:
        return NO_DUPLICATES
    found = list(
        customers_visible_to(user).filter(match, is_active=True).prefetch_related("contacts").order_by("-id")[:50]
    )
    decision = customer_duplicates_decide(
        name=name,
        phone=phone,
        existing=[
            CustomerFacts(
                id=customer.pk,
                name=customer.name,
                phone=customer.phone,
                other_phones=(customer.alt_phone, *[contact.phone for contact in customer.contacts.all()]),
            )
            for customer in found
        ],
    )
    by_id = {customer.pk: customer for customer in found}
    matches = tuple(
        DuplicateMatch(customer=by_id[candidate.customer_id], reasons=candidate.reasons, is_likely=candidate.is_likely)
        for candidate in decision.candidates[:DUPLICATE_LIMIT]
    )
    return CustomerDuplicates(decision=decision, matches=matches)
