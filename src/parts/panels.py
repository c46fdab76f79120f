"""The parts card on a work order's page: its reservations, the parts issued and returned, and
the forms to reserve at a chosen warehouse, release, and return what was not used."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from workorders.panels import OrderPanel, register_order_panel


def order_parts_context(request: HttpRequest, order: Any) -> dict[str, Any] | None:
    from parts.choices import MoveKind
    from parts.selectors import moves_visible_to, reservations_visible_to, warehouses_visible_to

    user: Any = request.user
    if not user.has_perm("parts.view_reservation"):
        return None
    reservations = list(reservations_visible_to(user).filter(work_order=order).order_by("id"))
    moves = list(
        moves_visible_to(user)
        .filter(
            work_order=order,
            kind__in=[MoveKind.ISSUE, MoveKind.RETURN, MoveKind.REVERSAL, MoveKind.SHIP, MoveKind.SHIP_RECEIVE],
        )
        .order_by("id")
    )
    may_reserve = user.has_perm("parts.add_reservation") and order.is_open
    rows: list[Any] = [*reservations, *moves]
    for row in rows:
        row.promise_row = _promise_of(row)
    return {
        "order": order,
        "reservations": reservations,
        "moves": moves,
        "may_reserve": may_reserve,
        "may_issue": user.has_perm("parts.issue_stockmove") or user.has_perm("parts.add_stockmove"),
        "warehouses": list(warehouses_visible_to(user).filter(is_active=True).order_by("code")) if may_reserve else [],
        **(_promise_choice(order) if may_reserve else {}),
    }


def _promise_of(row: Any) -> Any:
    """The promise of a reservation or a shipment of the card, or None."""
    from parts.models import PartPromise

    try:
        return row.promise
    except (PartPromise.DoesNotExist, AttributeError):
        return None


def _promise_choice(order: Any) -> dict[str, Any]:
    """What the reserve form offers: the order's terms decide (shown, not chosen), or a choice with
    the default promise selected."""
    from parts.choices import PartPromiseKind, PromiseSource
    from parts.promises import promise_for_order

    decision = promise_for_order(order)
    fixed = decision.source in (PromiseSource.SERVICE_LEVEL, PromiseSource.CONTRACT)
    return {
        "promise_fixed": decision.reason if fixed else "",
        "promise_default": decision.promise,
        "promise_choices": [] if fixed else PartPromiseKind.choices,
    }


def register() -> None:
    register_order_panel(
        OrderPanel(
            name="parts", template="parts/panels/order_parts.html", context=order_parts_context, order=40, column="main"
        )
    )
