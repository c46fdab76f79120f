"""Helpers every dispatch service shares: permission and reason checks, names, constants."""

from __future__ import annotations

import logging
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from core.scoping import ALL_UNITS, unit_ids_visible_to

logger = logging.getLogger(__name__)

CENT = Decimal("0.01")
MIN_TIME_LIMIT, MAX_TIME_LIMIT = 0.2, 30.0
DEFAULT_SERVICE_MINUTES = 60


def _require(user: Any, permission: str) -> None:
    if user is not None and not user.has_perm(permission):
        raise PermissionDenied(_("You may not do this."))


def _required_reason(reason: str, message: str) -> str:
    """The reason, trimmed: a change the customer or the technician will ask about must say why."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": message})
    return reason


def _name(user: Any) -> str:
    return str(user.get_full_name() or user.get_username())


def _hm(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%H:%M")


def _ensure_unit_visible(user: Any, unit_id: int, field: str) -> None:
    if user is None:
        return
    units = unit_ids_visible_to(user)
    if units is not ALL_UNITS and unit_id not in units:
        raise ValidationError({field: _("Unknown unit.")})
