"""Reads of the SLA app. ``order_slas_visible_to`` is the one scoping rule for order clocks:
they follow their order's unit (a station sees only its own orders' deadlines)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from core.scoping import scope_by_unit
from sla.choices import SlaStatus
from sla.models import BackupUnitTask, OrderServiceLevel, ServiceLevel
from workorders.choices import OPEN_STATUSES

ALERT_STATUSES = (SlaStatus.AT_RISK, SlaStatus.BREACHED)


def service_levels_visible_to(user: Any) -> QuerySet[ServiceLevel]:
    """Service levels are configuration of the whole organisation: the view permission decides."""
    if not user.has_perm("sla.view_servicelevel"):
        return ServiceLevel.objects.none()
    return ServiceLevel.objects.select_related("calendar").prefetch_related("units")


def order_slas_visible_to(user: Any) -> QuerySet[OrderServiceLevel]:
    if not user.has_perm("workorders.view_workorder"):
        return OrderServiceLevel.objects.none()
    return scope_by_unit(
        OrderServiceLevel.objects.select_related("order", "order__customer", "order__unit", "level"),
        user,
        field="order__unit",
        permission="sla.view_orderservicelevel",
    )


def sla_alerts_for(user: Any, *, status: str = "") -> QuerySet[OrderServiceLevel]:
    """The dashboard: open orders at risk or breached, nearest deadline first."""
    statuses = [status] if status in ALERT_STATUSES else list(ALERT_STATUSES)
    return (
        order_slas_visible_to(user)
        .filter(status__in=statuses, order__status__in=OPEN_STATUSES)
        .select_related("order__technician")
        .order_by("nearest_deadline", "order_id")
    )


def backup_unit_tasks_visible_to(user: Any) -> QuerySet[BackupUnitTask]:
    return scope_by_unit(
        BackupUnitTask.objects.select_related("order", "order__customer", "level"),
        user,
        field="order__unit",
        permission="sla.view_backupunittask",
    )


def order_sla_for(user: Any, order_id: int) -> OrderServiceLevel | None:
    return order_slas_visible_to(user).filter(order_id=order_id).first()
