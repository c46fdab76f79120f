"""What the SLA app adds to the work-order list and API (workorders.list_extensions): the clocks
read with each listed order, the "SLA status" filter, "nearest deadline first", and the
``deadlines`` of the API's order answers."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sla.choices import SlaStatus
from workorders.list_extensions import (
    ListFilter,
    ListSort,
    register_list_filter,
    register_list_related,
    register_list_sort,
    register_order_api_field,
)
from workorders.models import WorkOrder


def _by_status(orders: QuerySet[WorkOrder], value: str) -> QuerySet[WorkOrder]:
    return orders.filter(sla__status=value)


def deadlines_of(order: WorkOrder) -> dict[str, Any]:
    """The order's deadlines and stored status (``order.sla``); all null while no level applies."""
    try:
        sla = order.sla  # type: ignore[attr-defined]
    except ObjectDoesNotExist:
        sla = None

    def due(name: str) -> str | None:
        value = getattr(sla, f"{name}_due", None)
        return timezone.localtime(value).isoformat() if value else None

    return {
        "first_response": due("response"),
        "on_site": due("arrival"),
        "resolution": due("resolution"),
        "status": sla.status if sla is not None else None,
    }


def register() -> None:
    register_list_related("sla")  # one row per order (reverse one-to-one): in the list's query
    register_list_filter(
        ListFilter(name="sla_status", label=_("SLA status"), choices=lambda: list(SlaStatus.choices), apply=_by_status)
    )
    # Nearest open SLA deadline first; orders without one (no level, met, stopped) last.
    register_list_sort(
        ListSort(
            key="deadline",
            label=_("Nearest deadline first"),
            ordering=(F("sla__nearest_deadline").asc(nulls_last=True), "-submitted_at", "-id"),
        )
    )
    register_order_api_field("deadlines", deadlines_of)
