"""Writes for devices (设备档案)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.scoping import unit_ids_visible_to
from core.search import search_document
from core.services import apply_changes, check_version, lock_for_update, save_versioned
from devices.models import Device

EDITABLE_FIELDS = {
    "customer",
    "product_model",
    "serial_number",
    "purchased_on",
    "installed_on",
    "accepted_on",
    "invoice_number",
    "firmware_version",
    "location",
    "is_active",
}


def device_search_text(device: Device) -> str:
    return search_document(
        [
            device.serial_number,
            device.product_model.code,
            device.product_model.name,
            device.invoice_number,
            device.location,
        ],
        names=[device.customer.name],
    )


def _validate_dates(device: Device) -> None:
    today = timezone.localdate()
    errors: dict[str, str] = {}
    for name in ("purchased_on", "installed_on", "accepted_on"):
        value = getattr(device, name)
        if value is not None and value > today:
            errors[name] = _("The date cannot be in the future.")
    for name in ("installed_on", "accepted_on"):
        value = getattr(device, name)
        if value is not None and device.purchased_on is not None and value < device.purchased_on:
            errors.setdefault(name, _("The date cannot be before the purchase date."))
    if errors:
        raise ValidationError(errors)


def _check_serial_unique(device: Device) -> None:
    """冠字/序列号 are unique per product model; say so on the field, before the database refuses."""
    if not device.serial_number or device.product_model_id is None:
        return
    clash = Device.objects.filter(product_model_id=device.product_model_id, serial_number=device.serial_number)
    if device.pk:
        clash = clash.exclude(pk=device.pk)
    if clash.exists():
        raise ValidationError(
            {"serial_number": _("A device of this product model with this serial number is already registered.")}
        )


def _check_customer_visible(device: Device, acting_user: Any | None) -> None:
    if acting_user is None:
        return
    visible = unit_ids_visible_to(acting_user)
    if visible is not None and device.customer.unit_id not in visible:
        raise ValidationError({"customer": _("Unknown customer.")})


@transaction.atomic
def device_create(
    *, acting_user: Any | None, customer: Any, product_model: Any, serial_number: str, **fields: Any
) -> Device:
    if acting_user is not None and not acting_user.has_perm("devices.add_device"):
        raise PermissionDenied(_("You may not register devices."))
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError({field: _("Unknown field.") for field in sorted(unknown)})
    device = Device(
        customer=customer,
        product_model=product_model,
        serial_number=(serial_number or "").strip(),
        unit_id=customer.unit_id,
        **fields,
    )
    if not device.location:
        device.location = customer.address
    _check_customer_visible(device, acting_user)
    _validate_dates(device)
    _check_serial_unique(device)
    device.search_text = device_search_text(device)
    device.full_clean()
    device.save()
    return device


@transaction.atomic
def device_update(
    *, device: Device, acting_user: Any | None, changes: dict[str, Any], expected_version: int | None = None
) -> Device:
    if acting_user is not None and not acting_user.has_perm("devices.change_device"):
        raise PermissionDenied(_("You may not edit devices."))
    device = lock_for_update(device)
    check_version(device, expected_version)
    if "serial_number" in changes and isinstance(changes["serial_number"], str):
        changes = {**changes, "serial_number": changes["serial_number"].strip()}
    if {"serial_number", "product_model"} & set(changes):
        probe = Device(
            pk=device.pk,
            product_model=changes.get("product_model", device.product_model),
            serial_number=changes.get("serial_number", device.serial_number),
        )
        _check_serial_unique(probe)
    diff = apply_changes(device, changes, allowed=EDITABLE_FIELDS)
    if not diff:
        return device
    _check_customer_visible(device, acting_user)
    _validate_dates(device)
    fields = list(diff)
    if "customer" in diff:
        device.unit_id = device.customer.unit_id
        fields.append("unit")
    device.search_text = device_search_text(device)
    save_versioned(device, [*fields, "search_text"])
    return device
