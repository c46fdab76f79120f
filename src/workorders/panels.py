"""Cards that other apps add to the work-order detail page (warranty decision, quote, SLA
clocks…). An app registers a panel in its AppConfig.ready; the detail view asks each panel for
its context and includes its template. A panel returning None is not shown."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.http import HttpRequest

    from workorders.models import WorkOrder


@dataclass(frozen=True)
class OrderPanel:
    name: str
    template: str
    context: Callable[[HttpRequest, WorkOrder], dict[str, Any] | None]
    order: int = 100
    column: str = "main"  # "main" (left, wide) or "side" (right)


_PANELS: dict[str, OrderPanel] = {}


def register_order_panel(panel: OrderPanel) -> None:
    _PANELS[panel.name] = panel


def order_panels_for(request: HttpRequest, order: WorkOrder) -> list[dict[str, Any]]:
    rendered = []
    for panel in sorted(_PANELS.values(), key=lambda p: (p.order, p.name)):
        context = panel.context(request, order)
        if context is not None:
            rendered.append(
                {"name": panel.name, "template": panel.template, "column": panel.column, "context": context}
            )
    return rendered
