"""Reads of the customer pages. No staff scoping applies: the customer proves who they are by
the order number plus phone (tracking) or holds the device's QR label; the session then
remembers which orders this browser may see."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from catalog.models import ProductModel
from fieldwork.models import ServiceReport
from workorders.choices import EventKind
from workorders.models import TimelineEvent, WorkOrder

# Staff-only entries never reach the customer: internal comments and detail edits.
HIDDEN_EVENT_KINDS = frozenset({EventKind.COMMENT, EventKind.UPDATED})


def portal_product_models() -> QuerySet[ProductModel]:
    """Models a customer can pick from when reporting a fault (active ones only)."""
    return ProductModel.objects.filter(is_active=True, category__is_active=True).order_by("name", "code")


def portal_tracked_order(*, number: str, tracked_ids: Iterable[int]) -> WorkOrder | None:
    """The order with this number, but only if this session has proved it may see it."""
    ids = [pk for pk in tracked_ids if isinstance(pk, int)]
    if not ids or not number:
        return None
    return (
        WorkOrder.objects.select_related("product_model", "device", "technician", "unit")
        .filter(pk__in=ids, number=number.strip().upper())
        .first()
    )


def portal_tracked_orders(*, tracked_ids: Iterable[int]) -> QuerySet[WorkOrder]:
    """Orders this session has already proved, newest first (the "my requests" shortcut)."""
    ids = [pk for pk in tracked_ids if isinstance(pk, int)]
    return (
        WorkOrder.objects.filter(pk__in=ids)
        .order_by("-submitted_at", "-id")
        .only("number", "status", "service_type", "submitted_at")
    )


def portal_timeline(order: WorkOrder) -> QuerySet[TimelineEvent]:
    """The order's timeline as the customer may see it (no internal comments or edits)."""
    return order.events.exclude(kind__in=HIDDEN_EVENT_KINDS).order_by("at", "id")


def portal_last_event(order: WorkOrder, kind: str) -> TimelineEvent | None:
    return order.events.filter(kind=kind).order_by("-at", "-id").first()


def portal_service_report(order: WorkOrder) -> ServiceReport | None:
    """The newest 服务报告单 the technicians / QC made for the order, once one exists (the portal
    never makes one: it offers what staff produced)."""
    return ServiceReport.objects.filter(order=order).order_by("-generated_at", "-id").first()
