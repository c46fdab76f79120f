"""What the pages and the API resolve before they call a service: the unit of plans, a window,
a technician the user may dispatch."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import OrgUnit
from core.scoping import ALL_UNITS, unit_ids_visible_to
from dispatch.choices import LoanStatus
from dispatch.models import (
    TechnicianLoan,
    TechnicianProfile,
)
from dispatch.selectors import (
    at_local,
)
from dispatch.services._common import _ensure_unit_visible


def unit_for_plans(acting_user: Any, unit_id: int | None) -> OrgUnit:
    """The unit a user plans for: the one asked (if visible); else their own when it has
    technicians, else the first unit they see that has some (a director at HQ lands on a centre's
    board, not an empty one)."""
    if unit_id is None:
        unit = getattr(getattr(acting_user, "profile", None), "unit", None)
        if unit is None:
            raise ValidationError({"unit": _("Unknown unit.")})
        staffed = TechnicianProfile.objects.filter(is_active=True, user__is_active=True)
        if staffed.filter(user__profile__unit=unit).exists():
            return unit
        visible = unit_ids_visible_to(acting_user)
        if visible is not ALL_UNITS:
            staffed = staffed.filter(user__profile__unit__in=visible)
        first = (
            OrgUnit.objects.filter(is_active=True, pk__in=staffed.values("user__profile__unit"))
            .order_by("code")
            .first()
        )
        return first or unit
    unit = OrgUnit.objects.filter(pk=unit_id, is_active=True).first()
    if unit is None:
        raise ValidationError({"unit": _("Unknown unit.")})
    _ensure_unit_visible(acting_user, unit.pk, "unit")
    return unit


def appointment_window(day: date, start: time, end: time) -> tuple[datetime, datetime]:
    return at_local(day, start), at_local(day, end)


def loan_admission_for_user(acting_user: Any, technician: Any) -> bool:
    """A technician of a unit the acting user does not see, on an approved loan to one they do."""

    loans = TechnicianLoan.objects.filter(
        technician_id=technician.pk, status=LoanStatus.APPROVED, ends_on__gte=timezone.localdate()
    )
    units = unit_ids_visible_to(acting_user)
    if units is not ALL_UNITS:
        loans = loans.filter(to_unit_id__in=units)
    return loans.exists()


def technician_for_dispatch(acting_user: Any, technician_id: int | None, *, field: str = "technician") -> Any:
    """A technician the user may pick (board, appointment card, API): one they see, or one on an
    approved loan to one of their units; otherwise a refusal naming ``field``."""
    from django.contrib.auth import get_user_model

    from workorders.selectors import technicians_visible_to

    technician = technicians_visible_to(acting_user).filter(pk=technician_id or 0).first()
    if technician is None:
        technician = (
            get_user_model().objects.filter(pk=technician_id or 0, is_active=True).select_related("profile").first()
        )
        if technician is None or not loan_admission_for_user(acting_user, technician):
            raise ValidationError({field: _("Choose an active technician.")})
    return technician
