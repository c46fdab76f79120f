"""Cards that other apps add to the work-order detail page (warranty decision, quote, SLA
clocks…). An app registers a panel in its AppConfig.ready; the detail view asks each panel for
its context and includes its template. A panel returning None is not shown. The same registry
(core.panels) serves the customer and device pages: an order panel is the page "order"'s."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from core.panels import PagePanel, page_panels, register_page_panel

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


def register_order_panel(panel: OrderPanel) -> None:
    register_page_panel(
        PagePanel(
            page="order",
            name=panel.name,
            template=panel.template,
            context=panel.context,
            order=panel.order,
            column=panel.column,
        )
    )


def order_panels_for(request: HttpRequest, order: WorkOrder) -> list[dict[str, Any]]:
    return page_panels("order", request, order)


# --- how other apps' timeline events show their parameters ----------------------------------

#: ``params(event) -> [(label, value), …]`` for one event kind (e.g. the warranty decision's reasons).
TimelineParams = Callable[[Any], list[tuple[str, str]]]

_TIMELINE_PARAMS: dict[str, TimelineParams] = {}
_PARAM_LABELS: dict[str, Any] = {}


def register_timeline_params(kind: str, params: TimelineParams) -> None:
    _TIMELINE_PARAMS[kind] = params


def register_param_labels(labels: dict[str, Any]) -> None:
    """Labels (lazy translations) for the data keys an app writes on its timeline events."""
    _PARAM_LABELS.update(labels)


def timeline_params_for(kind: str) -> TimelineParams | None:
    return _TIMELINE_PARAMS.get(kind)


def param_label(key: str) -> Any | None:
    return _PARAM_LABELS.get(key)


def choice_text(choices: Any, value: Any) -> str:
    """The label of a code in a TextChoices class, or the code itself when it is not one."""
    return str(choices(value).label) if value in choices.values else str(value or "—")


def moment_text(value: Any) -> str:
    """An ISO 8601 instant from an event's data, as the reader's local date and time."""
    from django.utils import timezone
    from django.utils.dateparse import parse_datetime
    from django.utils.formats import date_format

    moment = parse_datetime(value) if isinstance(value, str) else None
    return date_format(timezone.localtime(moment), "Y-m-d H:i") if moment else str(value or "—")
