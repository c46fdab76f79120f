"""The notify part of the public API v1: the delivery log (outbox), retry, my inbox, templates."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema
from pydantic import Field

from core.api import ERROR_RESPONSES, MAX_ID, DateTimeText, PageQuery, StrictIn, local_iso, paginate
from notify import services
from notify.choices import DeliveryChannel, OutboxStatus
from notify.models import MessageTemplate, OutboxMessage
from notify.selectors import inbox_for, message_templates_visible_to, outbox_search

router = Router(tags=["notify"])

#: (prefix under /api/v1, router) pairs that aftersales.api mounts.
ROUTERS: list[tuple[str, Router]] = [("/notifications", router)]


class OutboxFilters(PageQuery):
    status: OutboxStatus | None = None
    channel: DeliveryChannel | None = None
    order: int | None = Field(default=None, ge=1, le=MAX_ID, description="Work order id")
    customer: int | None = Field(default=None, ge=1, le=MAX_ID, description="Customer id")
    template_key: str = Field(default="", max_length=64)


class InboxFilters(PageQuery):
    unread: bool = False


class ReadIn(StrictIn):
    ids: list[int] | None = Field(default=None, max_length=500, description="Message ids; omit for all unread")


class TemplatePatch(StrictIn):
    version: int = Field(ge=1)
    subject: str | None = Field(default=None, max_length=200)
    body: str | None = Field(default=None, max_length=5000)
    is_active: bool | None = None


class MessageOut(Schema):
    id: int
    uuid: str = Field(description="The message's idempotency key at the provider.")
    template_key: str
    channel: str
    recipient_kind: str
    recipient_name: str
    address: str
    language: str
    subject: str
    body: str
    status: str
    attempts: int
    next_attempt_at: DateTimeText | None
    last_error: str
    sent_at: DateTimeText | None
    provider_message_id: str
    order: int | None = Field(description="Work order id")
    customer: int | None = Field(description="Customer id")
    created_at: DateTimeText


class MessageListOut(Schema):
    items: list[MessageOut]
    count: int


class InboxMessageOut(Schema):
    id: int
    template_key: str
    subject: str
    body: str
    order: int | None
    read_at: DateTimeText | None
    created_at: DateTimeText


class InboxOut(Schema):
    items: list[InboxMessageOut]
    count: int
    unread: int = Field(description="All my unread messages, whatever the filter.")


class MarkedOut(Schema):
    marked: int = Field(description="How many messages were marked read.")


class TemplateOut(Schema):
    id: int
    key: str
    channel: str
    language: str
    subject: str
    body: str
    is_active: bool
    version: int


class TemplateListOut(Schema):
    items: list[TemplateOut]
    count: int


def message_out(message: OutboxMessage) -> dict[str, Any]:
    return {
        "id": message.pk,
        "uuid": str(message.uuid),
        "template_key": message.template_key,
        "channel": message.channel,
        "recipient_kind": message.recipient_kind,
        "recipient_name": message.recipient_name,
        "address": message.address,
        "language": message.language,
        "subject": message.subject,
        "body": message.body,
        "status": message.status,
        "attempts": message.attempts,
        "next_attempt_at": local_iso(message.next_attempt_at),
        "last_error": message.last_error,
        "sent_at": local_iso(message.sent_at),
        "provider_message_id": message.provider_message_id,
        "order": message.order_id,
        "customer": message.customer_id,
        "created_at": local_iso(message.created_at),
    }


def inbox_out(message: OutboxMessage) -> dict[str, Any]:
    return {
        "id": message.pk,
        "template_key": message.template_key,
        "subject": message.subject,
        "body": message.body,
        "order": message.order_id,
        "read_at": local_iso(message.read_at),
        "created_at": local_iso(message.created_at),
    }


def template_out(template: MessageTemplate) -> dict[str, Any]:
    return {
        "id": template.pk,
        "key": template.key,
        "channel": template.channel,
        "language": template.language,
        "subject": template.subject,
        "body": template.body,
        "is_active": template.is_active,
        "version": template.version,
    }


@router.get("", response={200: MessageListOut, **ERROR_RESPONSES}, summary="Delivery log (outbox), scoped by unit")
def list_messages(request: HttpRequest, filters: Query[OutboxFilters]) -> Any:
    rows = outbox_search(
        user=request.user,
        status=filters.status or "",
        channel=filters.channel or "",
        order_id=filters.order,
        customer_id=filters.customer,
        template_key=filters.template_key,
    )
    return paginate(rows, page=filters.page, page_size=filters.page_size, serialize=message_out)


@router.get("/inbox", response={200: InboxOut, **ERROR_RESPONSES}, summary="My in-app messages")
def list_inbox(request: HttpRequest, filters: Query[InboxFilters]) -> Any:
    result = paginate(
        inbox_for(request.user, unread_only=filters.unread),
        page=filters.page,
        page_size=filters.page_size,
        serialize=inbox_out,
    )
    result["unread"] = inbox_for(request.user, unread_only=True).count()
    return result


@router.post("/inbox/read", response={200: MarkedOut, **ERROR_RESPONSES}, summary="Mark my in-app messages read")
def read_inbox(request: HttpRequest, payload: ReadIn) -> Any:
    return {"marked": services.inbox_mark_read(user=request.user, message_ids=payload.ids)}


@router.get("/templates", response={200: TemplateListOut, **ERROR_RESPONSES}, summary="Message templates")
def list_templates(request: HttpRequest, page: Query[PageQuery]) -> Any:
    templates = message_templates_visible_to(request.user).order_by("key", "channel", "language")
    return paginate(templates, page=page.page, page_size=page.page_size, serialize=template_out)


@router.patch(
    "/templates/{template_id}", response={200: TemplateOut, **ERROR_RESPONSES}, summary="Edit a message template"
)
def edit_template(request: HttpRequest, template_id: int, payload: TemplatePatch) -> Any:
    if not 1 <= template_id <= MAX_ID:
        raise MessageTemplate.DoesNotExist
    template = get_object_or_404(message_templates_visible_to(request.user), pk=template_id)
    changes = payload.dict(exclude_unset=True, exclude={"version"})
    updated = services.message_template_update(
        template=template, acting_user=request.user, changes=changes, expected_version=payload.version
    )
    return template_out(updated)


def _visible_message(request: HttpRequest, message_id: int) -> OutboxMessage:
    if not 1 <= message_id <= MAX_ID:
        raise OutboxMessage.DoesNotExist
    return get_object_or_404(outbox_search(user=request.user), pk=message_id)


@router.get("/{message_id}", response={200: MessageOut, **ERROR_RESPONSES}, summary="One message of the delivery log")
def get_message(request: HttpRequest, message_id: int) -> Any:
    return message_out(_visible_message(request, message_id))


@router.post(
    "/{message_id}/retry", response={200: MessageOut, **ERROR_RESPONSES}, summary="Send a failed message again"
)
def retry_message(request: HttpRequest, message_id: int) -> Any:
    message = _visible_message(request, message_id)
    return message_out(services.outbox_retry(message=message, acting_user=request.user))
