"""The rules the assign transition applies (registered as workorders hooks): qualification,
shift, loans."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from dispatch.models import (
    Certificate,
    TechnicianProfile,
)
from dispatch.policies import skill_refusal
from dispatch.selectors import (
    approved_loan_exists,
    local_tz,
    profile_of,
    technician_shift,
)
from dispatch.services._common import _name
from workorders.models import WorkOrder

# --- the rules the assign transition applies (registered as workorders hooks) -----------------


def _order_category(order: WorkOrder) -> Any | None:
    model = order.product_model or (order.device.product_model if order.device_id and order.device else None)
    return model.category if model is not None else None


@dataclass(frozen=True)
class QualificationFacts:
    """What the qualification check reads of a technician, read once for a whole picker."""

    categories: frozenset[int]
    expired: Certificate | None  # the earliest expired active certificate on the day


def qualification_facts(profiles: list[TechnicianProfile], on: date) -> dict[int, QualificationFacts]:
    """Each profile's product lines and earliest expired certificate on ``on``, in two queries."""
    categories: dict[int, set[int]] = {profile.pk: set() for profile in profiles}
    for profile_id, category_id in TechnicianProfile.categories.through.objects.filter(
        technicianprofile_id__in=categories
    ).values_list("technicianprofile_id", "productcategory_id"):
        categories[profile_id].add(category_id)
    expired: dict[int, Certificate] = {}
    for certificate in Certificate.objects.filter(
        profile_id__in=categories, is_active=True, expires_on__lt=on
    ).order_by("-expires_on", "-id"):
        expired[certificate.profile_id] = certificate  # the earliest wins (ordered latest first)
    return {
        pk: QualificationFacts(categories=frozenset(found), expired=expired.get(pk)) for pk, found in categories.items()
    }


def qualification_refusal(
    order: WorkOrder, profile: TechnicianProfile, *, on: date | None = None, facts: QualificationFacts | None = None
) -> str | None:
    """Skills (product line, service type), an expired certificate, or not available for dispatch.
    ``facts`` (from :func:`qualification_facts`) saves the two reads when checking many orders."""
    name = _name(profile.user)
    if not profile.is_active:
        return _("%(name)s is not available for dispatch.") % {"name": name}
    today = on or timezone.localdate()
    if facts is None:
        facts = qualification_facts([profile], today)[profile.pk]
    category = _order_category(order)
    refusal = skill_refusal(
        category_id=category.pk if category is not None else None,
        category_name=category.name if category is not None else "",
        service_type=order.service_type,
        service_type_label=str(order.get_service_type_display()),
        technician_categories=set(facts.categories),
        technician_service_types=profile.service_types or [],
        technician_name=name,
    )
    if refusal:
        return refusal
    expired = facts.expired
    if expired is not None:
        return _("%(name)s's certificate “%(certificate)s” expired on %(date)s.") % {
            "name": name,
            "certificate": expired.name,
            "date": expired.expires_on.isoformat() if expired.expires_on else "",
        }
    return None


def assignment_check(order: WorkOrder, technician: Any) -> str | None:
    """workorders' assign transition asks this: skills, certificates, and the shift of a booked time.

    A technician without a dispatch profile is not managed here (no checks)."""
    profile = profile_of(technician)
    if profile is None:
        return None
    refusal = qualification_refusal(order, profile)
    if refusal:
        return refusal
    if order.appointment_at is not None:
        moment = timezone.localtime(order.appointment_at, local_tz())
        shift = technician_shift(profile, moment.date())
        if shift is None or not shift[0] <= moment.time() <= shift[1]:
            return _("%(name)s is not on shift at the appointment (%(at)s).") % {
                "name": _name(technician),
                "at": moment.strftime("%Y-%m-%d %H:%M"),
            }
    return None


def loan_admission(order: WorkOrder, technician: Any) -> bool:
    """An approved loan of the technician to the order's unit (today, or on the appointment's day)."""
    days = [timezone.localdate()]
    if order.appointment_at is not None:
        days.append(timezone.localtime(order.appointment_at, local_tz()).date())
    return approved_loan_exists(technician.pk, order.unit_id, days)
