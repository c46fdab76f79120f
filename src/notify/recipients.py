"""Who a message goes to, and on which channels they can receive it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from notify.choices import DeliveryChannel, RecipientKind

DEFAULT_LANGUAGE = "zh-hans"


@dataclass(frozen=True)
class Recipient:
    """A customer, a staff user or a bare address. Build one with the ``for_*`` helpers."""

    kind: str
    name: str = ""
    language: str = DEFAULT_LANGUAGE
    user: Any | None = None
    customer_id: int | None = None
    unit_id: int | None = None
    email: str = ""
    phone: str = ""
    wecom_userid: str = ""

    @classmethod
    def for_customer(cls, customer: Any, *, language: str = DEFAULT_LANGUAGE) -> Recipient:
        """Customers get e-mail (if they have an address) and SMS to their phone; zh-hans by default."""
        return cls(
            kind=RecipientKind.CUSTOMER,
            name=customer.name,
            language=getattr(customer, "language", "") or language,
            customer_id=customer.pk,
            unit_id=customer.unit_id,
            email=customer.email or "",
            phone=customer.phone or "",
        )

    @classmethod
    def for_user(cls, user: Any) -> Recipient:
        """Staff get the in-app list, e-mail (if set and not switched off) and WeChat Work (if an id is set)."""
        profile = getattr(user, "profile", None)
        contact = getattr(user, "notify_contact", None) if _has_contact(user) else None
        email_ok = contact.email_enabled if contact is not None else True
        return cls(
            kind=RecipientKind.STAFF,
            name=user.get_full_name() or user.get_username(),
            language=(profile.language if profile is not None and profile.language else DEFAULT_LANGUAGE),
            user=user,
            unit_id=profile.unit_id if profile is not None else None,
            email=(user.email or "") if email_ok else "",
            phone=(profile.phone if profile is not None else "") or "",
            wecom_userid=contact.wecom_userid if contact is not None else "",
        )

    @property
    def identity(self) -> str:
        """Stable identity for de-duplication: the same event to the same person is one message."""
        if self.user is not None:
            return f"user:{self.user.pk}"
        if self.customer_id is not None:
            return f"customer:{self.customer_id}"
        return f"address:{self.email}|{self.phone}|{self.wecom_userid}"

    def address_for(self, channel: str) -> str | None:
        """The address on ``channel``, or None when the recipient cannot receive on it."""
        if channel == DeliveryChannel.IN_APP:
            return str(self.user.pk) if self.user is not None else None
        if channel == DeliveryChannel.EMAIL:
            return self.email or None
        if channel == DeliveryChannel.SMS:
            # Staff get SMS only if a template for staff enables it; customers always have a phone.
            return self.phone or None
        if channel == DeliveryChannel.WECOM:
            return self.wecom_userid or None
        return None


def _has_contact(user: Any) -> bool:
    from django.core.exceptions import ObjectDoesNotExist

    try:
        user.notify_contact  # noqa: B018
    except (ObjectDoesNotExist, AttributeError):
        return False
    return True
