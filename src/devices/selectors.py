"""Reads for devices, scoped by the unit serving the device."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from core.scoping import scope_by_unit
from core.search import apply_search
from devices.models import Device


def devices_visible_to(user: Any) -> QuerySet[Device]:
    """The one scoping rule for devices."""
    return scope_by_unit(Device.objects.select_related("customer", "product_model", "product_model__category"), user)


def device_search(
    *, user: Any, query: str = "", customer: int | None = None, product_model: int | None = None
) -> QuerySet[Device]:
    devices = devices_visible_to(user)
    if query:
        devices = apply_search(devices, query)
    if customer:
        devices = devices.filter(customer_id=customer)
    if product_model:
        devices = devices.filter(product_model_id=product_model)
    return devices


def device_by_qr_token(token: str) -> Device | None:
    """For the public 扫码报修 page: the token is the only key, so no unit scoping applies."""
    return Device.objects.select_related("product_model", "customer").filter(qr_token=token, is_active=True).first()
