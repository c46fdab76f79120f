"""Customers in the public API v1 (SPEC §14). Thin: parse, call selectors/services, serialise."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from core.api import (
    ERROR_RESPONSES,
    Date,
    DateText,
    DateTimeText,
    IdCodeName,
    PageQuery,
    StrictIn,
    idempotent_create,
    paginate,
)
from core.api_extensions import api_fields
from core.choices import LanguageChoices
from customers import services
from customers.choices import CustomerKind, PaymentStanding
from customers.models import Contact, Customer
from customers.selectors import customer_search, customers_visible_to

router = Router(tags=["customers"])

ERRORS: dict[int, Any] = ERROR_RESPONSES
#: The largest id an integer column holds: larger numbers are "not found", never a database error.
MAX_ID = 2**63 - 1
TEXT_FIELDS = ("alt_phone", "email", "address", "tags", "notes")


class CustomerIn(StrictIn):
    name: str = Field(max_length=100)
    phone: str = Field(max_length=32)
    kind: str = CustomerKind.PERSON
    alt_phone: str = Field(default="", max_length=32)
    email: str = Field(default="", max_length=254)
    address: str = Field(default="", max_length=200)
    birthday: Date | None = None
    tags: str = Field(default="", max_length=200)
    payment_standing: str = PaymentStanding.GOOD
    language: str = LanguageChoices.ZH_HANS
    notes: str = ""
    confirm_duplicate: bool = Field(
        default=False,
        description=(
            "A customer you may see with the same phone refuses the creation (409 `possible_duplicate`, "
            "listing them in `duplicates`); send `true` after checking that this is a new customer."
        ),
    )


class CustomerPatch(StrictIn):
    version: int
    name: str | None = Field(default=None, max_length=100)
    phone: str | None = Field(default=None, max_length=32)
    kind: str | None = None
    alt_phone: str | None = Field(default=None, max_length=32)
    email: str | None = Field(default=None, max_length=254)
    address: str | None = Field(default=None, max_length=200)
    birthday: Date | None = None
    tags: str | None = Field(default=None, max_length=200)
    payment_standing: str | None = None
    language: str | None = None
    notes: str | None = None
    is_active: bool | None = None


class ContactIn(StrictIn):
    name: str = Field(max_length=64)
    phone: str = Field(max_length=32)
    title: str = Field(default="", max_length=64)
    is_primary: bool = False


class CustomerFilters(PageQuery):
    q: str = ""
    kind: str = ""


class ContactOut(Schema):
    id: int
    name: str
    phone: str
    title: str
    is_primary: bool


class CustomerOut(Schema):
    id: int
    kind: str
    name: str
    phone: str
    alt_phone: str
    email: str
    address: str
    province: str
    city: str
    district: str
    adcode: str
    birthday: DateText | None
    tags: str
    payment_standing: str
    language: str
    notes: str
    is_active: bool
    unit: IdCodeName
    version: int
    created_at: DateTimeText
    updated_at: DateTimeText


class CustomerDeviceRef(Schema):
    id: int
    serial_number: str


class CustomerDetailOut(CustomerOut):
    contacts: list[ContactOut]
    device_ids: list[int] = Field(default_factory=list, description="The customer's devices the caller may see.")
    devices: list[CustomerDeviceRef] = Field(default_factory=list)


class CustomerListOut(Schema):
    items: list[CustomerOut]
    count: int


def _check_choice(value: str | None, choices: type[models.TextChoices], field: str) -> None:
    if value is not None and value not in choices.values:
        raise ValidationError({field: _("Choose one of: %(choices)s.") % {"choices": ", ".join(choices.values)}})


def contact_out(contact: Contact) -> dict[str, Any]:
    return {
        "id": contact.pk,
        "name": contact.name,
        "phone": contact.phone,
        "title": contact.title,
        "is_primary": contact.is_primary,
    }


def customer_summary(customer: Customer) -> dict[str, Any]:
    return {
        "id": customer.pk,
        "kind": customer.kind,
        "name": customer.name,
        "phone": customer.phone,
        "alt_phone": customer.alt_phone,
        "email": customer.email,
        "address": customer.address,
        "province": customer.province,
        "city": customer.city,
        "district": customer.district,
        "adcode": customer.adcode,
        "birthday": customer.birthday.isoformat() if customer.birthday else None,
        "tags": customer.tags,
        "payment_standing": customer.payment_standing,
        "language": customer.language,
        "notes": customer.notes,
        "is_active": customer.is_active,
        "unit": {"id": customer.unit_id, "code": customer.unit.code, "name": customer.unit.name},
        "version": customer.version,
        "created_at": timezone.localtime(customer.created_at).isoformat(),
        "updated_at": timezone.localtime(customer.updated_at).isoformat(),
    }


def customer_detail(customer: Customer, request: HttpRequest) -> dict[str, Any]:
    # "device_ids" and "devices" come from the devices app (core.api_extensions).
    return {
        **customer_summary(customer),
        "contacts": [contact_out(contact) for contact in customer.contacts.all()],
        "device_ids": [],
        "devices": [],
        **api_fields("customer", request, customer),
    }


def _get_customer(request: HttpRequest, customer_id: int) -> Customer:
    if not 1 <= customer_id <= MAX_ID:
        raise Customer.DoesNotExist
    return customers_visible_to(request.user).prefetch_related("contacts").get(pk=customer_id)


@router.post(
    "",
    response={201: CustomerDetailOut, **ERRORS},
    summary="Create a customer (Idempotency-Key honoured; a possible duplicate needs confirm_duplicate)",
)
def create_customer(request: HttpRequest, payload: CustomerIn) -> Any:
    _check_choice(payload.kind, CustomerKind, "kind")
    _check_choice(payload.payment_standing, PaymentStanding, "payment_standing")
    _check_choice(payload.language, LanguageChoices, "language")

    def create() -> tuple[int, dict[str, Any]]:
        data = payload.dict()
        customer = services.customer_register(
            acting_user=request.user,
            name=data.pop("name"),
            phone=data.pop("phone"),
            confirm_duplicate=data.pop("confirm_duplicate"),
            **data,
        ).customer
        return 201, customer_detail(_get_customer(request, customer.pk), request)

    return idempotent_create(request, "customers", create)


@router.get(
    "", response={200: CustomerListOut, **ERRORS}, summary="List customers (q matches Chinese words, pinyin, initials)"
)
def list_customers(request: HttpRequest, filters: Query[CustomerFilters]) -> Any:
    _check_choice(filters.kind or None, CustomerKind, "kind")
    customers = customer_search(user=request.user, query=filters.q, kind=filters.kind)
    return paginate(customers, page=filters.page, page_size=filters.page_size, serialize=customer_summary)


@router.get(
    "/{customer_id}", response={200: CustomerDetailOut, **ERRORS}, summary="One customer with contacts and device ids"
)
def get_customer(request: HttpRequest, customer_id: int) -> Any:
    return customer_detail(_get_customer(request, customer_id), request)


@router.patch(
    "/{customer_id}", response={200: CustomerDetailOut, **ERRORS}, summary="Edit a customer (optimistic concurrency)"
)
def update_customer(request: HttpRequest, customer_id: int, payload: CustomerPatch) -> Any:
    customer = _get_customer(request, customer_id)
    changes = payload.dict(exclude_unset=True)
    version = changes.pop("version")
    _check_choice(changes.get("kind"), CustomerKind, "kind")
    _check_choice(changes.get("payment_standing"), PaymentStanding, "payment_standing")
    _check_choice(changes.get("language"), LanguageChoices, "language")
    for name in TEXT_FIELDS:
        if name in changes and changes[name] is None:
            changes[name] = ""
    services.customer_update(customer=customer, acting_user=request.user, changes=changes, expected_version=version)
    return customer_detail(_get_customer(request, customer_id), request)


@router.post("/{customer_id}/contacts", response={201: ContactOut, **ERRORS}, summary="Add a contact person")
def add_contact(request: HttpRequest, customer_id: int, payload: ContactIn) -> Any:
    customer = _get_customer(request, customer_id)

    def create() -> tuple[int, dict[str, Any]]:
        contact = services.contact_add(customer=customer, acting_user=request.user, **payload.dict())
        return 201, contact_out(contact)

    return idempotent_create(request, f"customer-contacts:{customer.pk}", create)
