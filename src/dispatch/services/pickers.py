"""What the pages and the API resolve before they call a service: the unit of plans, a window,
a technician the user may dispatch."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core.choices import Role
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
from dispatch.services._common import _ensure_unit_visible, _name
from workorders.models import WorkOrder


def unit_for_plans(acting_user: Any, unit_id: int | None) -> OrgUnit:
    """The unit a user plans for: the one asked (if visible); else their own when it has
    technicians or field orders waiting for one (a dispatcher opens on their own unit), else the
    first unit they see that has technicians (a director at HQ lands on a centre's board, not an
    empty one)."""
    if unit_id is None:
        unit = getattr(getattr(acting_user, "profile", None), "unit", None)
        if unit is None:
            raise ValidationError({"unit": _("Unknown unit.")})
        staffed = TechnicianProfile.objects.filter(is_active=True, user__is_active=True)
        if staffed.filter(user__profile__unit=unit).exists() or _has_unassigned(unit):
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


def _has_unassigned(unit: OrgUnit) -> bool:
    from dispatch.choices import FIELD_SERVICE_TYPES
    from dispatch.selectors import DISPATCHABLE_STATUSES

    return WorkOrder.objects.filter(
        unit=unit, technician__isnull=True, status__in=DISPATCHABLE_STATUSES, service_type__in=FIELD_SERVICE_TYPES
    ).exists()


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


# --- the board's technician picker ------------------------------------------------------------


@dataclass(frozen=True)
class PickerOption:
    """One technician in the board's picker for one order: skill match, load that day, distance."""

    user: Any
    qualified: bool
    refusal: str  # why not qualified ("" when qualified)
    load: int
    capacity: int | None  # None: no dispatch profile (not managed by dispatch)
    km: float | None  # road km from the home base to the customer (approximate)

    @property
    def label(self) -> str:
        parts = [_name(self.user)]
        if self.capacity is None:
            parts.append(_("no dispatch profile"))
        else:
            parts.append(_("skills ✓") if self.qualified else _("skills ✗"))
            parts.append(_("%(load)s/%(capacity)s visits") % {"load": self.load, "capacity": self.capacity})
        if self.km is not None:
            parts.append(_("%(km)s km") % {"km": f"{self.km:.1f}"})
        return " · ".join(parts)


def only_technicians(users: QuerySet[Any]) -> QuerySet[Any]:
    """Technicians, not other staff who may also carry out orders (a station's clerk, a director,
    an administrator): members of the technician role, or anyone with an active dispatch profile."""
    return users.filter(Q(groups__name=Role.TECHNICIAN) | Q(technician__is_active=True)).distinct()


def board_technicians(acting_user: Any, order: WorkOrder, loaned: list[TechnicianProfile]) -> list[Any]:
    """Who the board's picker offers for the unit's orders: its technicians and those on loan to it."""
    from workorders.selectors import technicians_for_order

    users = list(only_technicians(technicians_for_order(acting_user, order)))
    seen = {user.pk for user in users}
    return users + [profile.user for profile in loaned if profile.user_id not in seen]


def picker_options(
    orders: list[WorkOrder], technicians: list[Any], *, day: date, loads: dict[int, int]
) -> dict[int, list[PickerOption]]:
    """For each order, the technicians with the same qualification check booking makes
    (``qualification_refusal``: product line, service type, certificates, availability), their load on
    ``day`` (``loads`` by user id; counted when absent) and the distance; qualified first, then
    the least loaded, then the nearest."""
    from dispatch.gantt import road_km
    from dispatch.selectors import home_of, jobs_on, order_location
    from dispatch.services.rules import qualification_facts, qualification_refusal

    profiles = {
        profile.user_id: profile
        for profile in TechnicianProfile.objects.filter(user__in=technicians).select_related(
            "user", "user__profile__unit"
        )
    }
    facts = qualification_facts(list(profiles.values()), day)
    homes = {user_id: home_of(profile) for user_id, profile in profiles.items()}
    load_of = {user.pk: loads[user.pk] if user.pk in loads else jobs_on(user.pk, day) for user in technicians}
    refusals: dict[tuple[int, Any, str], str] = {}  # the check depends on the product line and service type only
    unit_points: dict[int, Any] = {}
    found: dict[int, list[PickerOption]] = {}
    for order in orders:
        model = order.product_model or (order.device.product_model if order.device_id and order.device else None)
        where = order_location(order, unit_points)
        options = []
        for user in technicians:
            profile = profiles.get(user.pk)
            refusal = ""
            if profile is not None:
                key = (user.pk, model.category_id if model is not None else None, order.service_type)
                if key not in refusals:
                    refusals[key] = qualification_refusal(order, profile, on=day, facts=facts[profile.pk]) or ""
                refusal = refusals[key]
            km = road_km(homes.get(user.pk), where)
            options.append(
                PickerOption(
                    user=user,
                    qualified=profile is not None and not refusal,
                    refusal=refusal,
                    load=load_of[user.pk],
                    capacity=profile.daily_capacity if profile is not None else None,
                    km=round(km, 1) if km is not None else None,
                )
            )
        options.sort(
            key=lambda o: (
                not o.qualified,
                o.load / o.capacity if o.capacity else 1.0,
                o.km if o.km is not None else float("inf"),
                _name(o.user),
            )
        )
        found[order.pk] = options
    return found
