"""The appointment card on a work order's page: the booked visit (window, technician, content,
expected duration and fees) with reschedule and cancel, or the booking form (SPEC §3 processing:
"appointment with the customer (time, content, duration, expected fees)")."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from workorders.panels import OrderPanel, register_order_panel


def order_appointment_context(request: HttpRequest, order: Any) -> dict[str, Any] | None:
    from dispatch import selectors
    from dispatch.choices import ACTIVE_APPOINTMENT_STATUSES, FIELD_SERVICE_TYPES
    from dispatch.services import only_technicians
    from dispatch.views import BOOKING_DRAFT
    from workorders.selectors import technicians_for_order

    user = request.user
    if not user.has_perm("dispatch.view_appointment"):
        return None
    appointments = list(selectors.appointments_visible_to(user).filter(order_id=order.pk).order_by("-window_start"))
    bookable = order.status in selectors.DISPATCHABLE_STATUSES
    if not appointments and not (bookable and order.service_type in FIELD_SERVICE_TYPES):
        return None
    active = next((a for a in appointments if a.status in ACTIVE_APPOINTMENT_STATUSES), None)
    may_book = bookable and active is None and user.has_perm("dispatch.add_appointment")
    technicians: list[Any] = []
    draft: dict[str, Any] | None = None
    if may_book:
        saved = request.session.get(BOOKING_DRAFT) if hasattr(request, "session") else None
        if isinstance(saved, dict) and saved.get("order") == order.pk:
            draft = request.session.pop(BOOKING_DRAFT)  # what a refused booking had typed, once
        technicians = list(only_technicians(technicians_for_order(user, order)))
        seen = {t.pk for t in technicians}
        loaned = selectors.loaned_in_profiles(order.unit_id, timezone.localdate())
        technicians += [profile.user for profile in loaned if profile.user_id not in seen]
    return {
        "order": order,
        "active": active,
        "history": [a for a in appointments if a is not active],
        "may_book": may_book,
        "may_change": active is not None and user.has_perm("dispatch.change_appointment"),
        "technicians": technicians,
        "draft": draft,
        "chosen": str((draft or {}).get("technician") or order.technician_id or ""),
    }


def register() -> None:
    register_order_panel(
        OrderPanel(
            name="appointment",
            template="dispatch/partials/order_appointment.html",
            context=order_appointment_context,
            order=30,
            column="side",
        )
    )
