"""Writes of the notification outbox: enqueue, claim under a lease, deliver, retry, read.

Delivery guarantee (docs/decisions/0008): a message row commits with the business event that
caused it; a worker claims it with a lease (status ``sending``, ``lease_until``), sends it with
its UUID as the idempotency key and then marks it ``sent``. A worker killed after claiming
leaves the row ``sending``; when the lease expires another worker claims and sends it again
with the *same* key, which the provider (or relay) uses to drop the repeat. Between a
provider's 2xx and our commit the message is therefore *at least once* on the wire and
*exactly once* at every receiver that de-duplicates on the key.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F, Q
from django.template import Context
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.services import apply_changes, check_version, lock_for_update, save_versioned
from notify.choices import DeliveryChannel, OutboxStatus
from notify.models import MessageTemplate, OutboxMessage
from notify.policies import notify_setting, retry_decide
from notify.providers import Outgoing, ProviderError, provider_for
from notify.recipients import DEFAULT_LANGUAGE, Recipient
from notify.rendering import TemplateError, sandboxed_engine, template_check, template_render
from notify.selectors import active_templates

logger = logging.getLogger(__name__)

CHANNEL_ORDER = [DeliveryChannel.IN_APP, DeliveryChannel.EMAIL, DeliveryChannel.SMS, DeliveryChannel.WECOM]
NOT_CONFIGURED = "channel not configured"
MAX_ERROR = 1000


def _dedupe_hash(dedupe_key: str, channel: str, recipient: Recipient) -> str:
    return hashlib.sha256(f"{dedupe_key}\x1f{channel}\x1f{recipient.identity}".encode()).hexdigest()


def _pick_template(templates: list[MessageTemplate], language: str) -> MessageTemplate:
    by_language = {t.language: t for t in templates}
    return by_language.get(language) or by_language.get(DEFAULT_LANGUAGE) or templates[0]


def _unit_for(order_id: int | None, customer_id: int | None, recipient: Recipient) -> int | None:
    """The unit whose staff may read this delivery: the order's, else the customer's, else the recipient's."""
    if order_id is not None:
        model = OutboxMessage._meta.get_field("order").related_model
        unit = model._default_manager.filter(pk=order_id).values_list("unit_id", flat=True).first()  # type: ignore[union-attr]
        if unit is not None:
            return int(unit)
    if customer_id is not None:
        if recipient.customer_id == customer_id and recipient.unit_id is not None:
            return recipient.unit_id
        model = OutboxMessage._meta.get_field("customer").related_model
        unit = model._default_manager.filter(pk=customer_id).values_list("unit_id", flat=True).first()  # type: ignore[union-attr]
        if unit is not None:
            return int(unit)
    return recipient.unit_id


