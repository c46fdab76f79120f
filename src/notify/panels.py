"""The delivery log card on the customer page (core.panels)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from core.panels import PagePanel, register_page_panel


def customer_notifications_context(request: HttpRequest, customer: Any) -> dict[str, Any]:
    from notify.selectors import customer_deliveries

    # None: the user may not read the log, and the card is not shown.
    return {"notifications": customer_deliveries(request.user, customer.pk)}


def register() -> None:
    register_page_panel(
        PagePanel(
            page="customer",
            name="notifications",
            template="notify/panels/customer_notifications.html",
            context=customer_notifications_context,
            order=30,
        )
    )
