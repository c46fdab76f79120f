"""Writes for customers: one function per business action."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exceptions import PossibleDuplicate
from core.phones import phone_normalise
from core.scoping import default_unit, unit_for_region, unit_ids_visible_to
from core.search import search_document
from core.services import apply_changes, check_version, lock_for_update, save_versioned
from customers.address import parse_address
from customers.models import Contact, Customer
from customers.selectors import CustomerDuplicates, customer_duplicates_for

EDITABLE_FIELDS = {
    "kind",
    "name",
    "phone",
    "alt_phone",
    "email",
    "address",
    "birthday",
    "tags",
    "payment_standing",
    "language",
    "notes",
    "is_active",
    "unit",
    "parent",  # the organisation it reports to (issue 14: a bank branch to its first-level branch)
}


def customer_search_text(customer: Customer) -> str:
    contacts = list(customer.contacts.all()) if customer.pk else []
    return search_document(
        [customer.phone, customer.alt_phone, customer.address, customer.tags, *[c.phone for c in contacts]],
        names=[customer.name, *[c.name for c in contacts]],
    )


def _place(customer: Customer, acting_user: Any | None, explicit_unit: bool) -> None:
    """Fill province/city/district from the address and, unless chosen, the unit serving it."""
    parsed = parse_address(customer.address)
    customer.province, customer.city, customer.district, customer.adcode = (
        parsed.province,
        parsed.city,
        parsed.district,
        parsed.adcode,
    )
    if not explicit_unit:
        unit = unit_for_region(parsed.adcode)
        visible = unit_ids_visible_to(acting_user) if acting_user is not None else None
        if unit is None or (visible is not None and unit.pk not in visible):
            profile = getattr(acting_user, "profile", None) if acting_user is not None else None
            unit = profile.unit if profile is not None else default_unit()
        if unit is not None:  # no unit at all (no HQ configured): full_clean names the missing unit
            customer.unit = unit


def _check_unit_allowed(customer: Customer, acting_user: Any | None) -> None:
    if acting_user is None:
        return
    visible = unit_ids_visible_to(acting_user)
    if visible is not None and customer.unit_id not in visible:
        raise ValidationError({"unit": _("You cannot file customers under a unit outside your own.")})


@transaction.atomic
def customer_create(*, acting_user: Any | None, name: str, phone: str, **fields: Any) -> Customer:
    if acting_user is not None and not acting_user.has_perm("customers.add_customer"):
        raise PermissionDenied(_("You may not create customers."))
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError({field: _("Unknown field.") for field in sorted(unknown)})
    if "alt_phone" in fields:
        fields["alt_phone"] = phone_normalise(fields["alt_phone"] or "")
    customer = Customer(name=(name or "").strip(), phone=phone_normalise(phone or ""), **fields)
    _place(customer, acting_user, explicit_unit="unit" in fields and fields["unit"] is not None)
    _check_unit_allowed(customer, acting_user)
    customer.search_text = customer_search_text(customer)
    customer.full_clean()
    customer.save()
    return customer


@dataclass(frozen=True)
class CustomerRegistration:
    """A customer created at intake, and the possible duplicates the user confirmed past."""

    customer: Customer
    duplicates: CustomerDuplicates


def duplicate_refs(duplicates: CustomerDuplicates) -> list[dict[str, object]]:
    """The possible duplicates as the API and the timeline name them (reasons as stable codes)."""
    return [
        {
            "kind": "customer",
            "id": match.customer.pk,
            "label": f"{match.customer.name} {match.customer.phone}",
            "reasons": [str(reason) for reason in match.reasons],
        }
        for match in duplicates.matches
    ]


@transaction.atomic
def customer_register(
    *, acting_user: Any, name: str, phone: str, confirm_duplicate: bool, **fields: Any
) -> CustomerRegistration:
    """Create a customer at intake (the agent's console, ``POST /customers``): refused with
    ``PossibleDuplicate`` when a customer the user sees has the same phone (customers.policies),
    unless the user confirmed that this is a new one. The same name alone does not refuse."""
    if acting_user is not None and not acting_user.has_perm("customers.add_customer"):
        raise PermissionDenied(_("You may not create customers."))
    duplicates = customer_duplicates_for(user=acting_user, name=name, phone=phone)
    if duplicates.needs_confirmation and not confirm_duplicate:
        likely = [match.customer for match in duplicates.matches if match.is_likely]
        raise PossibleDuplicate(
            _(
                "A customer with this phone number is already on file: %(customers)s. Use the existing "
                "customer, or confirm that this is a new one."
            )
            % {"customers": ", ".join(f"{customer.name} ({customer.phone})" for customer in likely)},
            field="phone",
            duplicates=duplicate_refs(duplicates),
        )
    customer = customer_create(acting_user=acting_user, name=name, phone=phone, **fields)
    return CustomerRegistration(customer=customer, duplicates=duplicates)


@transaction.atomic
def customer_update(
    *, customer: Customer, acting_user: Any | None, changes: dict[str, Any], expected_version: int | None = None
) -> Customer:
    if acting_user is not None and not acting_user.has_perm("customers.change_customer"):
        raise PermissionDenied(_("You may not edit customers."))
    customer = lock_for_update(customer)
    check_version(customer, expected_version)
    unit_before = customer.unit_id
    changes = {
        name: phone_normalise(value or "") if name in {"phone", "alt_phone"} else value
        for name, value in changes.items()
    }
    diff = apply_changes(customer, changes, allowed=EDITABLE_FIELDS)
    if not diff:
        return customer
    fields = list(diff)
    if "address" in diff:
        _place(customer, acting_user, explicit_unit="unit" in diff)
        fields += ["province", "city", "district", "adcode", "unit"]
    _check_unit_allowed(customer, acting_user)
    if "parent" in diff:
        customer.clean()  # never its own parent, nor one of its branches'
    customer.search_text = customer_search_text(customer)
    save_versioned(customer, [*dict.fromkeys(fields), "search_text"])
    if customer.unit_id != unit_before:
        # The devices move with their owner to the unit now serving them.
        customer.devices.update(unit_id=customer.unit_id, version=F("version") + 1, updated_at=timezone.now())
    return customer


@transaction.atomic
def contact_add(
    *, customer: Customer, acting_user: Any | None, name: str, phone: str, title: str = "", is_primary: bool = False
) -> Contact:
    if acting_user is not None and not acting_user.has_perm("customers.change_customer"):
        raise PermissionDenied(_("You may not edit customers."))
    contact = Contact(
        customer=customer, name=name.strip(), phone=phone_normalise(phone), title=title, is_primary=is_primary
    )
    contact.full_clean()
    contact.save()
    customer.search_text = customer_search_text(customer)
    customer.save(update_fields=["search_text", "updated_at"])
    return contact
