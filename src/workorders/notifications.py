"""Which work-order events send which messages, to whom (SPEC §9). Registered as a timeline hook.

The hook runs inside the transaction that writes the event, so the outbox rows commit (or roll
back) with it; delivery happens later, in a worker (notify.services). Mapping:

==========================  ==========================  ===========================================
event                       message (template key)      to
==========================  ==========================  ===========================================
accept                      order_accepted              customer (e-mail, SMS)
quote                       quote_sent                  customer — amount and a link to their order
schedule                    appointment_booked          customer — appointment time
assign                      technician_assigned         customer — technician's name
                            job_assigned                the technician (in-app, WeChat Work)
start / pause / resume      order_progress              customer
sign_off / resolve_remotely order_completed             customer — survey link
sla (at_risk)               sla_at_risk                 the accepting agent, else the unit's agents
sla (breached)              sla_breached                the same, and the unit's directors (else the
                                                        nearest parent unit's)
sla (callback due)          callback_due                the accepting agent, else the unit's agents
sla (callback breached)     sla_breached                the same, and the unit's directors
backup_unit                 backup_unit                 the accepting agent, else the unit's agents
==========================  ==========================  ===========================================
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from core.choices import Role
from core.public_urls import public_url
from core.scoping import unit_ancestry
from notify.recipients import Recipient
from notify.services import notification_enqueue
from workorders.choices import EventKind, WaitReason
from workorders.hooks import register_event_hook
from workorders.models import TimelineEvent, WorkOrder
from workorders.panels import OrderPanel, register_order_panel

PROGRESS = {EventKind.START, EventKind.PAUSE, EventKind.RESUME}
COMPLETION = {EventKind.SIGN_OFF, EventKind.RESOLVE_REMOTELY}
SLA_TARGETS = {
    "response": _("response deadline"),
    "arrival": _("arrival deadline"),
    "resolution": _("resolution deadline"),
    "callback": _("callback deadline"),
}


def _absolute(path: str) -> str:
    return public_url(path)


def _local(moment: Any) -> str:
    if isinstance(moment, str):
        moment = parse_datetime(moment)
    if moment is None:
        return ""
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _base_context(order: WorkOrder) -> dict[str, Any]:
    return {
        "order_number": order.number,
        "customer_name": order.customer.name,
        "order_url": _absolute(reverse("portal:order", args=[order.number])),
        "staff_url": _absolute(reverse("workorders:detail", args=[order.pk])),
        "hotline": getattr(settings, "SERVICE_HOTLINE", ""),
        "service_address": order.service_address,
        "description": order.description[:200],
    }


def _to_customer(order: WorkOrder, event: TimelineEvent, template_key: str, **extra: Any) -> None:
    recipient = Recipient.for_customer(order.customer)
    if order.contact_phone:
        # The person who asked for the service hears about it (may differ from the account's phone).
        recipient = dataclasses.replace(recipient, phone=order.contact_phone)
    notification_enqueue(
        template_key=template_key,
        recipient=recipient,
        context={**_base_context(order), **extra},
        order_id=order.pk,
        customer_id=order.customer_id,
        dedupe_key=f"order:{order.pk}:event:{event.pk}:{template_key}",
        unit_id=order.unit_id,
        fetch=False,
    )


def _to_staff(order: WorkOrder, users: list[Any], template_key: str, dedupe_key: str, **extra: Any) -> None:
    context = {**_base_context(order), **extra}
    for user in users:
        notification_enqueue(
            template_key=template_key,
            recipient=Recipient.for_user(user),
            context=context,
            order_id=order.pk,
            customer_id=order.customer_id,
            dedupe_key=dedupe_key,
            unit_id=order.unit_id,
            fetch=False,
        )


def _active_staff(unit_id: int, role: str) -> list[Any]:
    return list(
        get_user_model()
        .objects.filter(is_active=True, groups__name=role, profile__unit_id=unit_id)
        .select_related("profile")
        .order_by("id")
        .distinct()
    )


def _responsible_agents(order: WorkOrder) -> list[Any]:
    """The agent who accepted the order; if none, every agent of the order's unit."""
    if order.accepted_by_id:
        accepted_by = list(
            get_user_model().objects.filter(pk=order.accepted_by_id, is_active=True).select_related("profile")
        )
        if accepted_by:
            return accepted_by  # else (the agent has left): the unit's agents, as for an unaccepted order
    return _active_staff(order.unit_id, Role.AGENT)


