"""Reads of notifications, scoped by the unit of the order / customer they concern."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from core.process_cache import StampedCache
from core.scoping import scope_by_unit
from notify.choices import DeliveryChannel
from notify.models import MessageTemplate, OutboxMessage


def outbox_visible_to(user: Any) -> QuerySet[OutboxMessage]:
    """The one scoping rule for the delivery log: the unit of the order (else customer, else recipient)."""
    return scope_by_unit(OutboxMessage.objects.all(), user, field="unit", permission="notify.view_outboxmessage")


def outbox_search(
    *,
    user: Any,
    status: str = "",
    channel: str = "",
    order_id: int | None = None,
    customer_id: int | None = None,
    template_key: str = "",
) -> QuerySet[OutboxMessage]:
    messages = outbox_visible_to(user)
    if status:
        messages = messages.filter(status=status)
    if channel:
        messages = messages.filter(channel=channel)
    if order_id:
        messages = messages.filter(order_id=order_id)
    if customer_id:
        messages = messages.filter(customer_id=customer_id)
    if template_key:
        messages = messages.filter(template_key=template_key)
    return messages.order_by("-id")


def inbox_for(user: Any, *, unread_only: bool = False) -> QuerySet[OutboxMessage]:
    """The signed-in user's own in-app messages (no unit scoping: they are addressed to them)."""
    if not getattr(user, "is_authenticated", False):
        return OutboxMessage.objects.none()
    messages = OutboxMessage.objects.filter(recipient_user=user, channel=DeliveryChannel.IN_APP)
    if unread_only:
        messages = messages.filter(read_at__isnull=True)
    return messages.order_by("-id")


def inbox_unread_count(user: Any) -> int:
    return inbox_for(user, unread_only=True).count()


def message_templates_visible_to(user: Any) -> QuerySet[MessageTemplate]:
    """Templates are global configuration; reading them needs the role's permission."""
    if not user.has_perm("notify.view_messagetemplate"):
        return MessageTemplate.objects.none()
    return MessageTemplate.objects.all()


_templates_cache: StampedCache[dict[str, dict[str, list[MessageTemplate]]]] = StampedCache(
    "notify.templates", models=[MessageTemplate]
)


def _active_templates_by_key() -> dict[str, dict[str, list[MessageTemplate]]]:
    by_key: dict[str, dict[str, list[MessageTemplate]]] = {}
    for template in MessageTemplate.objects.filter(is_active=True):
        by_key.setdefault(template.key, {}).setdefault(template.channel, []).append(template)
    return by_key


def active_templates(key: str) -> dict[str, list[MessageTemplate]]:
    """The active templates of one key by channel (every key cached per process: each order
    event that notifies reads them). Shared rows: read them, never change them."""
    return _templates_cache.get("active", _active_templates_by_key).get(key, {})


CUSTOMER_LOG_SIZE = 20
ORDER_LOG_SIZE = 20


def order_deliveries(user: Any, order_id: int, *, limit: int = ORDER_LOG_SIZE) -> list[OutboxMessage]:
    """The latest messages about one work order (its delivery log), as the user may see them."""
    return list(outbox_visible_to(user).filter(order_id=order_id).order_by("-id")[:limit])


def customer_deliveries(user: Any, customer_id: int, *, limit: int = CUSTOMER_LOG_SIZE) -> list[OutboxMessage] | None:
    """The latest messages about one customer for their page; None when the user may not read the log."""
    if not user.has_perm("notify.view_outboxmessage"):
        return None
    return list(outbox_visible_to(user).filter(customer_id=customer_id).order_by("-id")[:limit])
