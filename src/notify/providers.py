"""Channel adapters, configured in settings. Each sends one rendered message with a stable
idempotency key (the message's UUID) so that a provider or relay can drop a repeat:

- SMS and WeChat Work speak HTTP (JSON) to the configured endpoint and send the key as the
  ``Idempotency-Key`` header and the ``message_id`` field;
- e-mail goes through Django's mail backend (EMAIL_HOST/PORT…) with the key as ``Message-ID``;
- in-app needs no adapter: the database row is the delivery.

Settings (read with defaults; see docs/notify.md): NOTIFY_SMS_URL, NOTIFY_SMS_TOKEN,
NOTIFY_SMS_SIGNATURE, NOTIFY_WECOM_URL, NOTIFY_WECOM_KEY, NOTIFY_WECOM_AGENT_ID,
NOTIFY_EMAIL_ENABLED, NOTIFY_EMAIL_FROM, NOTIFY_HTTP_TIMEOUT.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import formataddr
from typing import Any, Protocol

import requests
from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from notify.choices import DeliveryChannel


class ProviderError(Exception):
    """The provider did not take the message. ``permanent``: retrying the same message cannot help."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class Outgoing:
    key: str  # the message UUID: the idempotency key
    address: str
    subject: str
    body: str
    recipient_name: str = ""


class Provider(Protocol):
    channel: str

    def configured(self) -> bool: ...

    def send(self, message: Outgoing) -> str:
        """Deliver; return the provider's message id. Raise ProviderError on failure."""
        ...


def _setting(name: str, default: Any = "") -> Any:
    return getattr(settings, name, default)


def _timeout() -> float:
    return float(_setting("NOTIFY_HTTP_TIMEOUT", 10))


def _post_json(url: str, payload: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
    try:
        response = requests.post(url, json=payload, headers=headers, timeout=_timeout())
    except requests.Timeout:
        raise ProviderError(f"timeout after {_timeout():g} s") from None
    except requests.RequestException as error:
        raise ProviderError(f"connection failed: {type(error).__name__}") from None
    if response.status_code >= 300:
        # 408/429/5xx are the provider's trouble: retry. Other 4xx refuse the message itself.
        permanent = 400 <= response.status_code < 500 and response.status_code not in {408, 409, 425, 429}
        raise ProviderError(f"HTTP {response.status_code}: {response.text[:300]}", permanent=permanent)
    try:
        data = response.json()
    except ValueError:
        data = {}
    return data if isinstance(data, dict) else {}


class SmsProvider:
    """A JSON SMS gateway: ``POST NOTIFY_SMS_URL`` ``{"message_id","to","text","signature"}``,
    ``Authorization: Bearer NOTIFY_SMS_TOKEN``, ``Idempotency-Key``; answers ``{"message_id"}``."""

    channel: str = DeliveryChannel.SMS.value

    def configured(self) -> bool:
        return bool(_setting("NOTIFY_SMS_URL"))

    def send(self, message: Outgoing) -> str:
        headers = {"Idempotency-Key": message.key}
        if _setting("NOTIFY_SMS_TOKEN"):
            headers["Authorization"] = f"Bearer {_setting('NOTIFY_SMS_TOKEN')}"
        text = message.body
        signature = _setting("NOTIFY_SMS_SIGNATURE", "")
        payload = {"message_id": message.key, "to": message.address, "text": text, "signature": signature}
        data = _post_json(_setting("NOTIFY_SMS_URL"), payload, headers)
        return str(data.get("message_id") or data.get("id") or message.key)


class WecomProvider:
    """WeChat Work (企业微信) application message, in the shape of its ``message/send`` API:
    ``{"touser","msgtype":"text","agentid","text":{"content"}}`` plus ``message_id`` and the
    ``Idempotency-Key`` header for the relay's de-duplication (and WeCom's own
    ``enable_duplicate_check``). ``NOTIFY_WECOM_KEY`` goes in the ``key`` query parameter.
    An answer with ``errcode`` other than 0 is a failure."""

    channel: str = DeliveryChannel.WECOM.value

    def configured(self) -> bool:
        return bool(_setting("NOTIFY_WECOM_URL"))

    def send(self, message: Outgoing) -> str:
        url = _setting("NOTIFY_WECOM_URL")
        key = _setting("NOTIFY_WECOM_KEY", "")
        if key:
            url = f"{url}{'&' if '?' in url else '?'}{requests.compat.urlencode({'key': key})}"
        content = f"{message.subject}\n{message.body}" if message.subject else message.body
        payload = {
            "message_id": message.key,
            "touser": message.address,
            "msgtype": "text",
            "agentid": _setting("NOTIFY_WECOM_AGENT_ID", ""),
            "text": {"content": content},
            "enable_duplicate_check": 1,
            "duplicate_check_interval": 1800,
        }
        data = _post_json(url, payload, {"Idempotency-Key": message.key})
        errcode = data.get("errcode", 0)
        if errcode not in (0, "0", None):
            raise ProviderError(f"errcode {errcode}: {str(data.get('errmsg', ''))[:200]}")
        return str(data.get("msgid") or data.get("message_id") or message.key)


class EmailProvider:
    """Django's mail backend (SMTP in production: EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER…)."""

    channel: str = DeliveryChannel.EMAIL.value

    def configured(self) -> bool:
        return bool(_setting("NOTIFY_EMAIL_ENABLED", False))

    def send(self, message: Outgoing) -> str:
        sender = _setting("NOTIFY_EMAIL_FROM", "") or settings.DEFAULT_FROM_EMAIL
        domain = sender.rpartition("@")[2].strip(">") or "aftersales.local"
        message_id = f"<{message.key}@{domain}>"
        to = formataddr((message.recipient_name, message.address)) if message.recipient_name else message.address
        email = EmailMessage(
            subject=message.subject,
            body=message.body,
            from_email=sender,
            to=[to],
            headers={"Message-ID": message_id},
            connection=get_connection(timeout=_timeout()),
        )
        try:
            email.send(fail_silently=False)
        except Exception as error:  # smtplib and socket errors: the server's trouble, retry
            refused = type(error).__name__ in {"SMTPRecipientsRefused", "SMTPSenderRefused"}
            raise ProviderError(f"{type(error).__name__}: {str(error)[:300]}", permanent=refused) from None
        return message_id


PROVIDERS: dict[str, Provider] = {
    DeliveryChannel.SMS.value: SmsProvider(),
    DeliveryChannel.WECOM.value: WecomProvider(),
    DeliveryChannel.EMAIL.value: EmailProvider(),
}


def provider_for(channel: str) -> Provider | None:
    return PROVIDERS.get(channel)
