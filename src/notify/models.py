"""Notifications: editable message templates, the outbox (delivery log) and staff contact ids."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.models import BaseModel, OrgUnit
from notify.choices import DeliveryChannel, OutboxStatus, RecipientKind, TemplateLanguage


class MessageTemplate(BaseModel):
    """One message of one event, for one channel and language; ``{{ placeholders }}`` rendered by
    a sandboxed Django template engine (notify.rendering). Admins edit them (``version``)."""

    key = models.CharField(_("message"), max_length=64)
    channel = models.CharField(_("channel"), max_length=8, choices=DeliveryChannel.choices)
    language = models.CharField(_("language"), max_length=10, choices=TemplateLanguage.choices)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("body"))
    is_active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        ordering = ["key", "channel", "language"]
        constraints = [
            models.UniqueConstraint(fields=["key", "channel", "language"], name="uniq_notify_template"),
        ]

    def __str__(self) -> str:
        return f"{self.key} · {self.channel} · {self.language}"


class StaffContact(BaseModel):
    """Where a staff member receives messages besides the in-app list (WeChat Work user id)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="notify_contact"
    )
    wecom_userid = models.CharField(_("WeChat Work user id"), max_length=64, blank=True)
    email_enabled = models.BooleanField(_("e-mail notifications"), default=True)

    class Meta:
        verbose_name = _("staff contact")
        verbose_name_plural = _("staff contacts")

    def __str__(self) -> str:
        return str(self.user)


class OutboxMessage(BaseModel):
    """One message to one recipient on one channel: the outbox row *and* its delivery log.

    Rows change state only through conditional UPDATEs in notify.services (claim under a lease,
    mark sent, schedule a retry), so the generic change log is off for them: the row itself is
    the record (status, attempts, last error, sent at, provider id).
    """

    change_logged = False

    uuid = models.UUIDField(_("message id"), default=uuid.uuid4, unique=True, editable=False)
    dedupe_key = models.CharField(_("event key"), max_length=200)
    dedupe_hash = models.CharField(max_length=64, unique=True, editable=False)
    template_key = models.CharField(_("message"), max_length=64)
    channel = models.CharField(_("channel"), max_length=8, choices=DeliveryChannel.choices)
    recipient_kind = models.CharField(_("recipient kind"), max_length=8, choices=RecipientKind.choices)
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient (staff)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
    )
    recipient_name = models.CharField(_("recipient"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=254, blank=True, help_text=_("e-mail, phone or user id"))
    language = models.CharField(_("language"), max_length=10, choices=TemplateLanguage.choices)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("body"))
    status = models.CharField(_("status"), max_length=10, choices=OutboxStatus.choices, default=OutboxStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    lease_until = models.DateTimeField(_("leased until"), null=True, blank=True)
    lease_owner = models.CharField(_("leased by"), max_length=64, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    provider_message_id = models.CharField(_("provider message id"), max_length=128, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    order = models.ForeignKey(
        "workorders.WorkOrder",
        verbose_name=_("work order"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
    )
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-id"]
        indexes = [
            # The worker's "due" query: pending by next attempt, sending by lease expiry.
            models.Index(
                fields=["status", "next_attempt_at"],
                name="notify_due_idx",
                condition=Q(status__in=["pending", "sending"]),
            ),
            models.Index(fields=["order", "-id"], name="notify_order_idx"),
            models.Index(fields=["customer", "-id"], name="notify_customer_idx"),
            models.Index(fields=["recipient_user", "channel", "-id"], name="notify_inbox_idx"),
            # The header's unread badge counts these on every staff page: only unread rows indexed.
            models.Index(
                fields=["recipient_user"],
                name="notify_unread_idx",
                condition=Q(channel="in_app", read_at__isnull=True),
            ),
            models.Index(fields=["unit", "status", "-id"], name="notify_unit_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.template_key} → {self.recipient_name or self.address} ({self.channel})"