def notification_enqueue(
    *,
    template_key: str,
    recipient: Recipient,
    context: dict[str, Any],
    order_id: int | None,
    customer_id: int | None,
    dedupe_key: str,
    unit_id: int | None = None,
    fetch: bool = True,
) -> list[OutboxMessage]:
    """Queue one message per channel the recipient can receive and the template enables.

    Rendered now, in the recipient's language. ``dedupe_key`` names the cause (e.g.
    ``order:12:event:345``): enqueuing the same key for the same recipient again returns the
    rows already queued instead of new ones. Runs inside the caller's transaction, so the rows
    commit or roll back with the event; in-app messages are delivered right here (the row is
    the delivery). Never raises for a broken template: that row is stored as failed, visibly.
    ``fetch=False`` (the order-event hook, which ignores the result) skips reading the stored
    rows back and returns ``[]``.
    """
    templates = active_templates(template_key)
    if not templates:
        return []
    now = timezone.now()
    unit = unit_id if unit_id is not None else _unit_for(order_id, customer_id, recipient)
    rows: list[OutboxMessage] = []
    for channel in CHANNEL_ORDER:
        address = recipient.address_for(channel)
        if channel not in templates or address is None:
            continue
        template = _pick_template(templates[channel], recipient.language)
        row = OutboxMessage(
            uuid=uuid.uuid4(),
            dedupe_key=dedupe_key[:200],
            dedupe_hash=_dedupe_hash(dedupe_key, channel, recipient),
            template_key=template_key,
            channel=channel,
            recipient_kind=recipient.kind,
            recipient_user=recipient.user,
            recipient_name=recipient.name[:100],
            address=address[:254],
            language=template.language,
            order_id=order_id,
            customer_id=customer_id,
            unit_id=unit,
            next_attempt_at=now,
        )
        try:
            with translation.override(template.language):
                row.subject = template_render(template.subject, context)[:200] if template.subject else ""
                row.body = template_render(template.body, context)
        except (TemplateError, Exception) as error:  # a broken template must not break the order's action
            logger.warning("notification template %s failed: %s", template, error)
            row.status, row.last_error = OutboxStatus.FAILED, f"template error: {error}"[:MAX_ERROR]
        else:
            if channel == DeliveryChannel.IN_APP:
                row.status, row.sent_at, row.provider_message_id = OutboxStatus.SENT, now, "in_app"
        rows.append(row)
    if not rows:
        return []
    # A unique hash per (event, channel, recipient): a retried event inserts nothing new.
    OutboxMessage.objects.bulk_create(rows, ignore_conflicts=True)
    if not fetch:
        # A row that already existed was kicked when it was queued; one more wake-up is harmless.
        if any(row.status == OutboxStatus.PENDING for row in rows):
            _kick_on_commit()
        return []
    stored = list(OutboxMessage.objects.filter(dedupe_hash__in=[row.dedupe_hash for row in rows]).order_by("id"))
    if any(row.status == OutboxStatus.PENDING for row in stored):
        _kick_on_commit()
    return stored


@dataclass(frozen=True)
class BulkNotification:
    """One recipient of a many-recipient message (a care campaign): its context and cause."""

    recipient: Recipient
    context: dict[str, Any]
    dedupe_key: str
    customer_id: int | None = None
    order_id: int | None = None
    unit_id: int | None = None


def notifications_enqueue_bulk(*, template_key: str, items: list[BulkNotification], batch_size: int = 5000) -> int:
    """``notification_enqueue`` for many recipients of one template (customer care over a whole
    segment): each template compiled once, the rows inserted in batches in the caller's
    transaction, a row whose dedupe hash exists already ignored (a repeated cause sends nothing
    twice). No read-back. Returns how many rows were offered (one per recipient and channel)."""
    templates = active_templates(template_key)
    if not templates or not items:
        return 0
    engine = sandboxed_engine()
    compiled: dict[int, tuple[Any, Any]] = {}

    def compile_template(template: MessageTemplate) -> tuple[Any, Any]:
        if template.pk not in compiled:
            subject = engine.from_string(template.subject) if template.subject else None
            compiled[template.pk] = (subject, engine.from_string(template.body))
        return compiled[template.pk]

    now = timezone.now()
    rows: list[OutboxMessage] = []
    offered = 0
    for item in items:
        recipient = item.recipient
        for channel in CHANNEL_ORDER:
            address = recipient.address_for(channel)
            if channel not in templates or address is None:
                continue
            template = _pick_template(templates[channel], recipient.language)
            row = OutboxMessage(
                uuid=uuid.uuid4(),
                dedupe_key=item.dedupe_key[:200],
                dedupe_hash=_dedupe_hash(item.dedupe_key, channel, recipient),
                template_key=template_key,
                channel=channel,
                recipient_kind=recipient.kind,
                recipient_user=recipient.user,
                recipient_name=recipient.name[:100],
                address=address[:254],
                language=template.language,
                order_id=item.order_id,
                customer_id=item.customer_id,
                unit_id=item.unit_id if item.unit_id is not None else recipient.unit_id,
                next_attempt_at=now,
            )
            try:
                subject, body = compile_template(template)
                context = Context(item.context, autoescape=False)
                with translation.override(template.language):
                    row.subject = subject.render(context).strip()[:200] if subject is not None else ""
                    row.body = body.render(context).strip()
            except Exception as error:  # a broken template is a failed row, visibly, as one by one
                logger.warning("notification template %s failed: %s", template, error)
                row.status, row.last_error = OutboxStatus.FAILED, f"template error: {error}"[:MAX_ERROR]
            rows.append(row)
            offered += 1
        if len(rows) >= batch_size:
            OutboxMessage.objects.bulk_create(rows, ignore_conflicts=True)
            rows = []
    if rows:
        OutboxMessage.objects.bulk_create(rows, ignore_conflicts=True)
    if offered:
        _kick_on_commit()
    return offered


