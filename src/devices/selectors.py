"""Reads for devices, scoped by the unit serving the device."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from core.public_urls import public_url
from core.scoping import scope_by_unit
from core.search import apply_search
from devices.models import Device


def devices_visible_to(user: Any) -> QuerySet[Device]:
    """The one scoping rule for devices: the unit serving the device's owner."""
    return scope_by_unit(
        Device.objects.select_related("customer", "product_model", "product_model__category"),
        user,
        field="customer__unit",
        permission="devices.view_device",
    )


def device_search(
    *,
    user: Any,
    query: str = "",
    customer: int | None = None,
    product_model: int | None = None,
    category: int | None = None,
    unit: int | None = None,
) -> QuerySet[Device]:
    devices = devices_visible_to(user)
    if query:
        devices = apply_search(devices, query)
    if customer:
        devices = devices.filter(customer_id=customer)
    if product_model:
        devices = devices.filter(product_model_id=product_model)
    if category:
        devices = devices.filter(product_model__category_id=category)
    if unit:
        devices = devices.filter(unit_id=unit)
    return devices


def device_by_qr_token(token: str) -> Device | None:
    """For the public 扫码报修 page: the token is the only key, so no unit scoping applies."""
    return Device.objects.select_related("product_model", "customer").filter(qr_token=token, is_active=True).first()


def device_request_url(device: Device, request: Any | None = None) -> str:
    """The public 扫码报修 page of this device: what its QR label encodes (core.public_urls)."""
    return public_url(f"/s/d/{device.qr_token}/", request)


def device_qr_svg(device: Device, request: Any | None = None) -> str:
    """The QR code of ``device_request_url`` as inline SVG (scales to any label size when printed)."""
    import re

    import qrcode
    import qrcode.image.svg

    image = qrcode.make(
        device_request_url(device, request),
        image_factory=qrcode.image.svg.SvgPathImage,
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=2,
    )
    svg = image.to_string(encoding="unicode")
    return re.sub(r'^<svg width="[^"]*" height="[^"]*"', '<svg class="qr-code" role="img"', svg, count=1)


def service_hotline(device: Device) -> str:
    """The number printed on a label: the serving unit's phone, else the company hotline if configured."""
    return device.unit.phone or getattr(settings, "SERVICE_HOTLINE", "")
