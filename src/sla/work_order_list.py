"""What the SLA app adds to the work-order list and API (workorders.list_extensions): the clocks
read with each listed order, the "SLA status" filter, "nearest deadline first", the status and
deadline columns of the list's exports, and the ``deadlines`` of the API's order answers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from sla.choices import SlaStatus
from workorders.list_extensions import (
    ExportColumn,
    ListColumn,
    ListFilter,
    ListSort,
    register_export_column,
    register_list_column,
    register_list_filter,
    register_list_related,
    register_list_sort,
    register_order_api_field,
)
from workorders.models import WorkOrder


def _by_status(orders: QuerySet[WorkOrder], value: str) -> QuerySet[WorkOrder]:
    return orders.filter(sla__status=value)


def _clocks(order: WorkOrder) -> Any | None:
    """The order's clocks (read with the list: ``register_list_related``), None while no level applies."""
    try:
        return order.sla  # type: ignore[attr-defined]
    except ObjectDoesNotExist:
        return None


def _export_value(name: str) -> Callable[[WorkOrder], Any]:
    def value(order: WorkOrder) -> Any:
        sla = _clocks(order)
        if sla is None:
            return None
        return sla.get_status_display() if name == "status" else getattr(sla, name)

    return value


def _export_title(name: str) -> Any:
    from sla.models import OrderServiceLevel

    return capfirst(getattr(OrderServiceLevel._meta.get_field(name), "verbose_name", name))


def deadlines_of(order: WorkOrder) -> dict[str, Any]:
    """The order's deadlines and stored status (``order.sla``); all null while no level applies."""
    sla = _clocks(order)

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
    # The badge and the time left, sorted by the nearest deadline from its heading.
    register_list_column(
        ListColumn(
            key="sla",
            heading_template="sla/partials/list_heading.html",
            cell_template="sla/partials/list_cell.html",
            cell_class="small text-nowrap sla-cell",
        )
    )
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
    # The exports' columns: the stored status and each deadline (an Excel date in the .xlsx).
    for name in ("status", "response_due", "arrival_due", "resolution_due"):
        register_export_column(ExportColumn(key=f"sla_{name}", title=_export_title(name), value=_export_value(name)))
    register_order_api_field("deadlines", deadlines_of)
