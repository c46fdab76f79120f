"""Devices in the public API v1 (SPEC §14). Thin: parse, call selectors/services, serialise."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from catalog.models import ProductModel
from catalog.selectors import product_models_visible_to
from core.api import (
    ERROR_RESPONSES,
    Date,
    DateText,
    DateTimeText,
    IdCodeName,
    IdName,
    PageQuery,
    StrictIn,
    idempotent_create,
    paginate,
    parse_id,
)
from core.api_extensions import api_fields
from customers.models import Customer
from customers.selectors import customers_visible_to
from devices import services
from devices.models import Device
from devices.selectors import device_request_url, device_search, devices_visible_to

router = Router(tags=["devices"])

ERRORS: dict[int, Any] = ERROR_RESPONSES
#: The largest id an integer column holds: larger numbers are "not found", never a database error.
MAX_ID = 2**63 - 1
TEXT_FIELDS = ("invoice_number", "firmware_version", "location")


class DeviceIn(StrictIn):
    customer: int = Field(description="Customer id")
    product_model: str = Field(max_length=64, description="The product model's code")
    serial_number: str = Field(max_length=64)
    purchased_on: Date | None = Field(description="YYYY-MM-DD; null when no proof of purchase exists")
    accepted_on: Date | None = None
    installed_on: Date | None = None
    invoice_number: str = Field(default="", max_length=64)
    firmware_version: str = Field(default="", max_length=64)
    location: str = Field(default="", max_length=200)


class DevicePatch(StrictIn):
    version: int
    customer: int | None = None
    product_model: str | None = Field(default=None, max_length=64)
    serial_number: str | None = Field(default=None, max_length=64)
    purchased_on: Date | None = None
    accepted_on: Date | None = None
    installed_on: Date | None = None
    invoice_number: str | None = Field(default=None, max_length=64)
    firmware_version: str | None = Field(default=None, max_length=64)
    location: str | None = Field(default=None, max_length=200)
    is_active: bool | None = None


class DeviceFilters(PageQuery):
    q: str = ""
    customer: int | None = Field(default=None, ge=1, le=MAX_ID, description="Customer id")
    product_model: str = Field(default="", description="The product model's code")


class DeviceOut(Schema):
    id: int
    customer: IdName
    product_model: IdCodeName
    serial_number: str
    purchased_on: DateText | None
    installed_on: DateText | None
    accepted_on: DateText | None
    invoice_number: str
    firmware_version: str
    location: str
    unit: int = Field(description="The responsible unit's id.")
    is_active: bool
    qr_url: str = Field(description="The self-service request page the device's QR label opens.")
    version: int
    created_at: DateTimeText
    updated_at: DateTimeText


class DeviceOrderOut(Schema):
    id: int
    number: str
    status: str
    service_type: str
    submitted_at: DateTimeText


class DeviceDetailOut(DeviceOut):
    work_orders: list[DeviceOrderOut] = Field(
        default_factory=list, description="The device's work orders the caller may see, newest first."
    )


class DeviceListOut(Schema):
    items: list[DeviceOut]
    count: int


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def device_summary(device: Device, request: HttpRequest | None = None) -> dict[str, Any]:
    model = device.product_model
    return {
        "id": device.pk,
        "customer": {"id": device.customer_id, "name": device.customer.name},
        "product_model": {"id": model.pk, "code": model.code, "name": model.name},
        "serial_number": device.serial_number,
        "purchased_on": _day(device.purchased_on),
        "installed_on": _day(device.installed_on),
        "accepted_on": _day(device.accepted_on),
        "invoice_number": device.invoice_number,
        "firmware_version": device.firmware_version,
        "location": device.location,
        "unit": device.unit_id,
        "is_active": device.is_active,
        "qr_url": device_request_url(device, request),
        "version": device.version,
        "created_at": timezone.localtime(device.created_at).isoformat(),
        "updated_at": timezone.localtime(device.updated_at).isoformat(),
    }


def device_detail(device: Device, request: HttpRequest) -> dict[str, Any]:
    # "work_orders" comes from the work-order app (core.api_extensions).
    return {**device_summary(device, request), "work_orders": [], **api_fields("device", request, device)}


def _customer(request: HttpRequest, value: Any) -> Customer:
    """A customer the user may see; an unknown and a foreign id get the same answer."""
    number = parse_id(value, "customer")
    customer = customers_visible_to(request.user).filter(pk=number).first() if number <= MAX_ID else None
    if customer is None:
        raise ValidationError({"customer": _("Unknown customer.")})
    return customer


def _product_model(request: HttpRequest, code: str | None) -> ProductModel:
    model = product_models_visible_to(request.user).filter(code=(code or "").strip()).first() if code else None
    if model is None:
        raise ValidationError({"product_model": _("Unknown product model code.")})
    return model


def _get_device(request: HttpRequest, device_id: int) -> Device:
    if not 1 <= device_id <= MAX_ID:
        raise Device.DoesNotExist
    return devices_visible_to(request.user).get(pk=device_id)


@router.post("", response={201: DeviceDetailOut, **ERRORS}, summary="Register a device (Idempotency-Key honoured)")
def create_device(request: HttpRequest, payload: DeviceIn) -> Any:
    def create() -> tuple[int, dict[str, Any]]:
        data = payload.dict()
        customer = _customer(request, data.pop("customer"))
        product_model = _product_model(request, data.pop("product_model"))
        device = services.device_create(
            acting_user=request.user,
            customer=customer,
            product_model=product_model,
            serial_number=data.pop("serial_number"),
            **data,
        )
        return 201, device_detail(_get_device(request, device.pk), request)

    return idempotent_create(request, "devices", create)


@router.get(
    "", response={200: DeviceListOut, **ERRORS}, summary="List devices (q matches serial, model, customer, pinyin)"
)
def list_devices(request: HttpRequest, filters: Query[DeviceFilters]) -> Any:
    model_id = None
    if filters.product_model:
        model = ProductModel.objects.filter(code=filters.product_model.strip()).first()
        if model is None:
            return {"items": [], "count": 0}
        model_id = model.pk
    devices = device_search(user=request.user, query=filters.q, customer=filters.customer, product_model=model_id)
    return paginate(
        devices,
        page=filters.page,
        page_size=filters.page_size,
        serialize=lambda device: device_summary(device, request),
    )


@router.get("/{device_id}", response={200: DeviceDetailOut, **ERRORS}, summary="One device with its work-order history")
def get_device(request: HttpRequest, device_id: int) -> Any:
    return device_detail(_get_device(request, device_id), request)


@router.patch(
    "/{device_id}", response={200: DeviceDetailOut, **ERRORS}, summary="Edit a device (optimistic concurrency)"
)
def update_device(request: HttpRequest, device_id: int, payload: DevicePatch) -> Any:
    device = _get_device(request, device_id)
    changes = payload.dict(exclude_unset=True)
    version = changes.pop("version")
    if "customer" in changes:
        changes["customer"] = _customer(request, changes["customer"])
    if "product_model" in changes:
        changes["product_model"] = _product_model(request, changes["product_model"])
    for name in TEXT_FIELDS:
        if name in changes and changes[name] is None:
            changes[name] = ""
    services.device_update(device=device, acting_user=request.user, changes=changes, expected_version=version)
    return device_detail(_get_device(request, device_id), request)
