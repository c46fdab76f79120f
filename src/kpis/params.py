"""Period and slice from request parameters (the API and the pages share it): every bad value
is refused with a ``ValidationError`` naming the parameter — an impossible date, a period that
ends before it starts, an unknown id, a unit or person out of the user's sight."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.models import ProductModel
from core.models import OrgUnit
from core.scoping import unit_ids_visible_to
from kpis.engine import Period, Slice
from workorders.choices import ServiceType

DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_DAYS = 3 * 366 + 1
MAX_ID = 2**31 - 1


def _date(value: str, field: str) -> date:
    if not DATE_RE.match(value or ""):
        raise ValidationError({field: _("Enter a date as YYYY-MM-DD.")})
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError({field: _("“%(value)s” is not a real date.") % {"value": value}}) from None


def parse_period(start: str | None, end: str | None, *, default_days: int = 0) -> Period:
    """``from``/``to`` (inclusive). Without them: the current month so far (or the last
    ``default_days`` days)."""
    today = timezone.localdate()
    if not start and not end:
        if default_days:
            return Period(today - timedelta(days=default_days - 1), today)
        return Period(today.replace(day=1), today)
    if not start:
        raise ValidationError({"from": _("Give the first day of the period.")})
    if not end:
        raise ValidationError({"to": _("Give the last day of the period.")})
    first, last = _date(start, "from"), _date(end, "to")
    if first > last:
        raise ValidationError({"from": _("The period starts after it ends.")})
    if (last - first).days > MAX_DAYS:
        raise ValidationError({"to": _("A period may cover at most three years.")})
    return Period(first, last)


def _id(value: Any, field: str) -> int | None:
    if value in (None, ""):
        return None
    text = str(value).strip()
    if not text.isdigit() or not 1 <= int(text) <= MAX_ID:
        raise ValidationError({field: _("Enter a numeric id.")})
    return int(text)


def _visible_unit(user: Any, value: Any, field: str) -> int | None:
    unit_id = _id(value, field)
    if unit_id is None:
        return None
    ids = unit_ids_visible_to(user)
    if not OrgUnit.objects.filter(pk=unit_id).exists() or (ids is not None and unit_id not in ids):
        raise ValidationError({field: _("Unknown unit.")})
    return unit_id


def parse_slice(
    user: Any,
    *,
    unit: Any = None,
    station: Any = None,
    technician: Any = None,
    product_model: Any = None,
    service_type: Any = None,
    customer: Any = None,
) -> Slice:
    unit_id = _visible_unit(user, unit, "unit")
    station_id = _visible_unit(user, station, "station")
    technician_id = _id(technician, "technician")
    if technician_id is not None:
        from core.scoping import unit_ids_visible_to as visible

        people = get_user_model().objects.filter(pk=technician_id, is_active=True)
        ids = visible(user)
        if ids is not None and technician_id != user.pk:
            people = people.filter(profile__unit_id__in=ids)
        if not people.exists():
            raise ValidationError({"technician": _("Unknown technician.")})
    model_id = None
    if product_model not in (None, ""):
        code = str(product_model).strip()[:64]
        model_id = ProductModel.objects.filter(code=code).values_list("pk", flat=True).first()
        if model_id is None:
            raise ValidationError({"product_model": _("Unknown product model “%(code)s”.") % {"code": code}})
    kind = str(service_type or "").strip()
    if kind and kind not in ServiceType.values:
        raise ValidationError({"service_type": _("Unknown service type.")})
    customer_id = _id(customer, "customer")
    if customer_id is not None:
        from customers.selectors import customers_visible_to

        if not customers_visible_to(user).filter(pk=customer_id).exists():
            raise ValidationError({"customer": _("Unknown customer.")})
    return Slice(
        unit=unit_id,
        station=station_id,
        technician=technician_id,
        product_model=model_id,
        service_type=kind,
        customer=customer_id,
    )
