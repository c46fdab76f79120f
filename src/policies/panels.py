"""The warranty card on a work order's page: the latest recorded decision, its reasons and remedies."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from workorders.panels import OrderPanel, register_order_panel


def order_warranty_context(request: HttpRequest, order: Any) -> dict[str, Any] | None:
    from policies.selectors import latest_order_decision
    from policies.waivers import fee_waivers_for_order

    record = latest_order_decision(order)
    if record is None:
        return None
    return {
        "record": record,
        "decision": record.result,
        "waivers": fee_waivers_for_order(order=order),
        "history_count": order.warranty_decisions.count(),
    }


def device_warranty_context(request: HttpRequest, device: Any) -> dict[str, Any]:
    """The device page's warranty card; ``?on=YYYY-MM-DD`` asks about another day (e.g. "still
    covered on the appointment day?")."""
    from datetime import date

    from django.core.exceptions import ValidationError
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from policies.selectors import contracts_covering
    from policies.services import warranty_check_on, warranty_status

    today = timezone.localdate()
    on, on_error = today, ""
    if request.GET.get("on"):
        try:
            on = date.fromisoformat(request.GET["on"].strip())
            warranty_check_on(on)
        except ValueError:
            on, on_error = today, _("Enter a date as YYYY-MM-DD.")
        except ValidationError as error:
            on, on_error = today, " ".join(error.message_dict.get("on", error.messages))
    return {
        "warranty": warranty_status(device=device, on=on).as_dict(),
        "warranty_on": on,
        "warranty_on_error": on_error,
        "warranty_today": on == today,
        "contracts": list(contracts_covering(device=device, on=on)),
    }


def register() -> None:
    from core.panels import PagePanel, register_page_panel

    register_page_panel(
        PagePanel(
            page="device",
            name="warranty",
            template="policies/panels/device_warranty.html",
            context=device_warranty_context,
            order=10,
            column="side",
        )
    )
    register_order_panel(
        OrderPanel(
            name="warranty",
            template="policies/partials/order_panel.html",
            context=order_warranty_context,
            order=20,
            column="main",
        )
    )
