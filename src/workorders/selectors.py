"""Reads for work orders. ``workorders_visible_to`` is the one scoping rule for orders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from core.scoping import scope_by_unit
from core.search import apply_search
from workorders.models import WorkOrder


def workorders_visible_to(user: Any) -> QuerySet[WorkOrder]:
    """Orders of the units the user may see (role and unit decide; stations see only their own)."""
    return scope_by_unit(
        WorkOrder.objects.select_related("customer", "device", "product_model", "unit", "technician"), user
    )


@dataclass
class WorkOrderFilters:
    status: list[str] | None = None
    service_type: str = ""
    channel: str = ""
    urgency: str = ""
    unit: int | None = None
    technician: int | None = None
    customer: int | None = None
    device: int | None = None
    submitted_from: date | None = None
    submitted_to: date | None = None
    q: str = ""


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def workorder_list(*, user: Any, filters: WorkOrderFilters) -> QuerySet[WorkOrder]:
    orders = workorders_visible_to(user)
    if filters.status:
        orders = orders.filter(status__in=filters.status)
    for name in ("service_type", "channel", "urgency"):
        value = getattr(filters, name)
        if value:
            orders = orders.filter(**{name: value})
    for name in ("unit", "technician", "customer", "device"):
        value = getattr(filters, name)
        if value:
            orders = orders.filter(**{f"{name}_id": value})
    if filters.submitted_from:
        orders = orders.filter(submitted_at__gte=_day_start(filters.submitted_from))
    if filters.submitted_to:
        orders = orders.filter(submitted_at__lt=_day_start(filters.submitted_to + timedelta(days=1)))
    if filters.q:
        orders = apply_search(orders, filters.q)
    return orders


def workorder_for_tracking(*, number: str, phone: str) -> WorkOrder | None:
    """The customer's tracking page: both the number and the contact phone must match."""
    number, phone = (number or "").strip().upper(), (phone or "").strip()
    if not number or not phone:
        return None
    return (
        WorkOrder.objects.select_related("customer", "product_model", "device")
        .filter(number=number)
        .filter(contact_phone=phone)
        .first()
        or WorkOrder.objects.select_related("customer", "product_model", "device")
        .filter(number=number, customer__phone=phone)
        .first()
    )
