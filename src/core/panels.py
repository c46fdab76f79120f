"""Cards that apps above put on a lower app's page (the order page shows the warranty, quote and
SLA cards; the customer page devices, orders and notifications; the device page its warranty and
order history) without the lower app importing them: each registers a panel for the page in its
AppConfig.ready.

A panel's ``context(request, obj)`` returns the values its template needs, or None to show
nothing; the page renders the panels of each column in their order, and its own context carries
their values too (a page test reads ``response.context["orders"]`` as before)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest


@dataclass(frozen=True)
class PagePanel:
    page: str  # "order" | "customer" | "device" | "portal_order" (the customer's order page)
    name: str
    template: str
    context: Callable[[HttpRequest, Any], dict[str, Any] | None]
    order: int = 50
    column: str = "main"  # "main" (wide) or "side"


_PANELS: dict[tuple[str, str], PagePanel] = {}


def register_page_panel(panel: PagePanel) -> PagePanel:
    _PANELS[(panel.page, panel.name)] = panel
    return panel


def page_panels_registered(page: str) -> list[PagePanel]:
    return sorted((p for p in _PANELS.values() if p.page == page), key=lambda p: (p.order, p.name))


def page_panels(page: str, request: HttpRequest, obj: Any) -> list[dict[str, Any]]:
    """The rendered panels of ``page`` for ``obj``, in order: name, template, column, context."""
    rendered = []
    for panel in page_panels_registered(page):
        context = panel.context(request, obj)
        if context is not None:
            rendered.append(
                {"name": panel.name, "template": panel.template, "column": panel.column, "context": context}
            )
    return rendered


def page_context_with_panels(page: str, request: HttpRequest, obj: Any, context: dict[str, Any]) -> dict[str, Any]:
    """``context`` plus ``panels`` and the panels' own values."""
    panels = page_panels(page, request, obj)
    for panel in panels:
        for key, value in panel["context"].items():
            context.setdefault(key, value)
    context["panels"] = panels
    return context