def _directors(order: WorkOrder) -> list[Any]:
    """The directors of the order's unit, else of the nearest parent unit that has any (two
    queries whatever the depth: the unit tree is small)."""
    chain = unit_ancestry(order.unit_id)
    directors = list(
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.DIRECTOR, profile__unit_id__in=chain)
        .select_related("profile")
        .order_by("id")
        .distinct()
    )
    for unit_id in chain:
        found = [user for user in directors if user.profile.unit_id == unit_id]
        if found:
            return found
    return []


def _unique(users: list[Any]) -> list[Any]:
    seen: set[int] = set()
    return [u for u in users if not (u.pk in seen or seen.add(u.pk))]  # type: ignore[func-returns-value]


def notify_on_order_event(order: WorkOrder, event: TimelineEvent) -> None:
    kind = event.kind
    data = event.data or {}
    if kind == EventKind.ACCEPT:
        _to_customer(order, event, "order_accepted")
    elif kind == EventKind.QUOTE:
        _to_customer(order, event, "quote_sent", amount=data.get("amount") or f"{order.quoted_amount or 0:.2f}")
    elif kind == EventKind.SCHEDULE:
        _to_customer(order, event, "appointment_booked", appointment_at=_local(order.appointment_at))
    elif kind == EventKind.ASSIGN:
        technician = order.technician
        name = (technician.get_full_name() or technician.get_username()) if technician else ""
        _to_customer(order, event, "technician_assigned", technician_name=name)
        if technician is not None:
            _to_staff(order, [technician], "job_assigned", f"order:{order.pk}:event:{event.pk}:job_assigned")
    elif kind in PROGRESS:
        note: Any = ""
        if kind == EventKind.PAUSE and data.get("wait_reason") in WaitReason.values:
            note = WaitReason(data["wait_reason"]).label
        _to_customer(order, event, "order_progress", progress=EventKind(kind).label, note=note)
    elif kind in COMPLETION:
        _to_customer(
            order, event, "order_completed", survey_url=_absolute(reverse("portal:order", args=[order.number]))
        )
    elif kind == EventKind.SLA and data.get("state") in {"at_risk", "breached"}:
        state, target = data["state"], str(data.get("target", ""))
        users = _responsible_agents(order)
        if state == "breached" or data.get("escalated_to") == "director":
            users += _directors(order)
        _to_staff(
            order,
            _unique(users),
            f"sla_{state}",
            f"order:{order.pk}:sla:{target}:{state}:{data.get('deadline', '')}",
            deadline=SLA_TARGETS.get(target, target),
            due_at=_local(data.get("deadline")),
        )
    elif kind == EventKind.SLA and data.get("state") == "due" and data.get("target") == "callback":
        _to_staff(
            order,
            _responsible_agents(order),
            "callback_due",
            f"order:{order.pk}:sla:callback:due:{data.get('deadline', '')}",
            due_at=_local(data.get("deadline")),
        )
    elif kind == EventKind.BACKUP_UNIT:
        _to_staff(
            order,
            _responsible_agents(order),
            "backup_unit",
            f"order:{order.pk}:event:{event.pk}:backup_unit",
            note=event.note,
        )


register_event_hook(
    name="workorders.notifications",
    kinds=(
        EventKind.ACCEPT,
        EventKind.QUOTE,
        EventKind.SCHEDULE,
        EventKind.ASSIGN,
        *PROGRESS,
        *COMPLETION,
        EventKind.SLA,
        EventKind.BACKUP_UNIT,
    ),
    run=notify_on_order_event,
)


def order_notifications_panel(request: HttpRequest, order: WorkOrder) -> dict[str, Any] | None:
    """The order's delivery log card; its rows load with htmx (notify:order_log), so the order
    page itself spends no query on them."""
    if not request.user.has_perm("notify.view_outboxmessage"):
        return None
    return {"order": order}


register_order_panel(
    OrderPanel(
        name="notifications",
        template="notify/partials/order_log.html",
        context=order_notifications_panel,
        order=90,
        column="main",
    )
)
