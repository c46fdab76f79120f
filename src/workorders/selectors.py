"""Reads for work orders. ``workorders_visible_to`` is the one scoping rule for orders."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from core.scoping import scope_by_unit, scope_by_unit_or_assignee
from core.search import apply_search
from workorders.choices import OPEN_STATUSES
from workorders.list_extensions import list_filters, list_related
from workorders.models import WorkOrder

#: How many orders the intake shows for a caller or a device (the customer and device pages have all).
INTAKE_HISTORY_LIMIT = 10


def workorders_visible_to(user: Any) -> QuerySet[WorkOrder]:
    """Orders of the units the user may see (role and unit decide; stations see only their own),
    plus the orders assigned to the user (a technician on an approved loan to another unit)."""
    return scope_by_unit_or_assignee(
        WorkOrder.objects.select_related("customer", "device", "product_model", "unit", "technician"),
        user,
        field="unit_id",
        assignee_field="technician_id",
        permission="workorders.view_workorder",
    )


def open_orders_of_customer(*, user: Any, customer_id: int) -> list[WorkOrder]:
    """The caller's open orders the user may see, newest first (shown as soon as they are picked)."""
    orders = workorders_visible_to(user).filter(customer_id=customer_id, status__in=OPEN_STATUSES)
    return list(orders.order_by("-submitted_at", "-id")[:INTAKE_HISTORY_LIMIT])


def open_orders_of_device(*, user: Any, device_id: int) -> list[WorkOrder]:
    """The device's open orders the user may see: registering another one needs confirming."""
    orders = workorders_visible_to(user).filter(device_id=device_id, status__in=OPEN_STATUSES)
    return list(orders.order_by("-submitted_at", "-id")[:INTAKE_HISTORY_LIMIT])


def device_service_history(*, user: Any, device_id: int) -> list[WorkOrder]:
    """The device's orders the user may see, open and finished, newest first."""
    orders = workorders_visible_to(user).filter(device_id=device_id)
    return list(orders.order_by("-submitted_at", "-id")[:INTAKE_HISTORY_LIMIT])


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
    #: Filters the apps above add (workorders.list_extensions), by query key, e.g. {"sla_status": "breached"}.
    extra: dict[str, str] = field(default_factory=dict)


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def workorder_list(*, user: Any, filters: WorkOrderFilters) -> QuerySet[WorkOrder]:
    # Rows the apps above show with each order (the SLA clocks) come in the same query.
    orders = workorders_visible_to(user).select_related(*list_related())
    for list_filter in list_filters():
        value = filters.extra.get(list_filter.name)
        if value:
            orders = list_filter.apply(orders, value)
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


def technicians_visible_to(user: Any) -> QuerySet[Any]:
    """Active users who may carry out work orders (``work_on_workorder``) in units the user may see.

    Used for the technician pickers of the staff console (assign); the service re-checks the choice.
    """
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission
    from django.db.models import Q

    # A subquery, not a statement of its own: the pickers of the list's bulk bar and of the order
    # page cost one statement.
    permission = Permission.objects.filter(content_type__app_label="workorders", codename="work_on_workorder").values(
        "pk"
    )
    users = get_user_model().objects.filter(is_active=True, profile__isnull=False)
    holds = Q(is_superuser=True) | Q(groups__permissions__in=permission) | Q(user_permissions__in=permission)
    users = scope_by_unit(users.filter(holds), user, field="profile__unit")
    return users.select_related("profile", "profile__unit").distinct().order_by("first_name", "username")


def technicians_for_order(user: Any, order: WorkOrder) -> QuerySet[Any]:
    """The technicians the user may pick for this order: visible to the user, and serving the
    order's unit (their own unit is the order's unit or one above it; HQ serves every unit)."""
    from core.scoping import unit_ancestry

    return technicians_visible_to(user).filter(profile__unit_id__in=unit_ancestry(order.unit_id))


def workorder_detail_for(*, user: Any, pk: int) -> WorkOrder | None:
    """One visible order with what its page shows (materials, attachments, timeline) prefetched."""
    from django.db.models import Prefetch

    from workorders.models import Attachment, TimelineEvent

    return (
        workorders_visible_to(user)
        .select_related("customer__unit", "device__product_model", "created_by", "accepted_by")
        .prefetch_related(
            "materials",
            Prefetch("attachments", queryset=Attachment.objects.select_related("uploaded_by")),
            Prefetch("events", queryset=TimelineEvent.objects.select_related("actor")),
        )
        .filter(pk=pk)
        .first()
    )