def _kick_on_commit() -> None:
    """Wake a worker once the rows are committed (the periodic task is the safety net)."""
    if not getattr(settings, "NOTIFY_KICK_ON_COMMIT", True):
        return

    def kick() -> None:
        from notify.tasks import deliver_outbox

        try:
            deliver_outbox()
        except Exception:  # the queue is only a wake-up; the periodic task delivers anyway
            logger.exception("could not wake the notification worker")

    transaction.on_commit(kick)


# --- delivery ----------------------------------------------------------------------------------


@dataclass
class DeliveryReport:
    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    cancelled: int = 0
    ids: list[int] = field(default_factory=list)


def worker_name() -> str:
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _due(now: datetime) -> Q:
    return Q(status=OutboxStatus.PENDING, next_attempt_at__lte=now) | Q(
        status=OutboxStatus.SENDING, lease_until__lt=now
    )


def outbox_claim_due(*, owner: str, limit: int, lease_seconds: float, now: datetime | None = None) -> list[int]:
    """Take up to ``limit`` due messages for ``owner`` until the lease ends; return their ids.

    Each row is claimed by a conditional UPDATE (still due?), so two workers never both hold a
    lease on it; on PostgreSQL candidates are also picked ``FOR UPDATE SKIP LOCKED`` so parallel
    workers take different rows instead of queueing on the same ones.
    """
    now = now or timezone.now()
    lease_until = now + timedelta(seconds=lease_seconds)
    claimed: list[int] = []
    with transaction.atomic():
        candidates = OutboxMessage.objects.filter(_due(now)).order_by("next_attempt_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True)
        for message_id in list(candidates.values_list("id", flat=True)[:limit]):
            updated = OutboxMessage.objects.filter(_due(now), pk=message_id).update(
                status=OutboxStatus.SENDING,
                lease_until=lease_until,
                lease_owner=owner[:64],
                attempts=F("attempts") + 1,
                updated_at=now,
            )
            if updated:
                claimed.append(message_id)
    return claimed


def outbox_deliver(*, message_id: int, owner: str) -> str:
    """Send one claimed message and record the result; returns the resulting status.

    Called outside any transaction: the provider call must not hold database locks, and the
    result is committed right after it (one message at a time keeps the at-least-once window to
    the one message in flight).
    """
    message = OutboxMessage.objects.filter(pk=message_id, status=OutboxStatus.SENDING, lease_owner=owner[:64]).first()
    if message is None:
        return "lost_lease"
    now = timezone.now()
    provider = provider_for(message.channel)
    if provider is None or not provider.configured():
        OutboxMessage.objects.filter(pk=message.pk, status=OutboxStatus.SENDING).update(
            status=OutboxStatus.CANCELLED, last_error=NOT_CONFIGURED, lease_until=None, lease_owner="", updated_at=now
        )
        return OutboxStatus.CANCELLED
    outgoing = Outgoing(
        key=str(message.uuid),
        address=message.address,
        subject=message.subject,
        body=message.body,
        recipient_name=message.recipient_name,
    )
    try:
        provider_id = provider.send(outgoing)
    except Exception as error:
        permanent = isinstance(error, ProviderError) and error.permanent
        text = str(error) if isinstance(error, ProviderError) else f"{type(error).__name__}: {error}"
        return _record_failure(message, owner, text, permanent=permanent)
    OutboxMessage.objects.filter(pk=message.pk).exclude(status=OutboxStatus.SENT).update(
        status=OutboxStatus.SENT,
        sent_at=timezone.now(),
        provider_message_id=provider_id[:128],
        lease_until=None,
        lease_owner="",
        last_error="",
        updated_at=timezone.now(),
    )
    return OutboxStatus.SENT


def _record_failure(message: OutboxMessage, owner: str, error: str, *, permanent: bool) -> str:
    now = timezone.now()
    decision = retry_decide(attempts=message.attempts, permanent=permanent, now=now)
    status = OutboxStatus.FAILED if decision.give_up else OutboxStatus.PENDING
    logger.warning("notification %s attempt %s failed (%s): %s", message.uuid, message.attempts, decision.reason, error)
    OutboxMessage.objects.filter(pk=message.pk, status=OutboxStatus.SENDING, lease_owner=owner[:64]).update(
        status=status,
        next_attempt_at=decision.next_attempt_at,
        last_error=error[:MAX_ERROR],
        lease_until=None,
        lease_owner="",
        updated_at=now,
    )
    return status


def outbox_deliver_due(
    *, owner: str | None = None, limit: int | None = None, lease_seconds: float | None = None
) -> DeliveryReport:
    """Claim a batch of due messages and send them one by one (what the worker and task run)."""
    owner = owner or worker_name()
    limit = int(limit or notify_setting("NOTIFY_BATCH_SIZE", 50))
    lease = float(lease_seconds or notify_setting("NOTIFY_LEASE_SECONDS", 120))
    report = DeliveryReport()
    report.ids = outbox_claim_due(owner=owner, limit=limit, lease_seconds=lease)
    report.claimed = len(report.ids)
    for message_id in report.ids:
        status = outbox_deliver(message_id=message_id, owner=owner)
        if status == OutboxStatus.SENT:
            report.sent += 1
        elif status == OutboxStatus.PENDING:
            report.retrying += 1
        elif status == OutboxStatus.FAILED:
            report.failed += 1
        elif status == OutboxStatus.CANCELLED:
            report.cancelled += 1
    return report


# --- staff actions -------------------------------------------------------------------------------


@transaction.atomic
def outbox_retry(*, message: OutboxMessage, acting_user: Any) -> OutboxMessage:
    """Send a failed (or cancelled) message again, with a fresh allowance of attempts and the same key."""
    if not acting_user.has_perm("notify.change_outboxmessage"):
        raise PermissionDenied(_("You may not retry notifications."))
    message = lock_for_update(message)
    if message.status not in {OutboxStatus.FAILED, OutboxStatus.CANCELLED}:
        raise ValidationError({"status": _("Only failed or cancelled messages can be sent again.")})
    if message.channel == DeliveryChannel.IN_APP:
        raise ValidationError({"channel": _("In-app messages are delivered when they are created.")})
    message.status, message.attempts, message.next_attempt_at = OutboxStatus.PENDING, 0, timezone.now()
    message.lease_until, message.lease_owner = None, ""
    message.save(update_fields=["status", "attempts", "next_attempt_at", "lease_until", "lease_owner", "updated_at"])
    logger.info("notification %s queued again by %s", message.uuid, acting_user)
    _kick_on_commit()
    return message


@transaction.atomic
def inbox_mark_read(*, user: Any, message_ids: list[int] | None = None) -> int:
    """Mark the user's own in-app messages read (all unread ones when ``message_ids`` is None)."""
    messages = OutboxMessage.objects.filter(recipient_user=user, channel=DeliveryChannel.IN_APP, read_at__isnull=True)
    if message_ids is not None:
        messages = messages.filter(pk__in=message_ids)
    return messages.update(read_at=timezone.now())


TEMPLATE_FIELDS = {"subject", "body", "is_active"}


@transaction.atomic
def message_template_update(
    *, template: MessageTemplate, acting_user: Any, changes: dict[str, Any], expected_version: int | None
) -> MessageTemplate:
    """An admin's edit of a message template; the text must compile in the sandbox."""
    if not acting_user.has_perm("notify.change_messagetemplate"):
        raise PermissionDenied(_("You may not edit message templates."))
    template = lock_for_update(template)
    check_version(template, expected_version)
    errors: dict[str, str] = {}
    for name in ("subject", "body"):
        if name in changes:
            try:
                template_check(str(changes[name] or ""))
            except TemplateError as error:
                errors[name] = _("The template does not compile: %(error)s") % {"error": error}
    if "body" in changes and not str(changes["body"] or "").strip():
        errors["body"] = _("This field is required.")
    if errors:
        raise ValidationError(errors)
    diff = apply_changes(template, changes, allowed=TEMPLATE_FIELDS)
    if diff:
        save_versioned(template, list(diff))
    return template
